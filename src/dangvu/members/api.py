"""API v1, members: the records in the caller's scope, with their events; putting a member on
the records and recording events. The record's fields come from members.fields (the same
declaration as the forms and the services); sensitive fields are left out of the answer where
the caller's role does not show them (accounts.scoping.release_sensitive)."""

from datetime import date, datetime

from django.http import Http404
from ninja import Path, Query, Router, Schema, Status
from pydantic import ConfigDict, Field, create_model

from dangvu.accounts.scoping import allows, release_sensitive, sensitive_allowed
from dangvu.core.apischema import MAX_ID, Day, codes, documented
from dangvu.core.editing import VersionField, edit_responses
from dangvu.core.errors import ValidationError
from dangvu.core.registry import org_bound
from dangvu.core.tables import Column, TableSpec, Tabular, table_response, tabular
from dangvu.members.choices import EventType
from dangvu.members.choices import Status as MemberStatus
from dangvu.members.fields import (
    DATED_FIELDS,
    EVENT_DATES,
    MEMBER_FIELDS,
    record_field,
    schema_fields,
)
from dangvu.members.models import AttributeChange, Member, MembershipEvent, Position, Transfer
from dangvu.members.selectors import (
    attribute_changes,
    event_get,
    member_events,
    member_get,
    member_list,
    members_after,
    positions_of,
    transfer_get,
    transfers_pending,
)
from dangvu.members.services import (
    MEMBER_RECORD,
    member_attribute_change,
    member_create,
    member_event_record,
    member_update,
    position_assign,
    transfer_close,
    transfer_receive,
    transfer_send,
)
from dangvu.organisations.selectors import org_get, org_get_or_404, transfer_destination

__all__ = ["router"]

router = Router(tags=["members"])

# --- schemas ----------------------------------------------------------------------------------

_STATE = {
    "id": (int, ...),
    "organisation": (str, ...),
    "organisation_name": (str, ...),
    "status": (MemberStatus, ...),
    "exempted": (bool, ...),
    "temporary_organisation": (str | None, None),
}
MemberOut = create_model(
    "MemberOut",
    __base__=Schema,
    __doc__="A member's record and state. Sensitive fields (ethnicity, religion, identity "
    "number, birth date, phone) are present only where your role shows them.",
    **_STATE,
    **schema_fields(optional=True),
)


class EventOut(Schema):
    id: int
    seq: int
    type: EventType
    date: date
    organisation: str
    from_organisation: str | None
    status_before: str
    status_after: str
    decision_number: str
    decision_date: date | None
    issuer: str
    note: str
    corrects: int | None


MemberDetailOut = create_model(
    "MemberDetailOut",
    __base__=MemberOut,
    events=(list[EventOut], ...),
    version=(str, Field(..., description="The record as read now: send it with an edit")),
)


class _Closed(Schema):
    """A body whose unknown fields are refused (422 naming them), not ignored: a field left
    out on purpose (a dated attribute) must not seem to have been saved."""

    model_config = ConfigDict(extra="forbid")


MemberChangeIn = create_model(
    "MemberChangeIn",
    __base__=_Closed,
    __doc__="Fields of a member's record to correct or complete (only those given change). "
    "Dates that events set, and the dated attributes (education, qualifications, "
    "occupation…: POST /members/{id}/attributes), are not changed here.",
    **{
        name: (kind | None, Field(None, description=info.description))
        for name, (kind, info) in schema_fields(omit=EVENT_DATES + DATED_FIELDS).items()
    },
    version=(str | None, VersionField()),
)

MemberIn = create_model(
    "MemberIn",
    __base__=Schema,
    __doc__="A member put on the records: admitted into a party cell (and recognised when an "
    "official date is given), or transferred in from outside Dangvu on `entry_date`.",
    **schema_fields(),
    organisation=(str, Field(..., max_length=40, description="The party cell's code")),
    entry=(
        codes((EventType.ADMITTED, EventType.TRANSFERRED_IN)),
        Field(EventType.ADMITTED, description="Admitted here, or transferred in from outside"),
    ),
    entry_date=(Day | None, None),
    decision_number=(str, Field("", max_length=60)),
    decision_date=(Day | None, None),
    issuer=(str, Field("", max_length=255)),
)


