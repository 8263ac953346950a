"""API v1, admission: the cases in the caller's scope with their timeline, opening a case and
recording its steps, term targets with their progress, the development report and the
deadlines. The person's particulars are the member record's fields (members.fields); sensitive
ones are left out where the caller's role does not show them."""

from datetime import date, datetime
from typing import Literal

from django.utils import timezone
from ninja import Path, Query, Router, Schema, Status
from pydantic import ConfigDict, Field, create_model

from dangvu.accounts.scoping import release_sensitive
from dangvu.admission.choices import Proposer, Stage, Step
from dangvu.admission.models import Candidate, CandidateStep
from dangvu.admission.selectors import (
    candidate_get,
    candidate_list,
    deadlines,
    development_report,
    development_warnings,
    target_progress,
    targets_for,
    targets_progress,
)
from dangvu.admission.services import (
    CANDIDATE_CASE,
    Introducer,
    StepInput,
    candidate_create,
    candidate_step,
    candidate_update,
    target_set,
)
from dangvu.core.apischema import MAX_ID, Day, codes, documented
from dangvu.core.editing import VersionField, edit_responses
from dangvu.core.errors import ValidationError
from dangvu.core.registry import org_bound
from dangvu.core.tables import Column, TableSpec, Tabular, table_response, tabular
from dangvu.members.fields import schema_fields
from dangvu.members.selectors import member_get
from dangvu.members.services import PERSON_FIELDS
from dangvu.organisations.selectors import org_get, org_get_or_404

__all__ = ["router"]

router = Router(tags=["admission"])

StageCode = codes(Stage)
DueKind = codes(("decision", "ceremony", "recognition", "certificate"), "")
ProposerCode = codes(Proposer)
StepCode = codes(Step)
WarningKind = codes(("few_members", "old_members", "no_admission", "secretary_not_head"))

_OMIT = ("party_card_number", "admission_date", "ceremony_date", "official_date")

CandidateOut = create_model(
    "CandidateOut",
    __base__=Schema,
    __doc__="A case of the admission pipeline. Sensitive particulars (ethnicity, religion, "
    "identity number, birth date, phone) are present only where your role shows them.",
    id=(int, ...),
    organisation=(str, ...),
    organisation_name=(str, ...),
    stage=(StageCode, ...),
    stage_label=(str, ...),
    stage_on=(date, ...),
    due_on=(date | None, None),
    due_kind=(DueKind, ""),
    proposed_by=(ProposerCode, ...),
    helper=(int | None, None),
    hard_area=(bool, False),
    failed_votes=(int, 0),
    referred=(bool, False),
    certificate_number=(str, ""),
    certificate_on=(date | None, None),
    decision_number=(str, ""),
    member=(int | None, Field(None, description="The member record, from the decision on")),
    note=(str, ""),
    **schema_fields(omit=_OMIT, optional=True),
)


class StepOut(Schema):
    seq: int
    step: StepCode
    label: str
    date: date
    document_number: str
    issuer: str
    votes_for: int | None
    votes_total: int | None
    details: dict
    note: str
    recorded_at: datetime


CandidateDetailOut = create_model(
    "CandidateDetailOut",
    __base__=CandidateOut,
    steps=(list[StepOut], ...),
    version=(str, Field(..., description="The case as read now: send it with an edit")),
)

CandidateIn = create_model(
    "CandidateIn",
    __base__=Schema,
    __doc__="A person the cell identified as outstanding: their particulars as on a member's "
    "record, the cell, who proposed them and the official member who helps them.",
    **schema_fields(omit=_OMIT),
    organisation=(str, Field(..., max_length=40, description="The party cell's code")),
    date=(Day | None, Field(None, description="Identified on (default: today)")),
    proposed_by=(ProposerCode, Field(Proposer.CELL, description="Who proposed the person")),
    helper=(int | None, Field(None, ge=1, le=MAX_ID, description="The helping member's id")),
    hard_area=(bool, False),
    note=(str, Field("", max_length=2000)),
)


