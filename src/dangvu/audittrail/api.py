"""API v1, the audit trail: the records of your subtrees with the filters of the page (GET
/audit, as JSON in keyset pages or the whole search as XLSX or CSV), and a member's own list of
who viewed or exported their personal particulars (GET /me/views).

Neither carries a personal particular's value: a change of a member's ethnicity reads
"(hidden)" here, as in every file (decision 0026); the page shows it where your view covers
the member."""

from datetime import datetime

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from dangvu.accounts.scoping import holds_anywhere
from dangvu.audit.models import AuditRecord
from dangvu.audittrail.choices import Kind, ObjectType
from dangvu.audittrail.display import entries_for, field_labels, filters_of, via_label
from dangvu.audittrail.selectors import ACTION, audit_list, audit_page, views_of_me
from dangvu.core.apischema import MAX_ID, Day, codes, documented
from dangvu.core.errors import ValidationError
from dangvu.core.tables import Column, TableSpec, Tabular, table_response, tabular
from dangvu.organisations.selectors import org_get_or_404

__all__ = ["router"]

router = Router(tags=["audit"])


class AuditFilter(Tabular):
    org: str | None = Field(None, max_length=40, description="Records of this subtree")
    who: str = Field("", max_length=150, description="Who acted: a user name, or words of a name")
    actor: int | None = Field(None, ge=1, le=MAX_ID, description="Who acted: a user's id")
    object_type: codes(ObjectType, "") = Field("", description="What the records are about")
    object_id: str = Field("", max_length=40, description="One object (with object_type)")
    action: str = Field(
        "", max_length=60, description='An action code, or a prefix ending in "." (member.event.)'
    )
    date_from: Day | None = Field(None, description="From this day (included)")
    date_to: Day | None = Field(None, description="To this day (included)")
    kind: codes(Kind, "") = Field("", description="changes, reads (views and exports), or both")
    before: int | None = Field(
        None, ge=1, le=MAX_ID, description="Keyset page: the last id of the previous page"
    )
    limit: int = Field(50, ge=1, le=500)


class ChangeOut(Schema):
    field: str = Field(description="The field's label")
    before: str
    after: str


class AuditOut(Schema):
    id: int
    time: datetime
    actor_id: int | None = Field(description="The user who acted (none: Dangvu itself)")
    actor_name: str = Field(description="Their full name")
    actor_role: str = Field(description="Their role and organisation")
    action: str = Field(description="The action's code")
    action_label: str
    object_type: str = Field(description="What the record is about (ObjectType, or older codes)")
    object_type_label: str
    object_id: str
    object: str = Field(description="The object as it was named then")
    changes: list[ChangeOut] = Field(description="The fields that changed, in words")
    summary: str = Field(description="The changes in one line: field: before → after; …")


class ViewOfMeOut(Schema):
    id: int
    time: datetime
    kind: codes(("view", "export")) = Field(description="A view of your record, or an export")
    what: str = Field(description="The kind in words")
    via: str = Field(description="page, list, edit, api, audit, cli (views); web, api (exports)")
    via_label: str
    viewer: str = Field(description="The full name of who viewed (empty: none on their account)")
    viewer_role: str = Field(description="Their role and organisation")
    fields: list[str] = Field(description="The particulars shown, by their labels")
    organisation: str = Field(description="An export: the organisation whose list it was")
    rows: int | None = Field(description="An export: how many members it held")
    reason: str = Field(description="An export: the reason given")


AUDIT = TableSpec(
    "audit",
    "Nhật ký thay đổi",
    (
        Column("Thời gian", "datetime", 17, key="time"),
        Column("Người thực hiện", key="actor_name", width=24),
        Column("Vai trò, tổ chức", key="actor_role", width=30),
        Column("Thao tác", key="action_label", width=30),
        Column("Loại đối tượng", key="object_type_label", width=18),
        Column("Đối tượng", key="object", width=30),
        Column("Mã đối tượng", key="object_id", width=12),
        Column("Nội dung thay đổi", key="summary", width=60),
    ),
)