class EventIn(Schema):
    type: codes(EventType) = Field(..., description="What happened (see the README)")
    date: Day
    organisation: str | None = Field(None, max_length=40, description="The receiving cell")
    decision_number: str = Field("", max_length=60)
    decision_date: Day | None = None
    issuer: str = Field("", max_length=255)
    note: str = Field("", max_length=2000)
    other_party: str = Field(
        "", max_length=255, description="transferred_out: where to, outside Dangvu"
    )
    corrects: int | None = Field(None, ge=1, le=MAX_ID, description="The event to reverse")


class AttributeChangeIn(Schema):
    field: str = Field(
        ...,
        max_length=30,
        description=" | ".join(DATED_FIELDS),
    )
    value: str = Field(..., max_length=60, description="A code of the field's list, or its name")
    kind: codes((AttributeChange.Kind.CHANGE, AttributeChange.Kind.CORRECTION)) = Field(
        ...,
        description="change: holds from valid_from on (a course completed, a new job); "
        "correction: the value was wrong (from the start with from_start, else the value in "
        "force since the latest change)",
    )
    valid_from: Day | None = Field(None, description="change: the day it holds from")
    from_start: bool = False
    version: str | None = VersionField()
    source: str = Field("", max_length=60, description="The diploma or decision")
    note: str = Field("", max_length=2000)


class AttributeChangeOut(Schema):
    id: int
    member_name: str
    field: str
    field_label: str
    value: str
    value_label: str
    kind: codes(AttributeChange.Kind)
    kind_label: str
    valid_from: date | None = Field(description="Empty: from the start of the record")
    source: str
    note: str
    recorded_at: datetime


class MemberFilter(Schema):
    org: str | None = Field(None, max_length=40, description="Members of this subtree")
    q: str = Field("", max_length=200, description="Words of the name, or a card number")
    status: codes(MemberStatus, "active", "") = Field(
        "", description="active: everyone in the party; or one status"
    )
    after: int | None = Field(None, ge=1, le=MAX_ID, description="Last id of the previous page")
    limit: int = Field(50, ge=1, le=500)


# --- answers ----------------------------------------------------------------------------------


def _member_out(m: Member, shown: set, sensitive: tuple[str, ...]) -> dict:
    visible = m.pk in shown
    out = {name: getattr(m, name) for name in MEMBER_FIELDS if visible or name not in sensitive}
    out.update(
        id=m.pk,
        organisation=m.organisation.code,
        organisation_name=m.organisation.name,
        status=m.status,
        exempted=m.exempted,
        temporary_organisation=m.temp_organisation.code if m.temp_organisation_id else None,
    )
    return out


def _event_out(ev: MembershipEvent) -> dict:
    return {
        "id": ev.pk,
        "seq": ev.seq,
        "type": ev.type,
        "date": ev.date,
        "organisation": ev.organisation.code,
        "from_organisation": ev.from_organisation.code if ev.from_organisation_id else None,
        "status_before": ev.status_before,
        "status_after": ev.status_after,
        "decision_number": ev.decision_number,
        "decision_date": ev.decision_date,
        "issuer": ev.issuer,
        "note": ev.note,
        "corrects": ev.corrects_id,
    }


def _sensitive_fields() -> tuple[str, ...]:
    return org_bound(Member).sensitive_fields


def _detail(request, m: Member) -> dict:
    shown = release_sensitive(request.user, [m], via="api")
    return {
        **_member_out(m, shown, _sensitive_fields()),
        "events": [_event_out(e) for e in member_events(m)],
        "version": MEMBER_RECORD.version(m),
    }