class _Closed(Schema):
    """Unknown fields are refused (422 naming them), not ignored."""

    model_config = ConfigDict(extra="forbid")


CandidateChangeIn = create_model(
    "CandidateChangeIn",
    __base__=_Closed,
    __doc__="A case's particulars, helper or note to correct (only the fields given change); "
    "before the admission decision only (after it they are the member's record).",
    **{
        name: (kind | None, Field(None, description=info.description))
        for name, (kind, info) in schema_fields(omit=_OMIT).items()
    },
    helper=(int | None, Field(None, ge=1, le=MAX_ID, description="The helping member's id")),
    hard_area=(bool | None, None),
    note=(str | None, Field(None, max_length=2000)),
    version=(str | None, VersionField()),
)


class IntroducerIn(Schema):
    member: int = Field(..., ge=1, le=MAX_ID, description="An official member's id")
    since: Day = Field(..., description="Worked, studied or lived with the person since")


class TransitionIn(Schema):
    step: codes(s for s in Step if s != Step.IDENTIFIED) = Field(..., description="The step")
    date: Day
    document_number: str = Field("", max_length=60)
    issuer: str = Field("", max_length=255)
    note: str = Field("", max_length=2000, description="withdrawn, not_recognised: the reason")
    certificate_number: str = Field("", max_length=40, description="class_passed")
    introducers: list[IntroducerIn] = Field([], max_length=5, description="introduced")
    youth_union_resolution: str = Field("", max_length=60, description="introduced")
    votes_for: int | None = Field(None, ge=0, le=100000)
    votes_total: int | None = Field(
        None, ge=0, le=100000, description="Official members (default: counted in the cell)"
    )
    over_age_decision: str = Field("", max_length=60, description="cell_resolved, over 60")
    received_on: Day | None = Field(None, description="admitted: the cell received it on")
    consent_number: str = Field("", max_length=60, description="ceremony after its limit")
    decision_number: str = Field("", max_length=60, description="admitted, recognised")
    decision_on: Day | None = Field(None, description="recognised: the committee's decision")


class CandidateFilter(Tabular):
    org: str | None = Field(None, max_length=40, description="Cases of this subtree")
    q: str = Field("", max_length=200, description="Words of the name")
    stage: codes(Stage, "open", "") = Field("", description="A stage, or `open`")
    due: Literal["overdue", "soon", ""] = Field("", description="overdue | soon")
    after: int | None = Field(None, ge=1, le=MAX_ID, description="Last id of the previous page")
    limit: int = Field(50, ge=1, le=500)


class SubTargetOut(Schema):
    admitted: int
    target: int
    percent: float | None


class TargetOut(Schema):
    organisation: dict
    term_start: date
    term_end: date
    counted_to: date
    target: int
    admitted: int
    percent: float
    term_elapsed_percent: float
    pace_per_year: float
    needed_per_year: float | None
    forecast: int
    forecast_percent: float
    ethnic_minority: SubTargetOut
    women: SubTargetOut
    youth: SubTargetOut
    years: list[dict]
    children: list[dict]


class TargetIn(Schema):
    org: str = Field(..., max_length=40, description="The committee's code")
    term_start: Day
    term_end: Day
    total: int = Field(..., ge=1, le=10_000_000)
    ethnic_minority: int = Field(0, ge=0, le=10_000_000)
    women: int = Field(0, ge=0, le=10_000_000)
    youth: int = Field(0, ge=0, le=10_000_000, description="Aged 30 or under at admission")
    by_year: dict[int, int] = Field({}, max_length=20, description="{year: new members}")
    by_organisation: dict[str, int] = Field(
        {}, max_length=500, description="{code of an organisation directly under it: new members}"
    )
    note: str = Field("", max_length=255)


class WarningOut(Schema):
    kind: WarningKind
    code: str
    name: str
    why: str


class WarningsOut(Schema):
    warnings: list[WarningOut]
    shares: list[dict]
    settings: dict


