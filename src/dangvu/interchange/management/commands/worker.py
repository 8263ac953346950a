"""`dangvu worker`: run the background work (large imports) that the web pages and the API
queue. `dangvu serve` starts one; run it yourself beside another server."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run queued background tasks (django-tasks' database worker)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="run what is queued, then exit")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")

    def handle(self, *args, **options):
        extra = ["--batch"] if options["batch"] else []
        call_command(
            "db_worker",
            "--interval",
            str(options["interval"]),
            "--no-startup-delay",
            *extra,
            verbosity=options["verbosity"],
        )