def _attribute_out(c: AttributeChange, member: Member) -> dict:
    f = record_field(c.field)
    return {
        "id": c.pk,
        "member_name": member.full_name,
        "field": c.field,
        "field_label": str(f.label),
        "value": c.value,
        "value_label": f.label_of(c.value),
        "kind": c.kind,
        "kind_label": str(c.get_kind_display()),
        "valid_from": c.valid_from,
        "source": c.source,
        "note": c.note,
        "recorded_at": c.recorded_at,
    }


# --- endpoints --------------------------------------------------------------------------------


@router.get("/members", response=documented(list[MemberOut]), exclude_unset=True)
def members(request, filters: Query[MemberFilter]):
    """Members in your scope, by cell (tree order) then name; with `q` (words of the name in
    any order, accents ignored, or a card number; a 12-digit identity number where your role
    shows identity numbers) the first 100 matches, by name. Keyset pages: `after` = the last id
    of the previous page."""
    org = None
    if filters.org:
        org = org_get_or_404(actor=request.user, code=filters.org, action="members.view")
    qs = member_list(actor=request.user, org=org, q=filters.q, status=filters.status)
    qs = qs.select_related("organisation", "temp_organisation")
    page = list(members_after(qs, filters.after)[: filters.limit])
    shown = release_sensitive(request.user, page, via="api")
    sensitive = _sensitive_fields()
    return [_member_out(m, shown, sensitive) for m in page]


@router.get("/members/{member_id}", response=documented(MemberDetailOut), exclude_unset=True)
def member(request, member_id: int = Path(..., ge=1, le=MAX_ID)):
    """A member with their event history."""
    return _detail(request, member_get(actor=request.user, pk=member_id))


@router.post(
    "/members/{member_id}/record", response=edit_responses(MemberDetailOut), exclude_unset=True
)
def member_correct(request, payload: MemberChangeIn, member_id: int = Path(..., ge=1, le=MAX_ID)):
    """Correct or complete a member's record (the member page's "Edit"), with the same rules:
    only the fields given change; a value that would change a dated attribute is refused
    (record it as a change or a correction, /attributes). Needs the record's sensitive fields
    in your scope, as the page does (the record is shown whole)."""
    m = member_get(actor=request.user, pk=member_id, action="members.manage")
    if not sensitive_allowed(request.user, m):
        raise Http404
    data = payload.dict(exclude_unset=True)
    version = data.pop("version", None)
    member_update(actor=request.user, member=m, data=data, version=version)
    return _detail(request, member_get(actor=request.user, pk=m.pk))


@router.post("/members", response=documented(MemberDetailOut, 201), exclude_unset=True)
def member_add(request, payload: MemberIn):
    """Put a member on the records in a party cell you manage."""
    data = payload.dict()
    extra = {k: data.pop(k) for k in ("entry", "entry_date", "decision_number", "decision_date")}
    extra["issuer"] = data.pop("issuer")
    code = data.pop("organisation")
    org = org_get(actor=request.user, code=code, action="members.manage")
    if org is None:
        raise ValidationError({"organisation": "No party cell with this code among yours."})
    m = member_create(actor=request.user, data=data, organisation=org, **extra)
    m = member_get(actor=request.user, pk=m.pk)
    return Status(201, _detail(request, m))


@router.post("/members/{member_id}/events", response=documented(EventOut, 201))
def member_event_add(request, payload: EventIn, member_id: int = Path(..., ge=1, le=MAX_ID)):
    """Record an event: `type` is one of recognised, transferred (with `organisation`, a cell
    you can see), temporary_transfer, temporary_return, exempted, exemption_ended, died,
    struck_off, expelled, left, restored, correction (with `corrects` = the event id)."""
    m = member_get(actor=request.user, pk=member_id, action="members.manage")
    corrects = None
    if payload.corrects is not None:
        corrects = event_get(member=m, pk=payload.corrects)
        if corrects is None:
            raise ValidationError({"corrects": f"Member {m.pk} has no event {payload.corrects}."})
    receiving = None
    if payload.organisation:
        # A cell the caller cannot see does not exist for them, whether or not it does.
        receiving = org_get(actor=request.user, code=payload.organisation)
        if receiving is None:
            raise ValidationError({"organisation": "No organisation with this code among yours."})
        if not allows(request.user, "members.manage", receiving):
            raise ValidationError(
                {
                    "organisation": "This cell belongs to another committee: send a transfer "
                    "(POST /api/v1/transfers); that side receives the member."
                }
            )
    ev = member_event_record(
        actor=request.user,
        member=m,
        type=payload.type,
        date=payload.date,
        organisation=receiving,
        decision_number=payload.decision_number,
        decision_date=payload.decision_date,
        issuer=payload.issuer,
        note=payload.note,
        other_party=payload.other_party,
        corrects=corrects,
    )
    return Status(201, _event_out(event_get(member=m, pk=ev.pk)))


