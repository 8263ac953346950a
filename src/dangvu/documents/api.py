"""API v1, party documents: find a document by its number or words; record one with its number
checked against its kind and issuer; send it down the tree; see who has and has not reported
on it; report one recipient's implementation; attach a file to a document and download the
files, as on its page."""

from datetime import date

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from dangvu.core.apischema import FILE_DOWNLOAD, MAX_ID, Day, StoredFileOut, codes, documented
from dangvu.core.editing import VersionField, edit_responses
from dangvu.core.errors import ValidationError
from dangvu.core.tables import Column, TableSpec, Tabular, table_response, tabular
from dangvu.core.uploads import download
from dangvu.documents.choices import Kind
from dangvu.documents.choices import Status as ReportStatus
from dangvu.documents.models import DocumentFile, Recipient
from dangvu.documents.selectors import (
    FILTERS,
    can_manage,
    document_get,
    document_list,
    file_get,
    implementation_summary,
    recipient_list,
)
from dangvu.documents.services import (
    RECIPIENT_REPORT,
    document_create,
    file_attach,
    implementation_report,
    recipients_send,
)
from dangvu.organisations.choices import OrgKind
from dangvu.organisations.selectors import org_get, org_get_or_404

__all__ = ["router"]

router = Router(tags=["documents"])

KindCode = codes(Kind)
StatusCode = codes(ReportStatus)


class DocumentIn(Schema):
    org: str = Field(..., max_length=40, description="The issuing organisation's code")
    kind: KindCode
    number: str = Field(..., max_length=60, description="The official number, e.g. 90-KH/TU")
    issued_on: Day
    title: str = Field(..., max_length=500)
    signer: str = Field("", max_length=200)
    summary: str = Field("", max_length=5000)
    full_text: str = Field("", max_length=200_000)
    implements: int | None = Field(
        None, ge=1, le=MAX_ID, description="The id of the document this one carries out"
    )
    circular: bool = Field(
        False, description="For wide circulation: seen below every recipient as well"
    )


class DocumentOut(Schema):
    id: int
    number: str = Field(description="The official number, canonical (90-KH/TU)")
    serial: int = Field(description="The number's serial part (90)")
    kind: KindCode
    kind_label: str
    kind_abbr: str
    issuer_abbr: str
    organisation: str
    organisation_name: str
    issued_on: date
    signer: str
    title: str
    summary: str
    implements: int | None
    circular: bool


class DocumentFileOut(StoredFileOut):
    title: str = Field(description="What the file is (its signed text, an annex…)")


class DocumentFull(DocumentOut):
    files: list[DocumentFileOut] = Field(description="The document's own files")


class DocumentFileIn(Schema):
    title: str = Field("", max_length=300, description="What the file is")


class DocumentFilter(Tabular):
    q: str = Field("", max_length=200, description="A number (90-KH/TU) or words, accents ignored")
    kind: codes(Kind, "") = Field("", description="A kind (default: any)")
    year: int | None = Field(None, ge=1930, le=2100)
    org: str | None = Field(None, max_length=40, description="Issued by this organisation")
    limit: int = Field(100, ge=1, le=500)


class SendIn(Schema):
    organisations: list[str] = Field([], max_length=5000, description="Codes of recipients")
    children_of_kind: codes(OrgKind, "") | None = Field(
        None, description="Every live organisation of this kind under `under`"
    )
    under: str | None = Field(None, max_length=40)
    due_on: Day | None = Field(None, description="The implementation report is due by")


class SendOut(Schema):
    added: int


class RecipientOut(Schema):
    id: int
    organisation: str
    organisation_name: str
    due_on: date | None
    status: StatusCode
    status_label: str = Field(description="The status's label, or 'not reported'")
    reported_on: date | None
    overdue: bool
    implementing: str | None = Field(description="The recipient's own implementing document")
    notes: str
    version: str | None = Field(
        None, description="The report as read now (not in files): send it when reporting again"
    )


