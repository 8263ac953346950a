"""API v1: the NinjaAPI instance, bearer-token auth, error mapping, and the endpoints of the
foundation (organisations, members, membership reports). Thin: parse, call a selector or a
service, shape the answer."""

from datetime import date

from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI, Query, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from dangvu.accounts.models import RoleGrant
from dangvu.accounts.scoping import can
from dangvu.accounts.services import token_authenticate
from dangvu.audit.services import AuditEntry, audit_record
from dangvu.core.errors import ValidationError, field_errors
from dangvu.members.choices import EventType
from dangvu.members.models import Member, MembershipEvent
from dangvu.members.selectors import member_events, member_get, member_list, members_after
from dangvu.members.services import member_create, member_event_record
from dangvu.organisations.models import Organisation
from dangvu.organisations.selectors import org_get, org_list, org_receiving
from dangvu.reports.selectors import membership_report, period_report

__all__ = ["api"]


class BearerAuth(HttpBearer):
    def authenticate(self, request, token):
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Dangvu API",
    version="1",
    description="Party organisations, members and statistics. Authenticate with "
    "`Authorization: Bearer <token>` (create one with `dangvu token create USERNAME`).",
    auth=BearerAuth(),
    urls_namespace="api",
)


def _error_body(errors: dict[str, list[str]], where: str = "body") -> dict:
    return {
        "detail": [
            {"loc": [where, field], "msg": msg, "type": "value_error"}
            for field, msgs in errors.items()
            for msg in msgs
        ],
        "errors": errors,
    }


@api.exception_handler(ValidationError)
def _validation_error(request, exc):
    where = "query" if request.method == "GET" else "body"
    return api.create_response(request, _error_body(field_errors(exc), where), status=422)


@api.exception_handler(NinjaValidationError)
def _schema_error(request, exc):
    errors: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "payload", "query")]
        errors.setdefault(".".join(loc) or "__all__", []).append(err.get("msg", "invalid"))
    return api.create_response(request, _error_body(errors), status=422)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": "Not found"}, status=404)


# --- schemas ----------------------------------------------------------------------------------


class GrantOut(Schema):
    role: str
    organisation: str
    organisation_name: str
    include_descendants: bool


class MeOut(Schema):
    username: str
    full_name: str
    member_id: int | None
    grants: list[GrantOut]


class OrgOut(Schema):
    code: str
    name: str
    kind: str
    grassroots_type: str
    parent: str | None
    depth: int
    place_name: str
    place_code: str
    valid_from: date
    valid_to: date | None


class MemberOut(Schema):
    id: int
    full_name: str
    birth_date: date
    gender: str
    ethnicity: str
    religion: str
    hometown: str
    education: str
    professional_level: str
    theory_level: str
    occupation: str
    party_card_number: str | None
    identity_number: str | None
    admission_date: date | None
    ceremony_date: date | None
    official_date: date | None
    organisation: str
    organisation_name: str
    status: str
    exempted: bool
    temporary_organisation: str | None


class EventOut(Schema):
    id: int
    seq: int
    type: str
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


class MemberDetailOut(MemberOut):
    events: list[EventOut]


class MemberIn(Schema):
    full_name: str
    birth_date: date
    gender: str
    ethnicity: str
    religion: str = "00"
    hometown: str = ""
    identity_number: str | None = None
    phone: str = ""
    education: str
    professional_level: str = "none"
    theory_level: str = "none"
    occupation: str
    party_card_number: str | None = None
    admission_date: date
    ceremony_date: date | None = None
    official_date: date | None = None
    organisation: str
    entry: str = EventType.ADMITTED
    entry_date: date | None = None
    decision_number: str = ""
    decision_date: date | None = None
    issuer: str = ""


class EventIn(Schema):
    type: str
    date: date
    organisation: str | None = None
    decision_number: str = ""
    decision_date: date | None = None
    issuer: str = ""
    note: str = ""
    corrects: int | None = None


class MemberFilter(Schema):
    org: str | None = None
    q: str = ""
    status: str = ""
    after: int | None = None
    limit: int = 50


# --- helpers ----------------------------------------------------------------------------------


def _org_out(org: Organisation) -> dict:
    parent_code = None
    if org.depth > 1:
        parent_code = (
            Organisation.objects.filter(path=org.path[: -org.steplen])
            .values_list("code", flat=True)
            .first()
        )
    return {
        "code": org.code,
        "name": org.name,
        "kind": org.kind,
        "grassroots_type": org.grassroots_type,
        "parent": parent_code,
        "depth": org.depth,
        "place_name": org.place_name,
        "place_code": org.place_code,
        "valid_from": org.valid_from,
        "valid_to": org.valid_to,
    }


def _member_out(m: Member) -> dict:
    return {
        **{
            f: getattr(m, f)
            for f in (
                "id",
                "full_name",
                "birth_date",
                "gender",
                "ethnicity",
                "religion",
                "hometown",
                "education",
                "professional_level",
                "theory_level",
                "occupation",
                "party_card_number",
                "identity_number",
                "admission_date",
                "ceremony_date",
                "official_date",
                "status",
                "exempted",
            )
        },
        "organisation": m.organisation.code,
        "organisation_name": m.organisation.name,
        "temporary_organisation": m.temp_organisation.code if m.temp_organisation_id else None,
    }


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


def _visible_org(request, code: str, action: str = "organisations.view") -> Organisation:
    org = org_get(actor=request.user, code=code, action=action)
    if org is None:
        raise Http404
    return org


def _visible_member(request, member_id: int) -> Member:
    member = member_get(actor=request.user, pk=member_id)
    if member is None:
        raise Http404
    return member


