"""`dangvu worker`: run the background work (large imports) that the web pages and the API
queue. `dangvu serve` starts one; run it yourself beside another server.

While the database is unavailable (PostgreSQL stopped or restarting) the worker waits and polls
again, as the web workers answer 503 and come back by themselves: it does not die with a
traceback and leave the queue unserved until someone restarts the server."""

import logging
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import InterfaceError, OperationalError, connections

from dangvu.core.unavailable import database_unavailable

logger = logging.getLogger("dangvu.worker")

# Seconds between two attempts while the database is unavailable.
RETRY = 5


class Command(BaseCommand):
    help = "Run queued background tasks (django-tasks' database worker)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="run what is queued, then exit")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")

    def handle(self, *args, **options):
        extra = ["--batch"] if options["batch"] else []
        while True:
            try:
                call_command(
                    "db_worker",
                    "--interval",
                    str(options["interval"]),
                    "--no-startup-delay",
                    *extra,
                    verbosity=options["verbosity"],
                )
                return
            except (OperationalError, InterfaceError) as exc:
                if options["batch"] or not database_unavailable(exc):
                    raise
                logger.warning(
                    "database unavailable (%s): the worker polls again in %d s",
                    str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
                    RETRY,
                )
                connections.close_all()
                time.sleep(RETRY)