class SummaryOut(Schema):
    total: int
    reported: int
    not_reported: int
    overdue: int
    by_status: dict[str, int]
    as_of: date


class ImplementationOut(Schema):
    document: DocumentOut
    summary: SummaryOut | None = Field(description="For the issuer's side only")
    recipients: list[RecipientOut]


class ImplementationFilter(Tabular):
    show: codes(FILTERS, "") = Field("", description="Which recipients (default: all)")
    limit: int = Field(200, ge=1, le=5000)
    offset: int = Field(0, ge=0, le=1_000_000)


class ReportIn(Schema):
    org: str = Field(..., max_length=40, description="The recipient reporting")
    status: StatusCode
    notes: str = Field("", max_length=5000)
    implementing: int | None = Field(
        None, ge=1, le=MAX_ID, description="The recipient's own document carrying it out"
    )
    on: Day | None = Field(None, description="Reported on (default: today)")
    version: str | None = VersionField()


# --- as files (core.tables) -----------------------------------------------------------------

DOCUMENTS = TableSpec(
    "documents",
    "Danh sách văn bản của Đảng",
    (
        Column("Số, ký hiệu", key="number", width=18),
        Column("Ngày ban hành", "date", 12, key="issued_on"),
        Column("Loại văn bản", key="kind_label", width=18),
        Column("Trích yếu", key="title", width=44),
        Column("Mã cơ quan ban hành", key="organisation", width=14),
        Column("Cơ quan ban hành", key="organisation_name", width=28),
        Column("Người ký", key="signer", width=22),
        Column("Tóm tắt nội dung", key="summary", width=44),
        Column("Phổ biến rộng rãi", key="circular", width=10),
        Column("Mã văn bản", "int", 10, key="id"),
    ),
)

IMPLEMENTATION = TableSpec(
    "implementation",
    "Tình hình triển khai, báo cáo thực hiện văn bản",
    (
        Column("Mã đơn vị", key="organisation", width=14),
        Column("Đơn vị nhận", key="organisation_name", width=30),
        Column("Hạn báo cáo", "date", 12, key="due_on"),
        Column("Tình hình thực hiện", key="status_label", width=20),
        Column("Ngày báo cáo", "date", 12, key="reported_on"),
        Column("Quá hạn", key="overdue", width=10),
        Column("Văn bản triển khai", key="implementing", width=18),
        Column("Nội dung báo cáo", key="notes", width=50),
    ),
    items="recipients",
)


def _out(d) -> dict:
    return {
        "id": d.pk,
        "number": d.code,
        "serial": d.number,
        "kind": d.kind,
        "kind_label": str(d.get_kind_display()),
        "kind_abbr": d.kind_abbr,
        "issuer_abbr": d.issuer_abbr,
        "organisation": d.organisation.code,
        "organisation_name": d.organisation.name,
        "issued_on": d.issued_on,
        "signer": d.signer,
        "title": d.title,
        "summary": d.summary,
        "implements": d.implements_id,
        "circular": d.circular,
    }


def _file_out(f: DocumentFile) -> dict:
    return {
        "id": f.pk,
        "title": f.title,
        "name": f.name,
        "kind": f.kind,
        "size": f.size,
        "uploaded_at": f.uploaded_at,
        "url": f"/api/v1/documents/{f.document_id}/files/{f.pk}",
    }


def _full(d) -> dict:
    """One document with its own files (as its page lists them; a report's file is the
    recipient's)."""
    return {**_out(d), "files": [_file_out(f) for f in d.files.filter(recipient__isnull=True)]}