ATTRIBUTES = TableSpec(
    "attributes",
    "Quá trình thay đổi trình độ, nghề nghiệp của đảng viên",
    (
        Column("Họ và tên", key="member_name", width=28),
        Column("Thông tin", key="field_label", width=28),
        Column("Giá trị", key="value_label", width=34),
        Column("Loại ghi nhận", key="kind_label", width=26),
        Column("Có hiệu lực từ ngày", "date", 14, key="valid_from"),
        Column("Văn bằng, quyết định", key="source", width=26),
        Column("Ghi chú", key="note", width=30),
        Column("Thời điểm ghi nhận", "datetime", 17, key="recorded_at"),
    ),
)


@router.get(
    "/members/{member_id}/attributes",
    response=documented(list[AttributeChangeOut]),
    openapi_extra=tabular(ATTRIBUTES),
)
def member_attributes(
    request, filters: Query[Tabular], member_id: int = Path(..., ge=1, le=MAX_ID)
):
    """The history of a member's dated attributes (general education, professional level,
    political theory, occupation, academic title and the particulars the forms count), in the
    order recorded. Empty: the record's values have held since the start. The file is titled
    with the member's cell; a sensitive field is never dated, and would be left out of it."""
    m = member_get(actor=request.user, pk=member_id)
    rows = [_attribute_out(c, m) for c in attribute_changes(m)]
    if filters.format != "json":
        sensitive = _sensitive_fields()
        rows = [r for r in rows if r["field"] not in sensitive]
        return table_response(
            ATTRIBUTES, filters.format, rows, schema=AttributeChangeOut, org=m.organisation
        )
    return rows


@router.post("/members/{member_id}/attributes", response=edit_responses(AttributeChangeOut, 201))
def member_attribute_add(
    request, payload: AttributeChangeIn, member_id: int = Path(..., ge=1, le=MAX_ID)
):
    """Record a change of a dated attribute (from `valid_from` on: reports as of earlier days
    keep the old value) or a correction (`from_start`: every report changes; otherwise the value
    in force since the latest change). The record's own edit refuses these fields. `version`:
    the member's (GET /members/{id}); only this field's value is compared."""
    m = member_get(actor=request.user, pk=member_id, action="members.manage")
    change = member_attribute_change(actor=request.user, member=m, **payload.dict())
    return Status(201, _attribute_out(change, m))


# --- transfers between committees ---------------------------------------------------------------


class TransferIn(Schema):
    member: int = Field(..., ge=1, le=MAX_ID)
    to: str = Field(..., max_length=40, description="The receiving cell's code")
    date: Day
    decision_number: str = Field("", max_length=60, description="The transfer letter's number")
    note: str = Field("", max_length=2000)


class TransferOut(Schema):
    id: int
    member: int
    member_name: str
    from_organisation: str
    from_organisation_name: str
    to_organisation: str
    to_organisation_name: str
    state: codes(Transfer.State) = Field(description="sent: in transit")
    state_label: str
    sent_on: date
    decision_number: str
    closed_on: date | None
    reason: str
    age_days: int | None = None
    overdue: bool | None = Field(None, description="Over the 30 days to present the letter")


class ReceiveIn(Schema):
    date: Day
    note: str = Field("", max_length=2000)


class CloseIn(Schema):
    reason: str = Field(..., max_length=2000)