class DeadlineOut(Schema):
    id: int
    full_name: str
    organisation: str
    organisation_name: str
    stage: StageCode
    stage_label: str
    due_on: date
    due_kind: DueKind
    due_label: str
    overdue: bool


class DeadlinesOut(Schema):
    overdue: list[dict]
    soon: list[dict]
    overdue_total: int
    soon_total: int
    cases: list[DeadlineOut]


# --- answers --------------------------------------------------------------------------------


def _out(c: Candidate, shown: set) -> dict:
    sensitive = org_bound(Candidate).sensitive_fields
    visible = c.pk in shown
    out = {name: getattr(c, name) for name in PERSON_FIELDS if visible or name not in sensitive}
    out.update(
        id=c.pk,
        organisation=c.organisation.code,
        organisation_name=c.organisation.name,
        stage=c.stage,
        stage_label=str(c.get_stage_display()),
        stage_on=c.stage_on,
        due_on=c.due_on,
        due_kind=c.due_kind,
        proposed_by=c.proposed_by,
        helper=c.helper_id,
        hard_area=c.hard_area,
        failed_votes=c.failed_votes,
        referred=c.referred,
        certificate_number=c.certificate_number,
        certificate_on=c.certificate_on,
        decision_number=c.decision_number,
        member=c.member_id,
        note=c.note,
    )
    return out


def _step_out(s: CandidateStep) -> dict:
    return {
        "seq": s.seq,
        "step": s.step,
        "label": str(s.get_step_display()),
        "date": s.date,
        "document_number": s.document_number,
        "issuer": s.issuer,
        "votes_for": s.votes_for,
        "votes_total": s.votes_total,
        "details": s.details,
        "note": s.note,
        "recorded_at": s.recorded_at,
    }


def _detail(request, c: Candidate) -> dict:
    shown = release_sensitive(request.user, [c], via="api")
    return {
        **_out(c, shown),
        "steps": [_step_out(s) for s in c.steps.order_by("seq")],
        "version": CANDIDATE_CASE.version(c),
    }


def _member_of(request, pk: int | None, field: str):
    if pk is None:
        return None
    try:
        return member_get(actor=request.user, pk=pk)
    except Exception:  # Http404: a member the caller cannot see does not exist for them
        raise ValidationError({field: f"No member {pk} among yours."}) from None


# --- endpoints ------------------------------------------------------------------------------

BREAKDOWNS = {
    "gender": "Giới tính",
    "age_band": "Độ tuổi",
    "ethnicity": "Dân tộc",
    "education": "Trình độ giáo dục phổ thông",
    "professional": "Trình độ chuyên môn",
    "theory": "Trình độ lý luận chính trị",
    "occupation": "Nghề nghiệp",
}


def _development_rows(report: dict):
    """The development report as one table: its totals, each breakdown, the open cases by
    stage."""
    yield {"group": "Tổng số", "label": "Kết nạp trong kỳ", "count": report["admitted"]}
    for key, label in (
        ("women", "Nữ"),
        ("ethnic_minority", "Dân tộc thiểu số"),
        ("religious", "Có tôn giáo"),
        ("readmitted", "Kết nạp lại"),
    ):
        if isinstance(report.get(key), dict):
            yield {"group": "Tổng số", "label": label, **report[key]}
    for key, rows in report.get("breakdowns", {}).items():
        for row in rows:
            yield {"group": BREAKDOWNS.get(key, key), **row}
    for row in report.get("pipeline", ()):
        yield {"group": "Hồ sơ đang mở theo bước", "label": row["label"], "count": row["count"]}