def _recipient_out(r, today: date, *, version: bool = True) -> dict:
    """`version`: with the report's version (core.editing; a file leaves it out)."""
    return {
        "id": r.pk,
        "organisation": r.organisation.code,
        "organisation_name": r.organisation.name,
        "due_on": r.due_on,
        "status": r.status,
        # As the document's page says it: the status is the recipient's report.
        "status_label": str(r.get_status_display() if r.reported_on else _("Not reported")),
        "reported_on": r.reported_on,
        "overdue": r.reported_on is None and r.due_on is not None and r.due_on < today,
        "implementing": r.implementing.code if r.implementing_id else None,
        "notes": r.notes,
        "version": RECIPIENT_REPORT.version(r) if version else None,
    }


def _org(request, code: str, field: str, action: str):
    org = org_get(actor=request.user, code=code, action=action)
    if org is None:
        raise ValidationError({field: _("No organisation with this code among yours.")})
    return org


@router.get("/documents", response=documented(list[DocumentOut]), openapi_extra=tabular(DOCUMENTS))
def documents(request, filters: Query[DocumentFilter]):
    """The documents you may read, newest first: those your organisations issued, those sent to
    them, and wide circulars sent above them. `q` finds a number read loosely ("90-kh/tu") or
    words, accents and case ignored. As a file (`format`): every document that matches, not
    only the first `limit`."""
    org = None
    if filters.org:
        org = org_get_or_404(actor=request.user, code=filters.org, action="organisations.view")
    qs = document_list(
        actor=request.user, q=filters.q, kind=filters.kind, year=filters.year, organisation=org
    )
    if filters.format != "json":
        items = (_out(d) for d in qs.iterator(chunk_size=2000))
        return table_response(DOCUMENTS, filters.format, items, schema=DocumentOut, org=org)
    return [_out(d) for d in qs[: filters.limit]]


@router.post("/documents", response=documented(DocumentOut, 201))
def document_add(request, payload: DocumentIn):
    """Record a document of an organisation you manage. Its number must be in the party's
    notation `<number>-<kind>/<issuer>` with the kind's abbreviation (NQ, CT, KH, KL, HD, QĐi,
    QĐ, BC, CV) and an issuer abbreviation that fits the organisation (TW, TU, HU/QU/TXU, ĐU,
    CB, optionally after an organ: BTG, BTC, VP, UBKT, BDV)."""
    data = payload.dict()
    organisation = _org(request, data.pop("org"), "org", "documents.manage")
    implements = None
    if data.get("implements"):
        try:
            implements = document_get(actor=request.user, pk=data["implements"])
        except Http404:
            raise ValidationError({"implements": _("Choose a document you can see.")}) from None
    d = document_create(
        actor=request.user,
        organisation=organisation,
        kind=data["kind"],
        code=data["number"],
        issued_on=data["issued_on"],
        title=data["title"],
        signer=data["signer"],
        summary=data["summary"],
        full_text=data["full_text"],
        implements=implements,
        circular=data["circular"],
    )
    return Status(201, _out(document_get(actor=request.user, pk=d.pk)))


@router.get("/documents/{document_id}", response=documented(DocumentFull))
def document(request, document_id: int = Path(..., ge=1, le=MAX_ID)):
    """One document you may read, with its files."""
    return _full(document_get(actor=request.user, pk=document_id))


@router.post("/documents/{document_id}/files", response=documented(DocumentFileOut, 201))
def attach(
    request,
    payload: Form[DocumentFileIn],
    file: File[UploadedFile],
    document_id: int = Path(..., ge=1, le=MAX_ID),
):
    """Attach a file to a document of an organisation you manage (multipart/form-data: `file`,
    `title`): its signed text or an annex as PDF or DOCX, or an image (JPEG, PNG, WebP), its
    type read from its bytes and its size checked."""
    d = document_get(actor=request.user, pk=document_id)
    if not can_manage(request.user, d):
        raise Http404
    f = file_attach(actor=request.user, document=d, upload=file, title=payload.title)
    return Status(201, _file_out(f))


