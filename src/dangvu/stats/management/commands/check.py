"""`dangvu check`: Django's system checks, then recompute everything from the events."""

import time

from django.core.management.base import CommandError
from django.core.management.commands.check import Command as SystemCheckCommand

from dangvu.stats.consistency import consistency_check


class Command(SystemCheckCommand):
    help = (
        "Run Django's system checks, then recompute member states, periods, organisation "
        "versions and every rollup counter from the events; exit 1 on any difference. "
        "With -v 2, say which part runs and how many members are checked (minutes at "
        "national size)."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--system-only", action="store_true", help="only Django's system checks"
        )

    def handle(self, *app_labels, **options):
        super().handle(*app_labels, **options)
        if options["system_only"]:
            return
        started = time.monotonic()

        def progress(step: str) -> None:
            self.stderr.write(f"[{time.monotonic() - started:,.0f} s] {step}")

        problems = consistency_check(progress=progress if options["verbosity"] >= 2 else None)
        for line in problems:
            self.stderr.write(line)
        if problems:
            raise CommandError(f"dangvu check: {len(problems)} difference(s) found")
        self.stdout.write(
            "dangvu check: members, periods, organisations and counters agree with the events."
        )
