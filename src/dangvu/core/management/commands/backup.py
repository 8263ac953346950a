"""`dangvu backup [--output FILE]`: the database and the uploaded files in one file, made
while the server runs (core.backup; docs/decisions/0027)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from dangvu.core.backup import ENGINE_NAMES, BackupRefused, backup_create

__all__ = ["Command"]


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite's online backup, or pg_dump for PostgreSQL) and the "
        "uploaded files into one tar.gz file, readable by its owner only, while the server runs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default="",
            metavar="FILE",
            help="the file to write (default: dangvu-backup-YYYYMMDD-HHMMSS.tar.gz here); "
            "never overwritten",
        )

    def handle(self, *args, **options):
        verbose = options["verbosity"] >= 2
        try:
            result = backup_create(
                output=Path(options["output"]) if options["output"] else None,
                log=self.stderr.write if verbose else None,
            )
        except BackupRefused as exc:
            raise CommandError(str(exc)) from exc
        counts = result.manifest["counts"]
        self.stdout.write(
            _(
                "Backup written to %(path)s (%(size)s, %(seconds)s s): %(engine)s database with "
                "%(organisations)s organisations and %(members)s members, %(files)s uploaded "
                "files."
            )
            % {
                "path": result.path,
                "size": filesizeformat(result.size),
                "seconds": f"{result.seconds:.1f}",
                "engine": ENGINE_NAMES[result.manifest["engine"]],
                "organisations": counts.get("organisations", 0),
                "members": counts.get("members", 0),
                "files": counts.get("uploaded_files", 0),
            }
        )
        self.stdout.write(
            _(
                "It holds every member's personal data: it is readable by its owner only "
                "(0600); keep it and its copies so."
            )
        )