@router.get(
    "/documents/{document_id}/files/{file_id}",
    response=documented(None),
    openapi_extra=FILE_DOWNLOAD,
)
def file_download(
    request,
    document_id: int = Path(..., ge=1, le=MAX_ID),
    file_id: int = Path(..., ge=1, le=MAX_ID),
):
    """A file of a document you may read, as a download under its sender's name; a report's
    file only to those who see that recipient's report."""
    f = file_get(actor=request.user, document_id=document_id, file_id=file_id)
    return download(f)


@router.post("/documents/{document_id}/recipients", response=documented(SendOut, 201))
def send(request, payload: SendIn, document_id: int = Path(..., ge=1, le=MAX_ID)):
    """Send a document you manage to organisations below its issuer: those named, and/or every
    live organisation of `children_of_kind` under `under` (e.g. every commune of a province),
    with the date its implementation report is due. Those already sent to are skipped."""
    d = document_get(actor=request.user, pk=document_id)
    orgs = [_org(request, c, "organisations", "organisations.view") for c in payload.organisations]
    under = _org(request, payload.under, "under", "organisations.view") if payload.under else None
    added = recipients_send(
        actor=request.user,
        document=d,
        organisations=orgs,
        children_of_kind=payload.children_of_kind,
        under=under,
        due_on=payload.due_on,
    )
    return Status(201, {"added": added})


@router.get(
    "/documents/{document_id}/implementation",
    response=documented(ImplementationOut),
    openapi_extra=tabular(IMPLEMENTATION),
)
def implementation(
    request,
    filters: Query[ImplementationFilter],
    document_id: int = Path(..., ge=1, le=MAX_ID),
):
    """Who has and has not reported: the counts (for the issuer's side) and the recipients you
    may see, the not-reported first; `show=overdue` lists those past their due date. As a file
    (`format`): every recipient listed (not one page), titled with the issuer."""
    d = document_get(actor=request.user, pk=document_id)
    today = timezone.localdate()
    s = implementation_summary(actor=request.user, document=d, today=today)
    rows = recipient_list(actor=request.user, document=d, today=today, show=filters.show)
    whole = filters.format != "json"
    page = rows if whole else rows[filters.offset : filters.offset + filters.limit]
    found = {
        "document": _out(d),
        "summary": None
        if s is None
        else {
            "total": s.total,
            "reported": s.reported,
            "not_reported": s.not_reported,
            "overdue": s.overdue,
            "by_status": s.by_status,
            "as_of": today,
        },
        "recipients": [_recipient_out(r, today, version=not whole) for r in page],
    }
    if whole:
        return table_response(
            IMPLEMENTATION,
            filters.format,
            found,
            schema=ImplementationOut,
            org=d.organisation,
        )
    return found


@router.post("/documents/{document_id}/implementation", response=edit_responses(RecipientOut))
def report(request, payload: ReportIn, document_id: int = Path(..., ge=1, le=MAX_ID)):
    """Report how a recipient organisation carries the document out: its status, progress
    notes and the recipient's own implementing document; again, over the report before
    (`version`: the recipient's, as read from GET /documents/{id}/implementation)."""
    d = document_get(actor=request.user, pk=document_id)
    org = _org(request, payload.org, "org", "documents.report")
    r = Recipient.objects.filter(document=d, organisation=org).first()
    if r is None:
        raise ValidationError({"org": _("This document was not sent to this organisation.")})
    implementing = None
    if payload.implementing:
        try:
            implementing = document_get(actor=request.user, pk=payload.implementing)
        except Http404:
            raise ValidationError({"implementing": _("Choose a document you can see.")}) from None
    r = implementation_report(
        actor=request.user,
        recipient=r,
        status=payload.status,
        notes=payload.notes,
        implementing=implementing,
        on=payload.on,
        version=payload.version,
    )
    r = recipient_list(actor=request.user, document=d, today=timezone.localdate()).get(pk=r.pk)
    return _recipient_out(r, timezone.localdate())
