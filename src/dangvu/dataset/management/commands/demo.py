"""`dangvu demo`: load the demo data (idempotent) and print the demo sign-ins."""

from django.core.management.base import BaseCommand, CommandError

from dangvu.dataset.demo import DemoConflict, demo_load, demo_signins

__all__ = ["Command"]


class Command(BaseCommand):
    help = (
        "Load the demo data — generated members in real places, Đắk Glei and the 2025 "
        "reorganisation — unless it is already loaded, then print the demo sign-ins."
    )

    def handle(self, *args, **options):
        verbose = options["verbosity"] >= 2
        try:
            result = demo_load(log=self.stdout.write if verbose else None)
        except DemoConflict as exc:
            raise CommandError(str(exc)) from exc
        if result.created:
            self.stdout.write(
                f"Demo data loaded in {result.seconds:.1f} s: {result.organisations} "
                f"organisations, {result.members} members, {result.events} membership events."
            )
        else:
            self.stdout.write(
                f"Demo data already loaded ({result.organisations} organisations, "
                f"{result.members} members); nothing changed."
            )
        self._sign_ins()

    def _sign_ins(self) -> None:
        rows = [("user", "password", "role", "organisation")]
        signins = demo_signins()
        for s in signins:
            places = "; ".join(
                f"{code} {name}" + ("" if active else " (đã giải thể/hợp nhất)")
                for code, name, active in s.organisations
            )
            rows.append((s.username, s.password, s.role, places))
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        self.stdout.write("")
        self.stdout.write("Demo sign-ins:")
        for n, row in enumerate(rows):
            cells = [row[i].ljust(widths[i]) for i in range(3)] + [row[3]]
            self.stdout.write("  " + "  ".join(cells))
            if n == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths) + "  " + "-" * 12)
        self.stdout.write("")
        self.stdout.write(
            "Second step of the sign-in (every role but member): a one-time backup code; "
            "each works once, `dangvu demo` prints unused ones (or set up an authenticator "
            "app under your name > Sign-in and security):"
        )
        width = max(len(s.username) for s in signins)
        for s in signins:
            if s.codes:
                self.stdout.write(f"  {s.username.ljust(width)}  {'  '.join(s.codes)}")
