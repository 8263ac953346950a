"""Imports of member records: a file is stored, checked (memberfile), then written in ONE
transaction (all its rows, or with `partial` its valid rows) or refused; a process killed half
way leaves the records as they were. A large file runs in `dangvu worker` (tasks); its
progress is a small file beside the upload that any process reads (the web page, the CLI):
the write's own transaction cannot publish it through the database (docs/decisions/0025)."""

import json
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangvu.accounts.scoping import SYSTEM, allows
from dangvu.audit.services import AuditEntry, audit_record
from dangvu.core.errors import ValidationError
from dangvu.core.tables import Column, write_table
from dangvu.core.text import clean_text
from dangvu.interchange.memberfile import Checked, check_file
from dangvu.interchange.models import ImportState, MemberImport
from dangvu.interchange.reading import read_table
from dangvu.members.services import members_create_checked, recorder_id
from dangvu.organisations.models import Organisation

__all__ = [
    "import_create",
    "import_run",
    "import_confirm",
    "import_enqueue",
    "import_size_check",
    "import_start",
    "import_path",
    "progress_read",
    "WRITE_CHUNK",
    "INLINE_ROWS",
]

WRITE_CHUNK = 10000  # members written per step of the one transaction (memory stays bounded)
INLINE_ROWS = 2000  # a file at most this large is checked in the request that brings it


def _dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def import_path(name: str) -> Path:
    return _dir() / name


def _progress_file(job_id: int) -> Path:
    return _dir() / f"{job_id}.progress"


def progress_write(job_id: int, phase: str, done: int, total: int) -> None:
    """Write the progress atomically (another process may read it at any moment)."""
    path = _progress_file(job_id)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"phase": phase, "done": done, "total": total}))
    os.replace(tmp, path)


def progress_read(job: MemberImport) -> dict:
    """{"phase", "done", "total", "percent"} of a running import (the finished one's totals)."""
    try:
        data = json.loads(_progress_file(job.pk).read_text())
    except (OSError, ValueError):
        data = {"phase": job.state, "done": 0, "total": job.total}
    total = max(data.get("total") or 0, data.get("done") or 0)
    data["percent"] = int(100 * data["done"] / total) if total else 0
    return data


def import_create(
    *,
    actor,
    organisation: Organisation,
    data: bytes,
    file_name: str,
    write: bool = False,
    partial: bool = False,
) -> MemberImport:
    """Store a file to import into `organisation` and queue its check (and write, `write`).
    ValidationError when the actor may not add members there or the file is not a table."""
    if not allows(actor, "members.manage", organisation):
        raise ValidationError({"organisation": _("You may not add members to this organisation.")})
    import_size_check(len(data))
    table = read_table(data, file_name)  # the kind and the header, before anything is stored
    stored = f"{uuid.uuid4().hex}.{table.kind}"
    import_path(stored).write_bytes(data)
    job = MemberImport(
        file_name=clean_text(file_name, max_length=255) or stored,
        stored=stored,
        kind=table.kind,
        write=write,
        partial=partial,
        total=table.size,
        created_by_id=recorder_id(actor),
    )
    job.place_in(organisation)
    job.save()
    return job


