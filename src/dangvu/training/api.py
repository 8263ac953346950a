"""API v1, training classes: list and plan classes with their sessions; enrol one person or
everyone holding some positions under an organisation; the roll call of a session; complete a
class and issue its certificates; verify a certificate's number; the training report of a
subtree."""

from datetime import date

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from dangvu.core.apischema import MAX_ID, Clock, Day, documented
from dangvu.core.errors import ValidationError
from dangvu.members.models import Position
from dangvu.organisations.selectors import org_get, org_get_or_404
from dangvu.training.choices import Kind, Mode, Result, State
from dangvu.training.choices import Status as EnrolmentStatus
from dangvu.training.exports import report_dict
from dangvu.training.selectors import (
    certificate_verify,
    class_get,
    class_list,
    class_roll,
    person_find,
    training_report,
)
from dangvu.training.services import (
    SessionInput,
    certificates_issue,
    class_complete,
    class_create,
    class_move,
    enrol_by_position,
    enrolment_create,
    session_roll_call,
)

__all__ = ["router"]

router = Router(tags=["training"])


class SessionIn(Schema):
    day: Day
    starts_at: Clock
    ends_at: Clock
    topic: str = Field(..., max_length=300)
    lecturer: str = Field("", max_length=200)


class SessionOut(Schema):
    id: int
    day: date
    starts_at: str = Field(description="HH:MM")
    ends_at: str = Field(description="HH:MM")
    topic: str
    lecturer: str
    attendance_taken: bool


class ClassIn(Schema):
    org: str = Field(..., max_length=40, description="The organising committee's code")
    kind: str = Field(..., max_length=20, description=" | ".join(Kind))
    mode: str = Field(..., max_length=20, description=" | ".join(Mode))
    title: str = Field(..., max_length=300)
    capacity: int = Field(..., ge=1, le=100000)
    location: str = Field("", max_length=300)
    cluster: list[str] = Field(
        [], max_length=50, description="Codes of the commune-level organisations it serves"
    )
    online_link: str = Field("", max_length=300)
    audience: str = Field("", max_length=500)
    lecturers: str = Field("", max_length=5000)
    min_attendance_percent: int | None = Field(None, ge=1, le=100)
    pass_mark: float | None = Field(None, ge=0, le=10)
    sessions: list[SessionIn] = Field([], max_length=100)


class ClassOut(Schema):
    id: int
    organisation: str
    organisation_name: str
    kind: str
    mode: str
    title: str
    state: str
    location: str
    cluster: list[str]
    online_link: str
    capacity: int
    audience: str
    lecturers: str
    min_attendance_percent: int | None
    pass_mark: float | None
    starts_on: date | None
    ends_on: date | None
    finished_on: date | None
    enrolled: int
    waiting: int
    withdrawn: int
    sessions: list[SessionOut]


class ClassFilter(Schema):
    org: str | None = Field(None, max_length=40, description="Classes of this subtree")
    kind: str = Field("", max_length=20, description=" | ".join(Kind))
    state: str = Field("", max_length=20, description=" | ".join(State))
    year: int | None = Field(None, ge=2000, le=2100, description="With a session in this year")
    limit: int = Field(100, ge=1, le=500)


class EnrolIn(Schema):
    member: int | None = Field(None, ge=1, le=MAX_ID, description="A party member's id")
    candidate: int | None = Field(None, ge=1, le=MAX_ID, description="An admission case's id")
    under: str | None = Field(
        None, max_length=40, description="With positions: the organisation whose subtree"
    )
    positions: list[str] = Field(
        [], max_length=20, description="Enrol everyone holding one: " + " | ".join(Position.Kind)
    )


class EnrolmentOut(Schema):
    # The enrolment's id under its own name: an "id" beside the person's name would read as the
    # member's record (the roll call names people by these ids).
    enrolment: int
    member: int | None
    candidate: int | None
    full_name: str
    organisation: str
    status: str
    position: int | None = Field(description="Place on the waiting list")
    score: float | None
    result: str
    certificate: str | None


class BulkOut(Schema):
    enrolled: int
    waiting: int
    already: int


class RollCallIn(Schema):
    session: int = Field(..., ge=1, le=MAX_ID)
    present: list[int] = Field([], max_length=5000, description="Enrolment ids present")
    absent: list[int] = Field([], max_length=5000, description="Enrolment ids absent")


class RollCallOut(Schema):
    present: int
    absent: int


class CompletionIn(Schema):
    issued_on: Day | None = Field(None, description="Certificates issued on (default: today)")


