"""API v1, data in and out: import a file of member records (checked first, written all or
nothing or its valid rows), follow it, fetch its rejected rows; export a member list as XLSX or
CSV; the reference lists behind every coded field, with their Vietnamese and English labels."""

from datetime import datetime
from typing import Literal

from django.http import FileResponse, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from dangvu.admission import choices as admission_choices
from dangvu.core import refdata
from dangvu.core.apischema import MAX_ID, documented, file_response
from dangvu.core.errors import ValidationError
from dangvu.core.tables import CONTENT_TYPES
from dangvu.documents import choices as document_choices
from dangvu.interchange.exports import (
    DEFAULT_COLUMNS,
    MEMBER_COLUMNS,
    import_template,
    members_export,
)
from dangvu.interchange.models import ImportState
from dangvu.interchange.selectors import import_get, import_list
from dangvu.interchange.services import (
    import_confirm,
    import_create,
    import_path,
    import_size_check,
    import_start,
    progress_read,
)
from dangvu.meetings import choices as meeting_choices
from dangvu.members import choices as member_choices
from dangvu.news import choices as news_choices
from dangvu.organisations import choices as org_choices
from dangvu.organisations.selectors import org_get, org_get_or_404
from dangvu.training import choices as training_choices

__all__ = ["router"]

router = Router(tags=["data in and out"])

# Every coded field of the API: the member record's reference lists (core.refdata) and the
# choices of the other apps, by the name the API's schemas use for them.
REFERENCE_LISTS: dict[str, object] = {
    "gender": refdata.GENDERS,
    "ethnicity": refdata.ETHNICITIES,
    "religion": refdata.RELIGIONS,
    "education": refdata.EDUCATION_LEVELS,
    "professional_level": refdata.PROFESSIONAL_LEVELS,
    "theory_level": refdata.THEORY_LEVELS,
    "occupation": refdata.OCCUPATIONS,
    "academic_title": refdata.ACADEMIC_TITLES,
    "yes": refdata.YES,
    "member_status": member_choices.Status,
    "event_type": member_choices.EventType,
    "organisation_kind": org_choices.OrgKind,
    "grassroots_type": org_choices.GrassrootsType,
    "admission_stage": admission_choices.Stage,
    "meeting_kind": meeting_choices.Kind,
    "meeting_state": meeting_choices.State,
    "meeting_level": meeting_choices.Level,
    "absence": meeting_choices.Absence,
    "task_state": meeting_choices.TaskState,
    "training_kind": training_choices.Kind,
    "training_mode": training_choices.Mode,
    "training_result": training_choices.Result,
    "document_kind": document_choices.Kind,
    "report_status": document_choices.Status,
    "article_state": news_choices.ArticleState,
    "comment_state": news_choices.CommentState,
}
ListName = Literal[tuple(REFERENCE_LISTS)]  # type: ignore[valid-type]


def _file_response(description: str, types: tuple[str, ...]) -> dict:
    return file_response(description, [CONTENT_TYPES[t] for t in types])


class ProblemOut(Schema):
    line: int = Field(description="The row in the file (the header is row 1)")
    column: str = Field(description="The column as the file's header writes it")
    value: str
    message: str


class ProgressOut(Schema):
    phase: str
    done: int
    total: int
    percent: int


class ImportOut(Schema):
    id: int
    file_name: str
    organisation: str
    state: ImportState
    state_label: str
    write: bool
    partial: bool
    total: int
    new: int = Field(description="Rows that would be (or were) added")
    unchanged: int = Field(description="Rows already on the records as the same person")
    rejected: int
    written: int
    problem_count: int
    problems: list[ProblemOut] = Field(description="The first 2,000, row by row")
    ignored_columns: list[str]
    message: str
    progress: ProgressOut
    created_at: datetime
    finished_at: datetime | None


class ImportIn(Schema):
    org: str = Field(..., max_length=40, description="The organisation's code")
    write: bool = Field(False, description="Write after the check (else a preview only)")
    partial: bool = Field(False, description="Write the valid rows even when some are rejected")


class WriteIn(Schema):
    partial: bool = Field(False, description="Write the valid rows even when some are rejected")


class ImportFilter(Schema):
    limit: int = Field(50, ge=1, le=500)


class ExportFilter(Schema):
    org: str = Field(..., max_length=40, description="The organisation's code")
    format: Literal["xlsx", "csv"] = "xlsx"
    columns: str = Field(
        ",".join(DEFAULT_COLUMNS),
        max_length=1000,
        description="Comma-separated, of: " + ", ".join(MEMBER_COLUMNS),
    )
    status: Literal["active", "all", "probationary", "official"] = "active"
    reason: str = Field(
        "", max_length=500, description="Why: required for sensitive columns, and logged"
    )


class TemplateFilter(Schema):
    org: str = Field("", max_length=40, description="List this organisation's cells")


class RefItemOut(Schema):
    code: str
    label_vi: str
    label_en: str
    aliases: list[str]


class RefListOut(Schema):
    name: str
    items: list[RefItemOut]