TRANSFERS_SHOWN = 500  # the JSON's bound: the oldest


class TransferFilter(Tabular):
    direction: str = Field("in", pattern="^(in|out)$", description="in: to receive; out: sent")
    org: str = Field(
        "", max_length=40, description="in: sent to cells of this subtree; out: sent from them"
    )


TRANSFERS = TableSpec(
    "transfers",
    "Đảng viên chuyển sinh hoạt đảng chưa tiếp nhận",
    (
        Column("Họ và tên", key="member_name", width=28),
        Column("Mã chi bộ chuyển đi", key="from_organisation", width=16),
        Column("Chi bộ chuyển đi", key="from_organisation_name", width=30),
        Column("Mã chi bộ chuyển đến", key="to_organisation", width=16),
        Column("Chi bộ chuyển đến", key="to_organisation_name", width=30),
        Column("Ngày chuyển", "date", 12, key="sent_on"),
        Column("Số giấy giới thiệu", key="decision_number", width=18),
        Column("Số ngày", "int", 8, key="age_days"),
        Column("Quá hạn", key="overdue", width=10),
    ),
)


def _transfer_out(t: Transfer, age: int | None = None, overdue: bool | None = None) -> dict:
    return {
        "id": t.pk,
        "member": t.member_id,
        "member_name": t.member.full_name,
        "from_organisation": t.organisation.code,
        "from_organisation_name": t.organisation.name,
        "to_organisation": t.to_organisation.code,
        "to_organisation_name": t.to_organisation.name,
        "state": t.state,
        "state_label": str(t.get_state_display()),
        "sent_on": t.sent_on,
        "decision_number": t.decision_number,
        "closed_on": t.closed_on,
        "reason": t.reason,
        "age_days": age,
        "overdue": overdue,
    }


@router.get("/transfers", response=documented(list[TransferOut]), openapi_extra=tabular(TRANSFERS))
def transfers(request, filters: Query[TransferFilter]):
    """Transfers in transit: `in` those addressed to cells in your scope (to receive), `out`
    those sent from cells in your scope; oldest first, with their age; `org`: those to (in) or
    from (out) the cells of its subtree. JSON: the oldest 500; a file (`format`): every one."""
    org = org_get_or_404(actor=request.user, code=filters.org) if filters.org else None
    whole = filters.format != "json"
    rows = transfers_pending(
        request.user, filters.direction, org=org, limit=None if whole else TRANSFERS_SHOWN
    )
    items = (_transfer_out(r["transfer"], r["age"], r["overdue"]) for r in rows)
    if whole:
        return table_response(TRANSFERS, filters.format, items, schema=TransferOut, org=org)
    return list(items)


@router.post("/transfers", response=documented(TransferOut, 201))
def transfer_add(request, payload: TransferIn):
    """Send a member to a cell of another committee (the sending side's act). The member stays
    counted in their cell until the receiving side receives them."""
    m = member_get(actor=request.user, pk=payload.member, action="members.manage")
    # Any active cell in Dangvu, by its code: the receiving side acts in its own scope.
    to = org_get(actor=request.user, code=payload.to) or transfer_destination(payload.to)
    if to is None:
        raise ValidationError({"to": "No active party cell with this code."})
    t = transfer_send(
        actor=request.user,
        member=m,
        to=to,
        on=payload.date,
        decision_number=payload.decision_number,
        note=payload.note,
    )
    return Status(201, _transfer_out(t))


@router.post("/transfers/{transfer_id}/receive", response=documented(TransferOut))
def transfer_receive_api(
    request, payload: ReceiveIn, transfer_id: int = Path(..., ge=1, le=MAX_ID)
):
    """Receive a member sent to a cell you manage (the receiving side's act): they move on
    `date`, in both sides' counters and forms."""
    t = transfer_get(actor=request.user, pk=transfer_id, side="receiving")
    t = transfer_receive(actor=request.user, transfer=t, on=payload.date, note=payload.note)
    return _transfer_out(t)


