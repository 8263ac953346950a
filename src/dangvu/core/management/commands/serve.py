"""`dangvu serve`: the production server (gunicorn), workers from the CPU count, and beside it
one `dangvu worker` for the background work the pages queue (large imports); `--no-worker`
when a worker runs elsewhere."""

import atexit
import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Dangvu with gunicorn (a production WSGI server)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=settings.DANGVU_SERVE_WORKERS)
        parser.add_argument("--timeout", type=int, default=120)
        parser.add_argument(
            "--no-worker", action="store_true", help="do not start a background worker"
        )

    def handle(self, *args, **options):
        from gunicorn.app.wsgiapp import WSGIApplication

        call_command("collectstatic", interactive=False, verbosity=0)
        if not options["no_worker"]:
            worker = subprocess.Popen([sys.executable, "-m", "dangvu", "worker"])
            atexit.register(_stop, worker, os.getpid())
        self.stdout.write(
            f"Dangvu: http://{options['host']}:{options['port']}/ ({options['workers']} workers)"
        )
        sys.argv = [
            "gunicorn",
            "--bind",
            f"{options['host']}:{options['port']}",
            "--workers",
            str(options["workers"]),
            "--timeout",
            str(options["timeout"]),
            "--access-logfile",
            "-",
        ]
        if _has_flag("--no-control-socket"):
            # gunicorn 24+ opens a control socket per user ($HOME/.gunicorn/gunicorn.ctl): two
            # servers run by one user would share it, and Dangvu does not use it.
            sys.argv.append("--no-control-socket")
        sys.argv.append("dangvu.wsgi:application")
        WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()


def _has_flag(flag: str) -> bool:
    from gunicorn.config import KNOWN_SETTINGS

    return any(flag in (setting.cli or []) for setting in KNOWN_SETTINGS)


def _stop(worker: subprocess.Popen, owner: int) -> None:
    """At the server's exit (not at a forked web worker's, which inherits the hook)."""
    if os.getpid() == owner and worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