DEVELOPMENT = TableSpec(
    "development",
    "Báo cáo phát triển đảng viên",
    (
        Column("Nhóm", key="group", width=30),
        Column("Chỉ tiêu", key="label", width=34),
        Column("Số lượng", "int", 10, key="count"),
        Column("Tỷ lệ (%)", "number", 10, key="percent"),
    ),
    items=_development_rows,
)
TARGETS = TableSpec(
    "targets",
    "Chỉ tiêu phát triển đảng viên nhiệm kỳ",
    (
        Column("Tổ chức đảng", key="organisation.name", width=30),
        Column("Mã", key="organisation.code", width=14),
        Column("Từ ngày", "date", 12, key="term_start"),
        Column("Đến ngày", "date", 12, key="term_end"),
        Column("Tính đến", "date", 12, key="counted_to"),
        Column("Chỉ tiêu", "int", 10, key="target"),
        Column("Đã kết nạp", "int", 10, key="admitted"),
        Column("Đạt (%)", "number", 10, key="percent"),
        Column("Thời gian nhiệm kỳ đã qua (%)", "number", 12, key="term_elapsed_percent"),
        Column("Tốc độ (người/năm)", "number", 12, key="pace_per_year"),
        Column("Cần (người/năm)", "number", 12, key="needed_per_year"),
        Column("Dự báo cuối nhiệm kỳ", "int", 12, key="forecast"),
        Column("Dân tộc thiểu số: đã kết nạp", "int", 12, key="ethnic_minority.admitted"),
        Column("Dân tộc thiểu số: chỉ tiêu", "int", 12, key="ethnic_minority.target"),
        Column("Nữ: đã kết nạp", "int", 12, key="women.admitted"),
        Column("Nữ: chỉ tiêu", "int", 12, key="women.target"),
        Column("Thanh niên: đã kết nạp", "int", 12, key="youth.admitted"),
        Column("Thanh niên: chỉ tiêu", "int", 12, key="youth.target"),
    ),
)
DEADLINES = TableSpec(
    "deadlines",
    "Hồ sơ phát triển đảng viên quá hạn và sắp đến hạn",
    (
        Column("Họ và tên", key="full_name", width=28),
        Column("Mã chi bộ", key="organisation", width=14),
        Column("Chi bộ", key="organisation_name", width=28),
        Column("Bước", key="stage_label", width=24),
        Column("Việc đến hạn", key="due_label", width=30),
        Column("Hạn", "date", 12, key="due_on"),
        Column("Quá hạn", key="overdue", width=10),
        Column("Mã hồ sơ", "int", 10, key="id"),
    ),
    items="cases",
)
WARNINGS = TableSpec(
    "warnings",
    "Cảnh báo phát triển đảng viên",
    (
        Column("Tổ chức đảng", key="name", width=30),
        Column("Mã", key="code", width=14),
        Column("Cảnh báo", key="kind", width=20),
        Column("Lý do", key="why", width=50),
    ),
    items="warnings",
)

CANDIDATES = TableSpec(
    "candidates",
    "Danh sách hồ sơ phát triển đảng viên",
    (
        Column("Họ và tên", key="full_name", width=28),
        Column("Mã chi bộ", key="organisation", width=14),
        Column("Chi bộ", key="organisation_name", width=28),
        Column("Bước", key="stage_label", width=24),
        Column("Từ ngày", "date", 12, key="stage_on"),
        Column("Hạn", "date", 12, key="due_on"),
        Column("Vùng khó khăn", key="hard_area", width=10),
        Column("Số giấy chứng nhận", key="certificate_number", width=16),
        Column("Số quyết định", key="decision_number", width=16),
        Column("Mã hồ sơ", "int", 10, key="id"),
    ),
)


@router.get(
    "/candidates",
    response=documented(list[CandidateOut]),
    exclude_unset=True,
    openapi_extra=tabular(CANDIDATES),
)
def candidates(request, filters: Query[CandidateFilter]):
    """Cases in your scope, by cell then name; `stage` a stage or `open`; `due` overdue or
    soon (due within 30 days). Keyset pages: `after` = the last id of the previous page."""
    org = None
    if filters.org:
        org = org_get_or_404(actor=request.user, code=filters.org, action="admission.view")
    qs = candidate_list(
        actor=request.user, org=org, q=filters.q, stage=filters.stage, due=filters.due
    )
    if filters.format != "json":  # every case, in the list's order; no sensitive column
        items = (_out(c, set()) for c in qs.iterator(chunk_size=2000))
        return table_response(CANDIDATES, filters.format, items, schema=CandidateOut, org=org)
    qs = qs.order_by("pk")
    if filters.after:
        qs = qs.filter(pk__gt=filters.after)
    page = list(qs[: filters.limit])
    shown = release_sensitive(request.user, page, via="api")
    return [_out(c, shown) for c in page]