def _require(request, action: str) -> None:
    if not can(request.user, action):
        raise HttpError(403, "Your role does not allow this.")


def _target_cell(request, code: str | None, field_name: str) -> Organisation | None:
    """A receiving cell: any existing organisation may receive a member, visible or not — but
    an unknown code is an error naming the field."""
    if not code:
        return None
    org = org_receiving(code)
    if org is None:
        raise ValidationError({field_name: f"No organisation with code {code}."})
    return org


# --- endpoints --------------------------------------------------------------------------------


@api.get("/me", response=MeOut, tags=["accounts"])
def me(request):
    user = request.user
    grants = RoleGrant.objects.filter(user=user).select_related("organisation")
    member = Member.objects.filter(user=user).first()
    return {
        "username": user.username,
        "full_name": user.get_full_name(),
        "member_id": member.pk if member else None,
        "grants": [
            {
                "role": g.role,
                "organisation": g.organisation.code,
                "organisation_name": g.organisation.name,
                "include_descendants": g.include_descendants,
            }
            for g in grants
        ],
    }


@api.get("/organisations", response=list[OrgOut], tags=["organisations"])
def organisations(
    request,
    q: str = "",
    parent: str = "",
    kind: str = "",
    include_dissolved: bool = True,
    limit: int = 100,
    offset: int = 0,
):
    parent_org = _visible_org(request, parent) if parent else None
    qs = org_list(
        actor=request.user, q=q, parent=parent_org, kind=kind, include_dissolved=include_dissolved
    )
    limit = max(1, min(limit, 1000))
    return [_org_out(o) for o in qs[offset : offset + limit]]


@api.get("/organisations/{code}", response=OrgOut, tags=["organisations"])
def organisation(request, code: str):
    return _org_out(_visible_org(request, code))


@api.get("/members", response=list[MemberOut], tags=["members"])
def members(request, filters: Query[MemberFilter]):
    org = _visible_org(request, filters.org, "members.view") if filters.org else None
    qs = member_list(actor=request.user, org=org, q=filters.q, status=filters.status)
    qs = qs.select_related("organisation", "temp_organisation")
    qs = members_after(qs, filters.after)  # keyset: the last id of the previous page
    limit = max(1, min(filters.limit, 500))
    return [_member_out(m) for m in qs[:limit]]


@api.get("/members/{member_id}", response=MemberDetailOut, tags=["members"])
def member(request, member_id: int):
    m = _visible_member(request, member_id)
    audit_record(
        actor=request.user,
        entry=AuditEntry(
            "member.view", "member", m.pk, m.full_name, m.org_path, after={"via": "api"}
        ),
    )
    return {**_member_out(m), "events": [_event_out(e) for e in member_events(m)]}


@api.post("/members", response={201: MemberDetailOut}, tags=["members"])
def member_add(request, payload: MemberIn):
    _require(request, "members.manage")
    org = org_get(actor=request.user, code=payload.organisation, action="members.manage")
    if org is None:
        raise ValidationError(
            {
                "organisation": f"No party cell with code {payload.organisation} "
                "in your organisations."
            }
        )
    data = payload.dict(
        exclude={
            "organisation",
            "entry",
            "entry_date",
            "decision_number",
            "decision_date",
            "issuer",
        }
    )
    m = member_create(
        actor=request.user,
        data=data,
        organisation=org,
        entry=payload.entry,
        entry_date=payload.entry_date,
        decision_number=payload.decision_number,
        decision_date=payload.decision_date,
        issuer=payload.issuer,
    )
    m = Member.objects.select_related("organisation", "temp_organisation").get(pk=m.pk)
    return Status(201, {**_member_out(m), "events": [_event_out(e) for e in member_events(m)]})


@api.post("/members/{member_id}/events", response={201: EventOut}, tags=["members"])
def member_event_add(request, member_id: int, payload: EventIn):
    m = _visible_member(request, member_id)
    if not org_get(actor=request.user, code=m.organisation.code, action="members.manage"):
        raise HttpError(403, "Your role does not allow recording events for this member.")
    corrects = None
    if payload.corrects is not None:
        corrects = MembershipEvent.objects.filter(member=m, pk=payload.corrects).first()
        if corrects is None:
            raise ValidationError({"corrects": f"Member {m.pk} has no event {payload.corrects}."})
    ev = member_event_record(
        actor=request.user,
        member=m,
        type=payload.type,
        date=payload.date,
        organisation=_target_cell(request, payload.organisation, "organisation"),
        decision_number=payload.decision_number,
        decision_date=payload.decision_date,
        issuer=payload.issuer,
        note=payload.note,
        corrects=corrects,
    )
    ev = MembershipEvent.objects.select_related("organisation", "from_organisation").get(pk=ev.pk)
    return Status(201, _event_out(ev))


@api.get("/reports/membership", tags=["reports"])
def report_membership(request, org: str, as_of: date | None = None):
    organisation = _visible_org(request, org, "reports.view")
    report = membership_report(organisation, as_of or timezone.localdate())
    audit_record(
        actor=request.user,
        entry=AuditEntry(
            "report.membership",
            "organisation",
            organisation.pk,
            organisation.name,
            organisation.path,
            after={"as_of": report["as_of"], "via": "api"},
        ),
    )
    return report


@api.get("/reports/period", tags=["reports"])
def report_period(
    request,
    org: str,
    date_from: date = Query(..., alias="from"),
    date_to: date = Query(..., alias="to"),
):
    organisation = _visible_org(request, org, "reports.view")
    return period_report(organisation, date_from, date_to)