@router.post("/transfers/{transfer_id}/refuse", response=documented(TransferOut))
def transfer_refuse_api(request, payload: CloseIn, transfer_id: int = Path(..., ge=1, le=MAX_ID)):
    """Refuse a member sent to a cell you manage, saying why."""
    t = transfer_get(actor=request.user, pk=transfer_id, side="receiving")
    return _transfer_out(
        transfer_close(actor=request.user, transfer=t, state="refused", reason=payload.reason)
    )


@router.post("/transfers/{transfer_id}/withdraw", response=documented(TransferOut))
def transfer_withdraw_api(request, payload: CloseIn, transfer_id: int = Path(..., ge=1, le=MAX_ID)):
    """Withdraw a transfer you sent, before it is received, saying why."""
    t = transfer_get(actor=request.user, pk=transfer_id, side="sending")
    return _transfer_out(
        transfer_close(actor=request.user, transfer=t, state="withdrawn", reason=payload.reason)
    )


# --- positions ------------------------------------------------------------------------------


class PositionIn(Schema):
    org: str = Field(..., max_length=40, description="The organisation's code")
    kind: codes(Position.Kind) = Field(..., description="The position")
    valid_from: Day
    member: int | None = Field(None, ge=1, le=MAX_ID, description="The member's id")
    person_name: str = Field("", max_length=150, description="Someone outside the party")
    decision_number: str = Field("", max_length=60)


class PositionFilter(Tabular):
    org: str = Field(..., max_length=40, description="The organisation's code")
    current: bool = Field(True, description="false: every holder, with their dates")


POSITIONS = TableSpec(
    "positions",
    "Danh sách chức vụ trong tổ chức đảng",
    (
        Column("Chức vụ", key="kind_label", width=34),
        Column("Họ và tên", key="person_name", width=28),
        Column("Từ ngày", "date", 12, key="valid_from"),
        Column("Đến ngày", "date", 12, key="valid_to"),
        Column("Số quyết định", key="decision_number", width=18),
    ),
)


class PositionOut(Schema):
    id: int
    organisation: str
    kind: codes(Position.Kind)
    kind_label: str
    member: int | None
    person_name: str
    valid_from: date
    valid_to: date | None
    decision_number: str


def _position_out(p) -> dict:
    return {
        "id": p.pk,
        "organisation": p.organisation.code,
        "kind": p.kind,
        "kind_label": str(p.get_kind_display()),
        "member": p.member_id,
        "person_name": p.person_name,
        "valid_from": p.valid_from,
        "valid_to": p.valid_to,
        "decision_number": p.decision_number,
    }


@router.get("/positions", response=documented(list[PositionOut]), openapi_extra=tabular(POSITIONS))
def positions(request, filters: Query[PositionFilter]):
    """Who holds which position in an organisation (the current holders, or all with
    `current=false`): secretary, deputy, committee and standing-committee members; for a
    village's cell the village head and the heads of the mass organisations."""
    o = org_get_or_404(actor=request.user, code=filters.org)
    held = positions_of(actor=request.user, org=o, current=filters.current)
    rows = [_position_out(p) for p in held]
    if filters.format != "json":
        return table_response(POSITIONS, filters.format, rows, schema=PositionOut, org=o)
    return rows


@router.post("/positions", response=documented(PositionOut, 201))
def position_add(request, payload: PositionIn):
    """Record that someone takes a position from `valid_from` (a single-seat position passes
    from its previous holder that day)."""
    o = org_get(actor=request.user, code=payload.org, action="members.manage")
    if o is None:
        raise ValidationError({"org": "No organisation with this code among yours."})
    m = None
    if payload.member is not None:
        m = Member.objects.filter(pk=payload.member).first()
        if m is None or not allows(request.user, "members.view", m):
            raise ValidationError({"member": f"No member {payload.member} among yours."})
    p = position_assign(
        actor=request.user,
        organisation=o,
        kind=payload.kind,
        valid_from=payload.valid_from,
        member=m,
        person_name=payload.person_name,
        decision_number=payload.decision_number,
    )
    return Status(201, _position_out(p))