@router.post(
    "/candidates/{candidate_id}/record",
    response=edit_responses(CandidateDetailOut),
    exclude_unset=True,
)
def candidate_correct(
    request, payload: CandidateChangeIn, candidate_id: int = Path(..., ge=1, le=MAX_ID)
):
    """Correct a case (the case page's "Edit"), with the same rules: before the decision only,
    the particulars checked as a member's, the helper an official member of the cell."""
    c = candidate_get(actor=request.user, pk=candidate_id, action="admission.manage")
    data = payload.dict(exclude_unset=True)
    helper = _member_of(request, data.pop("helper"), "helper") if "helper" in data else c.helper
    candidate_update(
        actor=request.user,
        candidate=c,
        data={k: v for k, v in data.items() if k in PERSON_FIELDS},
        helper=helper,
        hard_area=data.get("hard_area"),
        note=data.get("note"),
        version=data.get("version"),
    )
    return _detail(request, candidate_get(actor=request.user, pk=c.pk))


@router.get(
    "/candidates/{candidate_id}", response=documented(CandidateDetailOut), exclude_unset=True
)
def candidate(request, candidate_id: int = Path(..., ge=1, le=MAX_ID)):
    """A case with its timeline (every step recorded, in order)."""
    return _detail(request, candidate_get(actor=request.user, pk=candidate_id))


@router.post("/candidates", response=documented(CandidateDetailOut, 201), exclude_unset=True)
def candidate_add(request, payload: CandidateIn):
    """Open a case in a party cell where you record admission work."""
    data = payload.dict()
    extra = {k: data.pop(k) for k in ("proposed_by", "hard_area", "note")}
    on, helper_id, code = data.pop("date"), data.pop("helper"), data.pop("organisation")
    org = org_get(actor=request.user, code=code, action="admission.manage")
    if org is None:
        raise ValidationError({"organisation": "No party cell with this code among yours."})
    helper = _member_of(request, helper_id, "helper")
    c = candidate_create(
        actor=request.user, organisation=org, data=data, on=on, helper=helper, **extra
    )
    return Status(201, _detail(request, candidate_get(actor=request.user, pk=c.pk)))


@router.post(
    "/candidates/{candidate_id}/transitions",
    response=documented(CandidateDetailOut, 201),
    exclude_unset=True,
)
def candidate_transition(
    request, payload: TransitionIn, candidate_id: int = Path(..., ge=1, le=MAX_ID)
):
    """Record the next step of a case: class_passed, applied, cv_verified, introduced,
    cell_resolved, committee_resolved, admitted (the person becomes a probationary member),
    ceremony, recognised or not_recognised; vote_failed (a vote without two thirds); withdrawn
    (before the decision, with the reason). A step out of order or against its rule is
    refused (422, naming the field and the reason) and changes nothing."""
    c = candidate_get(actor=request.user, pk=candidate_id, action="admission.manage")
    data = payload.dict()
    introducers = tuple(
        Introducer(_member_of(request, i["member"], "introducers"), i["since"])
        for i in data.pop("introducers")
    )
    c = candidate_step(
        actor=request.user, candidate=c, step=StepInput(**data, introducers=introducers)
    )
    return Status(201, _detail(request, candidate_get(actor=request.user, pk=c.pk)))


class OrgFilter(Tabular):
    org: str = Field(..., max_length=40, description="The organisation's code")


@router.get("/targets", response=documented(list[TargetOut]), openapi_extra=tabular(TARGETS))
def targets(request, filters: Query[OrgFilter]):
    """A committee's term targets of new members with their progress, counted from the
    admission events: percent of the target and of the term, the pace needed and the forecast
    at the current pace; by sub-target, year and child organisation."""
    o = org_get_or_404(actor=request.user, code=filters.org, action="admission.view")
    found = targets_progress(targets_for(actor=request.user, org=o))
    if filters.format != "json":
        return table_response(TARGETS, filters.format, found, schema=TargetOut, org=o)
    return found