def _out(job) -> dict:
    return {
        "id": job.pk,
        "file_name": job.file_name,
        "organisation": job.organisation.code,
        "state": job.state,
        "state_label": job.get_state_display(),
        "write": job.write,
        "partial": job.partial,
        "total": job.total,
        "new": job.new_count,
        "unchanged": job.unchanged_count,
        "rejected": job.rejected_count,
        "written": job.written_count,
        "problem_count": job.problem_count,
        "problems": job.problems,
        "ignored_columns": job.ignored,
        "message": job.message,
        "progress": progress_read(job),
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


@router.post("/imports", response=documented(ImportOut, 201))
def import_add(
    request,
    payload: Form[ImportIn],
    file: File[UploadedFile],
):
    """Bring a file of member records (XLSX or CSV) into an organisation you manage: a party
    cell, or a committee whose cells the rows name in a "Chi bộ" column (code or name). Every
    row is checked first; `write=false` stops there (a preview), `write=true` then writes the
    file in one transaction, or refuses it whole when a row is bad unless `partial=true`. A
    file of at most 2,000 rows is done when this answers; a larger one runs in `dangvu
    worker`: follow it at /imports/{id}."""
    organisation = org_get(actor=request.user, code=payload.org, action="members.manage")
    if organisation is None:
        raise ValidationError({"org": _("No organisation with this code among yours.")})
    import_size_check(file.size)
    job = import_create(
        actor=request.user,
        organisation=organisation,
        data=file.read(),
        file_name=file.name or "",
        write=payload.write,
        partial=payload.partial,
    )
    job = import_start(job)
    return Status(201, _out(import_get(actor=request.user, pk=job.pk)))


@router.get("/imports", response=documented(list[ImportOut]))
def imports(request, filters: Query[ImportFilter]):
    """The files brought into organisations where you may add members, the latest first."""
    return [_out(j) for j in import_list(actor=request.user)[: filters.limit]]


@router.get("/imports/{import_id}", response=documented(ImportOut))
def import_one(request, import_id: int = Path(..., ge=1, le=MAX_ID)):
    """One import: its state, counts, the rows with errors (row, column, value, reason) and,
    while it runs, its progress."""
    return _out(import_get(actor=request.user, pk=import_id))


@router.post("/imports/{import_id}/write", response=documented(ImportOut))
def import_write(request, payload: WriteIn, import_id: int = Path(..., ge=1, le=MAX_ID)):
    """Write a previewed file (state "checked"): checked again, then written whole, or its
    valid rows with `partial`."""
    job = import_get(actor=request.user, pk=import_id)
    job = import_start(import_confirm(actor=request.user, job=job, partial=payload.partial))
    return _out(import_get(actor=request.user, pk=job.pk))


@router.get(
    "/imports/{import_id}/rejected",
    response=documented(None),
    openapi_extra=_file_response("The rejected rows with their reasons", ("xlsx", "csv")),
)
def import_rejected(request, import_id: int = Path(..., ge=1, le=MAX_ID)):
    """The rejected rows as the file had them, with their row numbers and reasons, in the
    file's format: correct them and import this file."""
    job = import_get(actor=request.user, pk=import_id)
    if not job.rejected_file:
        raise ValidationError({"import_id": _("This import rejected no row.")})
    return FileResponse(
        open(import_path(job.rejected_file), "rb"),  # noqa: SIM115 - the response closes it
        as_attachment=True,
        filename=f"rejected-{job.pk}.{job.kind}",
        content_type=CONTENT_TYPES[job.kind],
    )


@router.get(
    "/import-template",
    response=documented(None),
    openapi_extra=_file_response("The workbook to fill", ("xlsx",)),
)
def template(request, filters: Query[TemplateFilter]):
    """The workbook a committee fills to import its members: Vietnamese headers, drop-down
    lists for every coded field and, with `org`, its cells."""
    org = None
    if filters.org:
        org = org_get_or_404(actor=request.user, code=filters.org, action="members.manage")
    response = HttpResponse(import_template(org=org), content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = 'attachment; filename="members-template.xlsx"'
    return response


@router.get(
    "/exports/members",
    response=documented(None),
    openapi_extra=_file_response("The member list", ("xlsx", "csv")),
)
def export_members(request, filters: Query[ExportFilter]):
    """An organisation's member list (its whole subtree) with the columns you choose, as XLSX
    (title rows with the organisation and date, frozen header, dates as dates) or CSV (UTF-8,
    header first). Sensitive columns (ethnicity, religion, birth_date, identity_number, phone)
    need your sensitive view over every member of the list and a `reason`, which is logged."""
    org = org_get_or_404(actor=request.user, code=filters.org, action="members.view")
    out, _count, name = members_export(
        actor=request.user,
        org=org,
        fmt=filters.format,
        columns=filters.columns.split(","),
        status="" if filters.status == "all" else filters.status,
        reason=filters.reason,
        via="api",
    )
    return FileResponse(
        out, as_attachment=True, filename=name, content_type=CONTENT_TYPES[filters.format]
    )


def _items(reflist) -> list[dict]:
    if isinstance(reflist, refdata.RefList):
        return [
            {"code": i.code, "label_vi": i.vi, "label_en": i.en, "aliases": list(i.aliases)}
            for i in reflist
        ]
    items = []
    for value, label in reflist.choices:
        with translation.override("vi"):
            vi = str(label)
        with translation.override("en"):
            en = str(label)
        items.append({"code": value, "label_vi": vi, "label_en": en, "aliases": []})
    return items


class ReferenceFilter(Schema):
    list: ListName | None = Field(None, description="Only this list")


@router.get("/reference", response=documented(list[RefListOut]))
def reference_lists(request, filters: Query[ReferenceFilter]):
    """The reference lists behind the coded fields (gender, ethnicity, religion, education,
    organisation kind, event type…; `list` for one): the codes the API takes and gives, with
    their Vietnamese and English labels. An input field of a member's record also takes a
    label or another accepted name instead of the code."""
    names = [filters.list] if filters.list else list(REFERENCE_LISTS)
    return [{"name": name, "items": _items(REFERENCE_LISTS[name])} for name in names]