def import_size_check(size: int) -> None:
    """ValidationError (field "file") for a file larger than an import accepts."""
    if size > settings.DANGVU_IMPORT_MAX_BYTES:
        raise ValidationError(
            {
                "file": _("The file is larger than %(n)d MB.")
                % {"n": settings.DANGVU_IMPORT_MAX_BYTES // (1024 * 1024)}
            }
        )


def import_start(job: MemberImport) -> MemberImport:
    """Run a small file now (the answer shows its outcome), queue a large one for the worker."""
    if job.total and job.total <= INLINE_ROWS:
        return import_run(job.pk)
    import_enqueue(job)
    return job


def import_enqueue(job: MemberImport) -> None:
    """Run the import in the worker once the transaction that queued it commits (at once in
    the tests, whose task backend is immediate)."""
    from dangvu.interchange.tasks import run_import

    transaction.on_commit(lambda: run_import.enqueue(job.pk))


def import_confirm(*, actor, job: MemberImport, partial: bool) -> MemberImport:
    """Write a checked file: queue its check again (the records may have changed since the
    preview) and its write."""
    if not allows(actor, "members.manage", job):
        raise ValidationError({"import": _("You may not add members to this organisation.")})
    if job.state != ImportState.CHECKED:
        raise ValidationError({"import": _("Only a checked file can be written.")})
    job.write, job.partial, job.state = True, partial, ImportState.WAITING
    job.save(update_fields=["write", "partial", "state"])
    return job


def _actor_of(job: MemberImport):
    if job.created_by_id is None:
        return SYSTEM
    user = get_user_model().objects.filter(pk=job.created_by_id, is_active=True).first()
    if user is None:
        raise ValidationError({"import": _("The person who brought this file can no longer act.")})
    return user


def _rejected_file(job: MemberImport, checked: Checked) -> str:
    """The rejected rows as the file had them, with the row number and the reasons, in the
    file's own format: correct them and import this file."""
    headers = checked.headers
    columns = [Column(_("Row"), "int", 8)] + [Column(h or "-") for h in headers]
    columns.append(Column(_("Reasons"), width=60))
    width = len(headers)
    rows = (
        [line] + list(values[:width]) + [None] * (width - len(values)) + [reason]
        for line, values, reason in checked.rejected
    )
    out, _count = write_table(
        job.kind,
        title=[_("Rejected rows of %(file)s") % {"file": job.file_name}],
        columns=columns,
        rows=rows,
    )
    name = f"{Path(job.stored).stem}-rejected.{job.kind}"
    with out, open(import_path(name), "wb") as f:
        while chunk := out.read(1 << 20):
            f.write(chunk)
    return name


def _finish(job: MemberImport, state: str, message: str = "") -> MemberImport:
    job.state, job.message, job.finished_at = state, message, timezone.now()
    job.save()
    return job


def import_run(job_id: int, *, on_progress: Callable[[str, int, int], None] | None = None):
    """Check the file and, when asked, write it. Returns the job in its final state."""
    job = MemberImport.objects.select_related("organisation").get(pk=job_id)
    if job.finished and not (job.state == ImportState.CHECKED and job.write):
        return job
    last = [0.0]

    def progress(phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.25 or done >= total:
            last[0] = now
            progress_write(job.pk, phase, done, total)
            if on_progress is not None:
                on_progress(phase, done, total)

    try:
        actor = _actor_of(job)
        job.state = ImportState.CHECKING
        job.save(update_fields=["state"])
        table = read_table(import_path(job.stored).read_bytes(), job.file_name)
        estimate = table.size
        checked = check_file(
            actor=actor,
            target=job.organisation,
            table=table,
            progress=lambda n: progress("check", n, max(estimate, n)),
        )
    except ValidationError as exc:
        messages = [m for ms in exc.message_dict.values() for m in ms]
        return _finish(job, ImportState.REFUSED, "\n".join(messages))
    job.total = checked.total
    job.new_count, job.unchanged_count = len(checked.new), len(checked.unchanged)
    job.rejected_count, job.problem_count = len(checked.rejected), checked.problem_count
    job.problems = [p.as_dict() for p in checked.problems]
    job.ignored = checked.ignored
    job.rejected_file = _rejected_file(job, checked) if checked.rejected else ""
    progress("check", checked.total, checked.total)
    if not job.write:
        return _finish(job, ImportState.CHECKED)
    if checked.rejected and not job.partial:
        return _finish(
            job,
            ImportState.REFUSED,
            _(
                "%(n)d rows have errors: nothing was written. Correct them, or write the valid "
                "rows only."
            )
            % {"n": len(checked.rejected)},
        )
    job.state = ImportState.WRITING
    job.save()
    try:
        written = _write(actor, job, checked, progress)
    except ValidationError as exc:
        messages = [m for ms in exc.message_dict.values() for m in ms]
        return _finish(job, ImportState.FAILED, "\n".join(messages))
    job.written_count = written
    return _finish(job, ImportState.DONE)


def _write(actor, job: MemberImport, checked: Checked, progress) -> int:
    """All the new rows in one transaction, WRITE_CHUNK members a step, and one audit record of
    the import itself (the members' own are written by the members' service)."""
    rows = checked.new
    total = len(rows)
    with transaction.atomic():
        for start in range(0, total, WRITE_CHUNK):
            chunk = rows[start : start + WRITE_CHUNK]
            members_create_checked(actor=actor, rows=[(c, org) for _l, c, org in chunk])
            progress("write", start + len(chunk), total)
        audit_record(
            actor=actor,
            entry=AuditEntry(
                action="member.import",
                object_type="organisation",
                object_id=job.organisation_id,
                object_repr=job.file_name,
                org_path=job.org_path,
                after={
                    "import": job.pk,
                    "written": total,
                    "unchanged": len(checked.unchanged),
                    "rejected": len(checked.rejected),
                },
            ),
        )
    if total:
        progress("write", total, total)
    return total
