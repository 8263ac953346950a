"""`dangvu generate --members N`: a synthetic country at national size (see reports.national)."""

import os
import resource
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from dangvu.dataset.national import GenerateConflict, generate

__all__ = ["Command"]


def peak_rss_mib() -> float:
    """The largest resident set of this process and of its load workers (each, not summed)."""
    return (
        max(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        )
        / 1024
    )


class Command(BaseCommand):
    help = (
        "Generate a synthetic country on the real 2025 map (34 provinces, 3,321 communes): "
        "organisations, members and their histories, through the services' bulk paths. "
        "Deterministic for a seed; run it again with the same arguments to resume."
    )

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, required=True, help="member records")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--shape", choices=["2025", "2024"], default="2025")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="processes loading provinces at once (PostgreSQL; default: one per CPU there, "
            "1 on SQLite)",
        )

    def handle(self, *args, members, seed, shape, quiet, workers, **options):
        if members < 1000:
            raise CommandError("--members: at least 1000 (one per commune would be a toy).")
        if workers is None:
            workers = (os.cpu_count() or 1) if connection.vendor == "postgresql" else 1
        if workers < 1:
            raise CommandError("--workers: at least 1.")
        started = time.monotonic()
        last = [0.0]

        def progress(done: int, total: int, code: str) -> None:
            now = time.monotonic()
            if quiet or (now - last[0] < 0.5 and done < total):
                return
            last[0] = now
            width = 30
            filled = int(width * done / total)
            rate = done / max(now - started, 1e-9)
            eta = (total - done) / rate if rate else 0
            sys.stderr.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} members "
                f"{rate:,.0f}/s eta {eta:,.0f} s {code:<12}"
            )
            sys.stderr.flush()

        try:
            result = generate(
                members=members, seed=seed, shape=shape, progress=progress, workers=workers
            )
        except GenerateConflict as exc:
            raise CommandError(str(exc)) from exc
        if not quiet:
            sys.stderr.write("\n")
        self.stdout.write(
            f"Generated {result.members:,} members in {result.units:,} units "
            f"({result.skipped_units:,} already there), {result.organisations:,} new "
            f"organisations, in {result.seconds:.1f} s "
            f"({result.members / max(result.seconds, 1e-9):,.0f} members/s) with {workers} "
            f"process{'es' if workers > 1 else ''}; peak RSS {peak_rss_mib():,.0f} MiB."
        )
