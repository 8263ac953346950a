"""`dangvu import members FILE --org CODE [--dry-run] [--partial] [--rejected OUT]
[--background] [--as USER]`: bring a file of member records (XLSX or CSV) into an organisation.

Every row is checked first; without --partial one bad row refuses the whole file, with it the
valid rows are written and the rejected ones go to a file (--rejected, or FILE-rejected.xlsx
beside the file) with their reasons. Exit 0 when the file was written (or, with --dry-run,
would be), 1 with the report of the rows that stop it. --background hands the file to
`dangvu worker` and follows its progress."""

import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from dangvu.accounts.scoping import SYSTEM
from dangvu.core.errors import ValidationError
from dangvu.interchange.models import ImportState, MemberImport
from dangvu.interchange.services import (
    import_create,
    import_enqueue,
    import_path,
    import_run,
    progress_read,
)
from dangvu.organisations.selectors import org_get


def actor_from(username: str):
    if not username:
        return SYSTEM
    actor = get_user_model().objects.filter(username=username).first()
    if actor is None or not actor.is_active:
        raise CommandError(f"--as: no active user {username}")
    return actor


class Bar:
    """A progress bar on standard error: "Kiểm tra [#####.....] 52% 52.000/100.000"."""

    def __init__(self, stream, enabled: bool):
        self.stream, self.enabled, self.last = stream, enabled, ""

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        total = max(total, done, 1)
        filled = int(30 * done / total)
        name = _("Writing") if phase == "write" else _("Checking")
        text = (
            f"\r{name:<10} [{'#' * filled}{'.' * (30 - filled)}] {100 * done // total:3d}% "
            f"{done:,}/{total:,}".replace(",", ".")
        )
        if text != self.last:
            if self.last and not self.last.startswith(f"\r{name}"):
                self.stream.write("\n")
            self.stream.write(text)
            self.stream.flush()
            self.last = text

    def end(self) -> None:
        if self.enabled and self.last:
            self.stream.write("\n")


class Command(BaseCommand):
    help = "Import member records from an XLSX or CSV file, all or nothing (or --partial)."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["members"])
        parser.add_argument("file")
        parser.add_argument(
            "--org",
            required=True,
            help="organisation code (a cell, or the committee whose cells the file's rows name)",
        )
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument(
            "--partial",
            action="store_true",
            help="write the valid rows and put the rejected ones in a file",
        )
        parser.add_argument("--rejected", default="", help="where to write the rejected rows")
        parser.add_argument(
            "--background",
            action="store_true",
            help="run in `dangvu worker` and follow its progress",
        )
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--as",
            dest="as_user",
            default="",
            metavar="USER",
            help="import as this user, within their scope (default: the system)",
        )

    def handle(self, *args, **options):
        actor = actor_from(options["as_user"])
        org = org_get(actor=actor, code=options["org"], action="members.manage")
        if org is None:
            raise CommandError(
                f"--org: no organisation with code {options['org']} you may add members to"
            )
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from exc
        try:
            job = import_create(
                actor=actor,
                organisation=org,
                data=data,
                file_name=path.name,
                write=not options["dry_run"],
                partial=options["partial"],
            )
        except ValidationError as exc:
            raise CommandError(
                "; ".join(m for ms in exc.message_dict.values() for m in ms)
            ) from exc
        bar = Bar(sys.stderr, not options["no_progress"])
        if options["background"]:
            import_enqueue(job)
            job = self._follow(job, bar)
        else:
            job = import_run(job.pk, on_progress=bar)
        bar.end()
        self._report(job, path, options)

    def _follow(self, job: MemberImport, bar: Bar) -> MemberImport:
        while True:
            job.refresh_from_db()
            p = progress_read(job)
            bar(p.get("phase", ""), p.get("done", 0), p.get("total", 0))
            if job.finished and not (job.state == ImportState.CHECKED and job.write):
                return job
            time.sleep(0.5)

    def _report(self, job: MemberImport, path: Path, options) -> None:
        out = self.stdout
        if job.state == ImportState.REFUSED and not job.problems and not job.new_count:
            raise CommandError(job.message)  # the file as a whole: no row was checked
        out.write(
            _(
                "%(file)s: %(total)d rows; new %(new)d, already on the records %(same)d, "
                "rejected %(bad)d."
            )
            % {
                "file": job.file_name,
                "total": job.total,
                "new": job.new_count,
                "same": job.unchanged_count,
                "bad": job.rejected_count,
            }
        )
        for p in job.problems:
            out.write(
                _("Row %(line)d, column %(column)s (%(value)s): %(message)s")
                % {
                    "line": p["line"],
                    "column": p["column"],
                    "value": p["value"] or "—",
                    "message": p["message"],
                }
            )
        if job.problem_count > len(job.problems):
            out.write(
                _("… and %(n)d more problems (see the rejected-rows file).")
                % {"n": job.problem_count - len(job.problems)}
            )
        if job.rejected_file:
            target = Path(options["rejected"] or path.with_name(f"{path.stem}-rejected.{job.kind}"))
            target.write_bytes(import_path(job.rejected_file).read_bytes())
            out.write(_("Rejected rows written to %(path)s.") % {"path": target})
        if job.state == ImportState.DONE:
            out.write(_("Written: %(n)d members.") % {"n": job.written_count})
            return
        if job.state == ImportState.CHECKED:
            if job.rejected_count:
                raise CommandError(
                    _("Dry run: %(n)d rows would be rejected; nothing was written.")
                    % {"n": job.rejected_count}
                )
            out.write(_("Dry run: the file can be imported; nothing was written."))
            return
        raise CommandError(job.message or job.get_state_display())
