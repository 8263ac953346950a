"""`dangvu snapshots`: add the missing month-start snapshots (run nightly)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from dangvu.stats.build import SNAPSHOT_MIN_MEMBERS, SNAPSHOT_SINCE, snapshots_build

__all__ = ["Command"]


class Command(BaseCommand):
    help = (
        "Keep the month-start snapshots that make reports as of a past date fast for large "
        "subtrees: add the missing ones (run it nightly), or all of them with --rebuild."
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", default=SNAPSHOT_SINCE.isoformat(), help="YYYY-MM-DD")
        parser.add_argument("--min-members", type=int, default=SNAPSHOT_MIN_MEMBERS)
        parser.add_argument("--rebuild", action="store_true")

    def handle(self, *args, since, min_members, rebuild, **options):
        try:
            since_day = date.fromisoformat(since)
        except ValueError:
            raise CommandError(f"--since: not a date (YYYY-MM-DD): {since}") from None
        log = self.stdout.write if options["verbosity"] >= 2 else None
        n = snapshots_build(since=since_day, min_members=min_members, rebuild=rebuild, log=log)
        self.stdout.write(f"{n} snapshots written.")