class CompletionOut(Schema):
    passed: int
    failed: int
    certificates: list[str]
    handed_off: list[int] = Field(description="Admission cases moved to 'awareness class passed'")
    not_handed_off: dict[str, str]


class CertificateOut(Schema):
    number: str
    full_name: str
    class_title: str
    kind: str
    organiser: str
    issued_on: date


class ReportFilter(Schema):
    org: str = Field(..., max_length=40)
    date_from: Day = Field(..., alias="from")
    date_to: Day = Field(..., alias="to")


# --- answers --------------------------------------------------------------------------------


def _out(c) -> dict:
    return {
        "id": c.pk,
        "organisation": c.organisation.code,
        "organisation_name": c.organisation.name,
        **{
            name: getattr(c, name)
            for name in (
                "kind",
                "mode",
                "title",
                "state",
                "location",
                "online_link",
                "capacity",
                "audience",
                "lecturers",
                "min_attendance_percent",
                "starts_on",
                "ends_on",
                "finished_on",
            )
        },
        "pass_mark": float(c.pass_mark) if c.pass_mark is not None else None,
        "cluster": [o.code for o in c.cluster.all()],
        "enrolled": c.enrolled_count,
        "waiting": c.waiting_count,
        "withdrawn": c.withdrawn_count,
        "sessions": [
            {
                "id": s.pk,
                "day": s.day,
                "starts_at": s.starts_at.strftime("%H:%M"),
                "ends_at": s.ends_at.strftime("%H:%M"),
                "topic": s.topic,
                "lecturer": s.lecturer,
                "attendance_taken": s.attendance_taken,
            }
            for s in c.sessions.all()
        ],
    }


def _enrolment_out(e) -> dict:
    return {
        "enrolment": e.pk,
        "member": e.member_id,
        "candidate": e.candidate_id,
        "full_name": e.full_name,
        "organisation": e.person_org.code,
        "status": e.status,
        "position": e.position,
        "score": float(e.score) if e.score is not None else None,
        "result": e.result,
        "certificate": getattr(e, "certificate_number", None),
    }


def _org(request, code: str, field: str, action: str = "training.manage"):
    org = org_get(actor=request.user, code=code, action=action)
    if org is None:
        raise ValidationError({field: _("No organisation with this code among yours.")})
    return org


# --- classes --------------------------------------------------------------------------------


@router.get("/classes", response=documented(list[ClassOut]))
def classes(request, filters: Query[ClassFilter]):
    """Training classes in your scope, latest first."""
    org = None
    if filters.org:
        org = org_get_or_404(actor=request.user, code=filters.org, action="training.view")
    qs = class_list(actor=request.user, organisation=org, state=filters.state or None)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.year:
        qs = qs.filter(
            starts_on__lte=date(filters.year, 12, 31), ends_on__gte=date(filters.year, 1, 1)
        )
    qs = qs.prefetch_related("cluster", "sessions")
    return [_out(c) for c in qs[: filters.limit]]


@router.post("/classes", response=documented(ClassOut, 201))
def class_add(request, payload: ClassIn):
    """Plan a class of an organising committee with its sessions, in order: kind and mode,
    capacity, venue or the communes it serves (in person), link (online), its own minimum
    attendance and the pass mark of its final test."""
    data = payload.dict()
    organisation = _org(request, data.pop("org"), "org")
    cluster = [_org(request, code, "cluster") for code in data.pop("cluster")]
    sessions = [
        SessionInput(s["day"], s["starts_at"], s["ends_at"], s["topic"], s["lecturer"])
        for s in data.pop("sessions")
    ]
    c = class_create(
        actor=request.user,
        organisation=organisation,
        cluster=cluster,
        sessions=sessions,
        in_charge=request.user,
        **data,
    )
    return Status(201, _out(class_get(actor=request.user, pk=c.pk)))


@router.get("/classes/{class_id}", response=documented(ClassOut))
def training_class(request, class_id: int = Path(..., ge=1, le=MAX_ID)):
    """One class with its sessions and counts."""
    return _out(class_get(actor=request.user, pk=class_id))


@router.get("/classes/{class_id}/enrolments", response=documented(list[EnrolmentOut]))
def enrolments(request, class_id: int = Path(..., ge=1, le=MAX_ID)):
    """The class's people: enrolled (by name), waiting (in order), withdrawn."""
    roll = class_roll(class_get(actor=request.user, pk=class_id))
    return [
        _enrolment_out(e)
        for status in (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITING, EnrolmentStatus.WITHDRAWN)
        for e in roll[status]
    ]