VIEWS_OF_ME = TableSpec(
    "ai-da-xem",
    "Những lần thông tin cá nhân của bạn được xem hoặc xuất",
    (
        Column("Thời gian", "datetime", 17, key="time"),
        Column("Người xem", key="viewer", width=24),
        Column("Vai trò, tổ chức", key="viewer_role", width=30),
        Column("Việc đã làm", key="what", width=30),
        Column("Ở đâu", key="via_label", width=24),
        Column("Thông tin đã xem", key="fields", width=40),
        Column("Danh sách của tổ chức", key="organisation", width=28),
        Column("Số đảng viên trong danh sách", "int", 12, key="rows"),
        Column("Lý do", key="reason", width=40),
    ),
)


def _out(e) -> dict:
    r: AuditRecord = e.record
    return {
        "id": r.pk,
        "time": r.time,
        "actor_id": r.actor_id,
        "actor_name": e.who,
        "actor_role": e.role,
        "action": r.action,
        "action_label": e.what,
        "object_type": r.object_type,
        "object_type_label": e.object_label,
        "object_id": r.object_id,
        "object": r.object_repr,
        "changes": [{"field": f, "before": b, "after": a} for f, b, a in e.changes],
        "summary": "; ".join(f"{f}: {b} → {a}" for f, b, a in e.changes),
    }


def _chunks(actor, records, size: int = 500):
    """Every record of the search as JSON items, `size` at a time (one query per reference kind
    per chunk, whatever the number of records)."""
    chunk = []
    for r in records.iterator(chunk_size=size):
        chunk.append(r)
        if len(chunk) == size:
            yield from (_out(e) for e in entries_for(actor, chunk, release=False))
            chunk = []
    if chunk:
        yield from (_out(e) for e in entries_for(actor, chunk, release=False))


@router.get("/audit", response=documented(list[AuditOut]), openapi_extra=tabular(AUDIT))
def audit(request, filters: Query[AuditFilter]):
    """The audit records of the organisations where you hold `audit.view` (their subtrees, as
    the records were written), newest first: who did what, when, to which object, with the
    fields that changed before and after (personal particulars hidden). Keyset pages: `before`
    = the last id of the previous page. 404 without `audit.view`, or for an organisation
    outside your scope."""
    if not holds_anywhere(request.user, ACTION):
        raise Http404
    org = None
    if filters.org:
        org = org_get_or_404(actor=request.user, code=filters.org, action=ACTION)
    if filters.object_id and not filters.object_type:
        raise ValidationError({"object_type": _("Choose what the record is about.")})
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        raise ValidationError({"date_to": _("The end comes before the start.")})
    data = filters.dict()
    data["org"] = org
    records = audit_list(actor=request.user, filters=filters_of(data))
    if filters.format != "json":
        return table_response(
            AUDIT, filters.format, _chunks(request.user, records), schema=AuditOut, org=org
        )
    page, _next = audit_page(records, before=filters.before, size=filters.limit)
    return [_out(e) for e in entries_for(request.user, page, release=False)]


@router.get(
    "/me/views",
    response=documented(list[ViewOfMeOut]),
    # Its files are the JSON's rows, as every table's; the table test's organisation titles do
    # not apply to one person's list (testing/tests/test_tables.py NOT_TABLES; its own test:
    # audittrail/tests/test_api.py).
    openapi_extra={"responses": tabular(VIEWS_OF_ME)["responses"]},
)
def views_of_my_particulars(request, filters: Query[Tabular]):
    """Who viewed or exported your personal particulars (your own member record only): each
    view of your record, each list of members that showed you, each export with particulars of
    an organisation that held you that day; newest first, the latest 200, your own views left
    out. Empty when your sign-in has no member record. As a file (`format`): the same rows."""
    items = [
        {
            **item.__dict__,
            "viewer": item.who,
            "viewer_role": item.role,
            "what": _("Exported a list of members") if item.kind == "export" else _("Viewed"),
            "via_label": via_label(item.via),
            "fields": field_labels(item.fields),
        }
        for item in views_of_me(user=request.user)
    ]
    if filters.format != "json":
        return table_response(VIEWS_OF_ME, filters.format, items, schema=ViewOfMeOut)
    return items
