"""`dangvu restore FILE [--no-check]`: a backup of `dangvu backup` into an empty data directory
(SQLite) or an empty database (PostgreSQL), then `dangvu check` (core.backup;
docs/decisions/0027)."""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from dangvu.core.backup import ENGINE_NAMES, BackupRefused, backup_restore

__all__ = ["Command"]


class Command(BaseCommand):
    help = (
        "Restore a file of `dangvu backup` into an empty database and uploads directory of the "
        "same engine, then run `dangvu check`. Refused, changing nothing, when the database or "
        "the uploads directory is not empty, or the file is not a whole Dangvu backup."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a file written by `dangvu backup`")
        parser.add_argument(
            "--no-check",
            action="store_true",
            help="do not run `dangvu check` afterwards (minutes at national size; run it later)",
        )

    def handle(self, *args, **options):
        verbose = options["verbosity"] >= 2
        try:
            result = backup_restore(
                archive=Path(options["file"]), log=self.stderr.write if verbose else None
            )
        except BackupRefused as exc:
            raise CommandError(str(exc) + " " + _("Nothing was changed.")) from exc
        manifest, counts = result.manifest, result.counts
        self.stdout.write(
            _(
                "Restored %(file)s (made %(created)s by Dangvu %(version)s, %(engine)s) in "
                "%(seconds)s s: %(organisations)s organisations, %(members)s members, "
                "%(events)s membership events, %(users)s users, %(files)s uploaded files."
            )
            % {
                "file": options["file"],
                "created": manifest["created"][:19].replace("T", " "),
                "version": manifest["dangvu_version"],
                "engine": ENGINE_NAMES[manifest["engine"]],
                "seconds": f"{result.seconds:.1f}",
                "organisations": counts.get("organisations", 0),
                "members": counts.get("members", 0),
                "events": counts.get("membership_events", 0),
                "users": counts.get("users", 0),
                "files": result.files,
            }
        )
        self.stdout.write(_("Everyone signs in again: sessions are not kept in a backup."))
        if result.pending_migrations:
            self.stdout.write(
                _(
                    "This Dangvu has %(n)d migrations the backup had not: run `dangvu migrate`, "
                    "then `dangvu check`."
                )
                % {"n": len(result.pending_migrations)}
            )
            return
        if options["no_check"]:
            self.stdout.write(_("Run `dangvu check` before opening the site."))
            return
        call_command("check", stdout=self.stdout, stderr=self.stderr)