@router.post("/targets", response=documented(TargetOut, 201))
def target_add(request, payload: TargetIn):
    """Set (or replace) a committee's term target, with sub-targets and its split by year or
    by the organisations directly under it; answers the target's progress."""
    org = org_get(actor=request.user, code=payload.org, action="admission.manage")
    if org is None:
        raise ValidationError({"org": "No organisation with this code among yours."})
    parts = {}
    for code, n in payload.by_organisation.items():
        child = org_get(actor=request.user, code=code, action="admission.view")
        if child is None:
            raise ValidationError({"by_organisation": f"No organisation {code} among yours."})
        parts[child] = n
    target = target_set(
        actor=request.user,
        organisation=org,
        term_start=payload.term_start,
        term_end=payload.term_end,
        total=payload.total,
        ethnic_minority=payload.ethnic_minority,
        women=payload.women,
        youth=payload.youth,
        by_year=payload.by_year,
        by_organisation=parts,
        note=payload.note,
    )
    return Status(201, target_progress(target))


@router.get(
    "/admission/warnings", response=documented(WarningsOut), openapi_extra=tabular(WARNINGS)
)
def admission_warnings(request, filters: Query[OrgFilter]):
    """Where development is needed under an organisation: cells with fewer than three official
    members, a high average age, no admission for years, villages whose cell secretary is not
    the village head; and the share of village and mass-organisation heads who are members."""
    o = org_get_or_404(actor=request.user, code=filters.org, action="admission.view")
    report = development_warnings(actor=request.user, org=o)
    out = {k: report[k] for k in ("warnings", "shares", "settings")}
    if filters.format != "json":
        return table_response(WARNINGS, filters.format, out, schema=WarningsOut, org=o)
    return out


class PeriodFilter(OrgFilter):
    date_from: Day = Field(..., alias="from")
    date_to: Day | None = Field(None, alias="to", description="Default: today")


@router.get("/reports/development", response=documented(dict), openapi_extra=tabular(DEVELOPMENT))
def development(request, filters: Query[PeriodFilter]):
    """Admissions over a period in a subtree, counted from the events (by ethnicity, gender,
    age band and education), and the open cases at each stage."""
    o = org_get_or_404(actor=request.user, code=filters.org, action="admission.view")
    date_to = filters.date_to or timezone.localdate()
    report = development_report(
        actor=request.user, org=o, date_from=filters.date_from, date_to=date_to
    )
    if filters.format != "json":
        period = (filters.date_from, date_to)
        return table_response(DEVELOPMENT, filters.format, report, org=o, period=period)
    return report


@router.get(
    "/admission/deadlines", response=documented(DeadlinesOut), openapi_extra=tabular(DEADLINES)
)
def admission_deadlines(request, filters: Query[OrgFilter]):
    """The deadlines dashboard of a committee or cell: open cases overdue or due within 30
    days, counted by what is due, the first 200 by date."""
    o = org_get_or_404(actor=request.user, code=filters.org, action="admission.view")
    board = deadlines(actor=request.user, org=o)
    out = {
        **{k: board[k] for k in ("overdue", "soon", "overdue_total", "soon_total")},
        "cases": [
            {
                "id": row["candidate"].pk,
                "full_name": row["candidate"].full_name,
                "organisation": row["candidate"].organisation.code,
                "organisation_name": row["candidate"].organisation.name,
                "stage": row["candidate"].stage,
                "stage_label": str(row["candidate"].get_stage_display()),
                "due_on": row["candidate"].due_on,
                "due_kind": row["candidate"].due_kind,
                "due_label": str(row["kind"]),
                "overdue": row["overdue"],
            }
            for row in board["cases"]
        ],
    }
    if filters.format != "json":
        return table_response(DEADLINES, filters.format, out, schema=DeadlinesOut, org=o)
    return out