@router.post(
    "/classes/{class_id}/enrolments",
    response=documented(EnrolmentOut | BulkOut, 201),
)
def enrol(request, payload: EnrolIn, class_id: int = Path(..., ge=1, le=MAX_ID)):
    """Enrol one person (`member` or `candidate`), or everyone holding one of `positions` today
    under the organisation `under`. Beyond the capacity people join the waiting list."""
    c = class_get(actor=request.user, pk=class_id, action="training.manage")
    if payload.positions or payload.under:
        if payload.member or payload.candidate:
            raise ValidationError(
                {"positions": _("Enrol one person, or people by position: not both.")}
            )
        if not payload.under:
            raise ValidationError({"under": _("Choose the organisation.")})
        under = _org(request, payload.under, "under")
        done = enrol_by_position(
            actor=request.user, training_class=c, under=under, positions=payload.positions
        )
        return Status(
            201, {"enrolled": done.enrolled, "waiting": done.waiting, "already": done.already}
        )
    if (payload.member is None) == (payload.candidate is None):
        raise ValidationError({"person": _("Choose one person: a party member or a candidate.")})
    key = f"m{payload.member}" if payload.member else f"c{payload.candidate}"
    person = person_find(actor=request.user, key=key)
    if person is None:
        raise ValidationError({"person": _("No such person among those you may enrol.")})
    kw = {"candidate": person.obj} if person.is_candidate else {"member": person.obj}
    e = enrolment_create(actor=request.user, training_class=c, **kw)
    e = next(x for rows in class_roll(c).values() for x in rows if x.pk == e.pk)
    return Status(201, _enrolment_out(e))


@router.post("/classes/{class_id}/attendance", response=documented(RollCallOut, 201))
def attendance(request, payload: RollCallIn, class_id: int = Path(..., ge=1, le=MAX_ID)):
    """The roll call of a session that has taken place: enrolment ids present and absent;
    those not named keep what was recorded."""
    c = class_get(actor=request.user, pk=class_id, action="training.manage")
    s = next((s for s in c.sessions.all() if s.pk == payload.session), None)
    if s is None:
        raise ValidationError({"session": _("No session of this class has this id.")})
    done = session_roll_call(
        actor=request.user, session=s, present=payload.present, absent=payload.absent
    )
    return Status(201, done)


@router.post("/classes/{class_id}/completion", response=documented(CompletionOut, 201))
def completion(request, payload: CompletionIn, class_id: int = Path(..., ge=1, le=MAX_ID)):
    """Close the class's enrolment (if still planned or open), record its results (each
    enrolled person completes it with at least the minimum share of sessions attended and,
    where there is a final test, the pass mark; every session must have its roll call) and
    issue the certificates, numbered in order for the organiser and the year. On a finished
    class: issue the certificates still missing. All or nothing."""
    c = class_get(actor=request.user, pk=class_id, action="training.manage")
    on = payload.issued_on or timezone.localdate()
    with transaction.atomic():
        if c.state in (State.PLANNED, State.OPEN):
            class_move(actor=request.user, training_class=c, to=State.CLOSED)
            c.state = State.CLOSED
        if c.state == State.CLOSED:
            class_complete(actor=request.user, training_class=c, on=on)
        issue = certificates_issue(actor=request.user, training_class=c, issued_on=on)
    roll = class_roll(c)[EnrolmentStatus.ENROLLED]
    return Status(
        201,
        {
            "passed": sum(e.result == Result.PASSED for e in roll),
            "failed": sum(e.result == Result.FAILED for e in roll),
            "certificates": [cert.number for cert in issue.certificates],
            "handed_off": issue.handed_off,
            "not_handed_off": {str(k): v for k, v in issue.not_handed_off.items()},
        },
    )


@router.get("/certificates/{path:number}", response=documented(CertificateOut))
def certificate(request, number: str):
    """Whether a certificate number is genuine: whose it is, for which class, by whom, when.
    Signed-in callers only: the numbers are sequential, so an open lookup would list names."""
    facts = certificate_verify(number[:200])
    if facts is None:
        raise Http404
    return facts.__dict__


@router.get("/reports/training", response=documented(dict))
def report(request, filters: Query[ReportFilter]):
    """For a subtree and period (classes with a session in it): classes by kind and mode,
    participants, completion rate, participants by gender and ethnicity, the travel burden
    (people of in-person classes coming from outside the class's communes)."""
    org = org_get_or_404(actor=request.user, code=filters.org, action="training.view")
    if filters.date_from > filters.date_to:
        raise ValidationError({"from": _("The start of the period is after its end.")})
    r = training_report(
        actor=request.user, organisation=org, start=filters.date_from, end=filters.date_to
    )
    return report_dict(r, org, filters.date_from, filters.date_to)
