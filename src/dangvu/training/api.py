"""API v1, training classes: list and plan classes with their sessions, change them, open,
close or cancel them, add and remove sessions, attach materials; enrol one person or everyone
holding some positions under an organisation, withdraw an enrolment; the roll call of a session,
by hand or from an online platform's participant list; the final test's scores; complete a
class and issue its certificates; verify a certificate's number; the training report of a
subtree."""

from datetime import date

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict, Field

from dangvu.core.apischema import MAX_ID, Clock, Day, codes, documented
from dangvu.core.editing import VersionField, edit_responses
from dangvu.core.errors import ValidationError
from dangvu.core.tables import Column, TableSpec, Tabular, table_response, tabular
from dangvu.core.uploads import FILE_KINDS
from dangvu.members.models import Position
from dangvu.organisations.selectors import org_get, org_get_or_404
from dangvu.stats.services import report_served
from dangvu.training.choices import Kind, Match, Mode, Result, State
from dangvu.training.choices import Status as EnrolmentStatus
from dangvu.training.exports import report_dict
from dangvu.training.importers import LIST_LIMIT
from dangvu.training.models import ClassSession
from dangvu.training.selectors import (
    attended_counts,
    certificate_verify,
    class_get,
    class_list,
    class_roll,
    person_find,
    training_report,
)
from dangvu.training.services import (
    SCORE_SHEET,
    TRAINING_CLASS,
    SessionInput,
    attendance_import_confirm,
    attendance_import_preview,
    certificates_issue,
    class_complete,
    class_create,
    class_move,
    class_update,
    enrol_by_position,
    enrolment_create,
    enrolment_withdraw,
    material_attach,
    scores_record,
    session_add,
    session_remove,
    session_roll_call,
)

__all__ = ["router"]

router = Router(tags=["training"])

KindCode = codes(Kind)
ModeCode = codes(Mode)
StateCode = codes(State)


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
    kind: KindCode
    mode: ModeCode
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
    kind: KindCode
    kind_label: str
    mode: ModeCode
    mode_label: str
    title: str
    state: StateCode
    state_label: str
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
    version: str | None = Field(
        None, description="The class as read now (one class's GET): send it with an edit"
    )
    scores_version: str | None = Field(
        None,
        description="The class's score sheet as read now (one class's GET, a class with a final "
        "test): send it as the `version` of the scores",
    )


class ClassFilter(Tabular):
    org: str | None = Field(None, max_length=40, description="Classes of this subtree")
    kind: codes(Kind, "") = Field("", description="A kind (default: any)")
    state: codes(State, "") = Field("", description="A state (default: any)")
    year: int | None = Field(None, ge=2000, le=2100, description="With a session in this year")
    limit: int = Field(100, ge=1, le=500)


class EnrolIn(Schema):
    member: int | None = Field(None, ge=1, le=MAX_ID, description="A party member's id")
    candidate: int | None = Field(None, ge=1, le=MAX_ID, description="An admission case's id")
    under: str | None = Field(
        None, max_length=40, description="With positions: the organisation whose subtree"
    )
    positions: list[codes(Position.Kind)] = Field(
        [], max_length=20, description="Enrol everyone holding one"
    )


class EnrolmentOut(Schema):
    # The enrolment's id under its own name: an "id" beside the person's name would read as the
    # member's record (the roll call names people by these ids).
    enrolment: int
    member: int | None
    candidate: int | None
    full_name: str
    organisation: str
    organisation_name: str
    status: codes(EnrolmentStatus)
    status_label: str
    position: int | None = Field(description="Place on the waiting list")
    attended: int = Field(description="Sessions attended")
    score: float | None
    result: codes(Result)
    result_label: str
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
    kind: KindCode
    kind_label: str
    organiser: str
    issued_on: date


class ReportFilter(Tabular):
    org: str = Field(..., max_length=40)
    date_from: Day = Field(..., alias="from")
    date_to: Day = Field(..., alias="to")


class ClassChangeIn(Schema):
    """The fields sent change, the others stay as they are. Unknown fields are refused (422
    naming them), not ignored."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, max_length=300)
    mode: ModeCode | None = None
    capacity: int | None = Field(None, ge=1, le=100000)
    location: str | None = Field(None, max_length=300)
    cluster: list[str] | None = Field(
        None, max_length=50, description="Codes of the commune-level organisations it serves"
    )
    online_link: str | None = Field(None, max_length=300)
    audience: str | None = Field(None, max_length=500)
    lecturers: str | None = Field(None, max_length=5000)
    min_attendance_percent: int | None = Field(
        None, ge=1, le=100, description="null: the rule in force"
    )
    pass_mark: float | None = Field(None, ge=0, le=10, description="null: no final test")
    version: str | None = VersionField()


class StateIn(Schema):
    state: StateCode = Field(
        ..., description="open (for enrolment), closed (under way, or again), or cancelled"
    )


class WithdrawIn(Schema):
    enrolment: int = Field(..., ge=1, le=MAX_ID, description="An enrolment's id of the class")


class WithdrawalOut(Schema):
    withdrawn: EnrolmentOut
    promoted: EnrolmentOut | None = Field(
        description="The first of the waiting list, who took the place"
    )


class ScoreIn(Schema):
    enrolment: int = Field(..., ge=1, le=MAX_ID, description="An enrolled person's enrolment id")
    score: float = Field(..., ge=0, le=10, description="0 to 10, at most two decimals")


class ScoresIn(Schema):
    scores: list[ScoreIn] = Field(..., max_length=5000)
    version: str | None = VersionField()


class ScoresOut(Schema):
    recorded: int


class MaterialIn(Schema):
    title: str = Field("", max_length=300)


class MaterialOut(Schema):
    id: int
    title: str
    name: str = Field(description="The file's name as sent")
    kind: codes(tuple(FILE_KINDS))
    size: int


class ParticipantsIn(Schema):
    confirm: bool = Field(
        False, description="false: a preview, nothing written; true: record the matched rows"
    )


class ParticipantRowOut(Schema):
    line: int
    name: str
    minutes: int | None
    status: codes(Match)
    status_label: str
    enrolment: int | None = Field(description="The enrolment matched")
    suggestion: int | None = Field(description="A misspelling: the enrolment it probably names")
    candidates: list[int] = Field(description="Ambiguous: the enrolments with this name")
    first_line: int | None = Field(description="A duplicate: the line of the earlier row")


class ParticipantsOut(Schema):
    rows: list[ParticipantRowOut]
    counts: dict[str, int] = Field(description="Rows by status")
    written: int = Field(description="People recorded present (0 for a preview)")


# --- as files (core.tables) -----------------------------------------------------------------

CLASSES = TableSpec(
    "classes",
    "Danh sách lớp bồi dưỡng chính trị",
    (
        Column("Tên lớp", key="title", width=36),
        Column("Mã đơn vị tổ chức", key="organisation", width=14),
        Column("Đơn vị tổ chức", key="organisation_name", width=28),
        Column("Loại lớp", key="kind_label", width=28),
        Column("Hình thức", key="mode_label", width=16),
        Column("Trạng thái", key="state_label", width=24),
        Column("Từ ngày", "date", 12, key="starts_on"),
        Column("Đến ngày", "date", 12, key="ends_on"),
        Column("Ngày hoàn thành", "date", 12, key="finished_on"),
        Column("Địa điểm", key="location", width=24),
        Column("Cụm xã", key="cluster", width=20),
        Column("Số học viên tối đa", "int", 10, key="capacity"),
        Column("Đã ghi danh", "int", 10, key="enrolled"),
        Column("Danh sách chờ", "int", 10, key="waiting"),
        Column("Đã rút", "int", 10, key="withdrawn"),
        Column("Mã lớp", "int", 10, key="id"),
    ),
)

ENROLMENTS = TableSpec(
    "enrolments",
    "Danh sách học viên lớp bồi dưỡng chính trị",
    (
        Column("Họ và tên", key="full_name", width=28),
        Column("Mã chi bộ", key="organisation", width=14),
        Column("Chi bộ", key="organisation_name", width=28),
        Column("Tình trạng", key="status_label", width=20),
        Column("Thứ tự chờ", "int", 10, key="position"),
        Column("Số buổi dự", "int", 10, key="attended"),
        Column("Điểm", "number", 8, key="score"),
        Column("Kết quả", key="result_label", width=18),
        Column("Số giấy chứng nhận", key="certificate", width=20),
    ),
)


def _kind_rows(report: dict) -> list[dict]:
    """The classes by kind (a row each, in the order of the kinds) and mode (a column each),
    as the report's page shows them."""
    rows: dict[str, dict] = {}
    for cell in report["by_kind_mode"]:
        row = rows.setdefault(
            cell["kind"],
            {"kind_label": cell["kind_label"], "total": 0, **dict.fromkeys(Mode.values, 0)},
        )
        row[cell["mode"]] += cell["classes"]
        row["total"] += cell["classes"]
    return [rows[k] for k in Kind.values if k in rows]


REPORT = TableSpec(
    "training-report",
    "Bồi dưỡng chính trị — số lớp theo loại và hình thức",
    (
        Column("Loại lớp", key="kind_label", width=40),
        Column("Trực tiếp", "int", 12, key=Mode.IN_PERSON.value),
        Column("Trực tuyến", "int", 12, key=Mode.ONLINE.value),
        Column("Kết hợp", "int", 12, key=Mode.HYBRID.value),
        Column("Tổng", "int", 10, key="total"),
    ),
    items=_kind_rows,
)


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
        "kind_label": str(c.get_kind_display()),
        "mode_label": str(c.get_mode_display()),
        "state_label": str(c.get_state_display()),
        "pass_mark": float(c.pass_mark) if c.pass_mark is not None else None,
        "cluster": [o.code for o in c.cluster.all()],
        "enrolled": c.enrolled_count,
        "waiting": c.waiting_count,
        "withdrawn": c.withdrawn_count,
        "sessions": [_session_out(s) for s in c.sessions.all()],
    }


def _session_out(s) -> dict:
    return {
        "id": s.pk,
        "day": s.day,
        "starts_at": s.starts_at.strftime("%H:%M"),
        "ends_at": s.ends_at.strftime("%H:%M"),
        "topic": s.topic,
        "lecturer": s.lecturer,
        "attendance_taken": s.attendance_taken,
    }


def _enrolment_out(e, attended: dict[int, int]) -> dict:
    """`attended`: sessions attended by enrolment id (training.selectors.attended_counts)."""
    return {
        "enrolment": e.pk,
        "member": e.member_id,
        "candidate": e.candidate_id,
        "full_name": e.full_name,
        "organisation": e.person_org.code,
        "organisation_name": e.person_org.name,
        "status": e.status,
        "status_label": str(e.get_status_display()),
        "position": e.position,
        "attended": attended.get(e.pk, 0),
        "score": float(e.score) if e.score is not None else None,
        "result": e.result,
        "result_label": str(e.get_result_display()),
        "certificate": getattr(e, "certificate_number", None),
    }


def _org(request, code: str, field: str, action: str = "training.manage"):
    org = org_get(actor=request.user, code=code, action=action)
    if org is None:
        raise ValidationError({field: _("No organisation with this code among yours.")})
    return org


# --- classes --------------------------------------------------------------------------------


@router.get("/classes", response=documented(list[ClassOut]), openapi_extra=tabular(CLASSES))
def classes(request, filters: Query[ClassFilter]):
    """Training classes in your scope, latest first. As a file (`format`): every class that
    matches, not only the first `limit`."""
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
    if filters.format != "json":
        items = (_out(c) for c in qs.iterator(chunk_size=2000))
        return table_response(CLASSES, filters.format, items, schema=ClassOut, org=org)
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
    """One class with its sessions and counts, and its `version` for an edit."""
    c = class_get(actor=request.user, pk=class_id)
    return _one(c)


def _one(c) -> dict:
    """One class, with the versions of the class and of its score sheet (core.editing)."""
    sheet = SCORE_SHEET.version(c) if c.pass_mark is not None else None
    return {**_out(c), "version": TRAINING_CLASS.version(c), "scores_version": sheet}


# What a change may set to null: the class then follows the rule in force, or holds no test.
CLEARABLE = ("min_attendance_percent", "pass_mark")


@router.post("/classes/{class_id}", response=edit_responses(ClassOut))
def class_change(request, payload: ClassChangeIn, class_id: int = Path(..., ge=1, le=MAX_ID)):
    """Change a class that is not finished or cancelled, as its edit page does: the fields
    sent, the others as they are (`min_attendance_percent` or `pass_mark` null: the rule in
    force, no final test). Checked as a whole as a new class is; a capacity below the people
    enrolled is refused, a larger one takes the first people of the waiting list in order."""
    c = class_get(actor=request.user, pk=class_id, action="training.manage")
    sent = payload.dict(exclude_unset=True)
    version = sent.pop("version", None)
    data = {k: v for k, v in sent.items() if v is not None or k in CLEARABLE}
    if "cluster" in data:
        data["cluster"] = [_org(request, code, "cluster") for code in data["cluster"]]
    class_update(actor=request.user, training_class=c, data=data, version=version)
    return _one(class_get(actor=request.user, pk=c.pk))


@router.post("/classes/{class_id}/state", response=documented(ClassOut))
def class_state(request, payload: StateIn, class_id: int = Path(..., ge=1, le=MAX_ID)):
    """Open the class for enrolment, close it (under way), reopen it or cancel it, as the
    class's page does; a class is finished by its completion (POST .../completion)."""
    c = class_get(actor=request.user, pk=class_id, action="training.manage")
    class_move(actor=request.user, training_class=c, to=payload.state)
    return _out(class_get(actor=request.user, pk=c.pk))


@router.post("/classes/{class_id}/sessions", response=documented(SessionOut, 201))
def session_new(request, payload: SessionIn, class_id: int = Path(..., ge=1, le=MAX_ID)):
    """Add a session to a class that is not finished or cancelled. It may fall between the
    others, but not overlap one."""
    c = class_get(actor=request.user, pk=class_id, action="training.manage")
    s = session_add(
        actor=request.user,
        training_class=c,
        session=SessionInput(
            payload.day, payload.starts_at, payload.ends_at, payload.topic, payload.lecturer
        ),
    )
    return Status(201, _session_out(s))


def _class_session(request, class_id: int, session_id: int):
    """The class (managed by the caller) and one of its sessions, or 404."""
    c = class_get(actor=request.user, pk=class_id, action="training.manage")
    s = ClassSession.objects.filter(training_class=c, pk=session_id).first()
    if s is None:
        raise Http404
    return c, s


@router.post("/classes/{class_id}/sessions/{session_id}/remove", response=documented(ClassOut))
def session_delete(
    request,
    class_id: int = Path(..., ge=1, le=MAX_ID),
    session_id: int = Path(..., ge=1, le=MAX_ID),
):
    """Take a session out of a class that is not finished or cancelled (a date entered
    wrongly: remove it and add it again). A session whose attendance is recorded took place:
    it stays. Answers the class as it is now."""
    c, s = _class_session(request, class_id, session_id)
    session_remove(actor=request.user, session=s)
    return _out(class_get(actor=request.user, pk=c.pk))


@router.post("/classes/{class_id}/materials", response=documented(MaterialOut, 201))
def material_add(
    request,
    payload: Form[MaterialIn],
    file: File[UploadedFile],
    class_id: int = Path(..., ge=1, le=MAX_ID),
):
    """Attach a document to a class that was not cancelled (multipart/form-data: `file`,
    `title`): the programme, slides, a reading, as PDF, DOCX, JPEG, PNG or WebP (its type read
    from its bytes), within the upload size limit."""
    c = class_get(actor=request.user, pk=class_id, action="training.manage")
    m = material_attach(actor=request.user, training_class=c, upload=file, title=payload.title)
    return Status(
        201, {"id": m.pk, "title": m.title, "name": m.name, "kind": m.kind, "size": m.size}
    )


@router.get(
    "/classes/{class_id}/enrolments",
    response=documented(list[EnrolmentOut]),
    openapi_extra=tabular(ENROLMENTS),
)
def enrolments(request, filters: Query[Tabular], class_id: int = Path(..., ge=1, le=MAX_ID)):
    """The class's people: enrolled (by name), waiting (in order), withdrawn. The file is
    titled with the class's organiser and dates."""
    c = class_get(actor=request.user, pk=class_id)
    roll, attended = class_roll(c), attended_counts(c)
    rows = [
        _enrolment_out(e, attended)
        for status in (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITING, EnrolmentStatus.WITHDRAWN)
        for e in roll[status]
    ]
    if filters.format != "json":
        period = (c.starts_on, c.ends_on) if c.starts_on and c.ends_on else None
        return table_response(
            ENROLMENTS,
            filters.format,
            rows,
            schema=EnrolmentOut,
            org=c.organisation,
            period=period,
        )
    return rows


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
    return Status(201, _enrolment_out(e, {}))


@router.post("/classes/{class_id}/withdrawals", response=documented(WithdrawalOut, 201))
def withdraw(request, payload: WithdrawIn, class_id: int = Path(..., ge=1, le=MAX_ID)):
    """Take a person out of a class that is planned or open, as the class's page does: an
    enrolled person's place goes to the first of the waiting list; a waiting person leaves the
    queue."""
    c = class_get(actor=request.user, pk=class_id, action="training.manage")
    e = c.enrolments.filter(pk=payload.enrolment).first()
    if e is None:
        raise ValidationError({"enrolment": _("Choose a person of this class.")})
    done = enrolment_withdraw(actor=request.user, enrolment=e)
    people = {x.pk: x for rows in class_roll(c).values() for x in rows}
    attended = attended_counts(c)
    promoted = done.promoted
    return Status(
        201,
        {
            "withdrawn": _enrolment_out(people[e.pk], attended),
            "promoted": _enrolment_out(people[promoted.pk], attended) if promoted else None,
        },
    )


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


@router.post(
    "/classes/{class_id}/sessions/{session_id}/participants",
    response=documented(ParticipantsOut, 201),
)
def participants(
    request,
    payload: Form[ParticipantsIn],
    file: File[UploadedFile],
    class_id: int = Path(..., ge=1, le=MAX_ID),
    session_id: int = Path(..., ge=1, le=MAX_ID),
):
    """An online platform's participant list (CSV, at most 1 MB) for a session that has taken
    place (multipart/form-data: `file`, `confirm`), as the session's import page takes it:
    each row matched against the people enrolled (matched, unknown, ambiguous, duplicate,
    probable misspelling). `confirm=false` previews and writes nothing; `confirm=true` (the
    same file) records the matched rows present, with their minutes online where the list has
    them, and leaves every other row out."""
    c, s = _class_session(request, class_id, session_id)
    if file.size > LIST_LIMIT:
        raise ValidationError({"file": _("The file is larger than 1 MB.")})
    content = file.read(LIST_LIMIT + 1)
    run = attendance_import_confirm if payload.confirm else attendance_import_preview
    found = run(actor=request.user, session=s, content=content)
    rows = [
        {
            "line": r.row.line,
            "name": r.row.name,
            "minutes": r.row.minutes,
            "status": r.status,
            "status_label": str(Match(r.status).label),
            "enrolment": r.enrolment_id,
            "suggestion": r.suggestion.enrolment_id if r.suggestion else None,
            "candidates": list(r.candidates),
            "first_line": r.first_line,
        }
        for r in found.rows
    ]
    return Status(201, {"rows": rows, "counts": found.counts, "written": found.written})


@router.post("/classes/{class_id}/scores", response=edit_responses(ScoresOut, 201))
def scores(request, payload: ScoresIn, class_id: int = Path(..., ge=1, le=MAX_ID)):
    """Record the final test's scores of enrolled people (by enrolment id), as the scores page
    does, before the class is finished; those not named keep theirs. Only a class with a pass
    mark holds a final test. `version`: the class's `scores_version` as read (GET
    /classes/{id}); a score changed since refuses the whole sheet (409, each change's field is
    "e" and the enrolment id)."""
    c = class_get(actor=request.user, pk=class_id, action="training.manage")
    n = scores_record(
        actor=request.user,
        training_class=c,
        scores={row.enrolment: row.score for row in payload.scores},
        version=payload.version,
    )
    return Status(201, {"recorded": n})


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


@router.get("/reports/training", response=documented(dict), openapi_extra=tabular(REPORT))
def report(request, filters: Query[ReportFilter]):
    """For a subtree and period (classes with a session in it): classes by kind and mode,
    participants, completion rate, participants by gender and ethnicity, the travel burden
    (people of in-person classes coming from outside the class's communes). As a file
    (`format`): the classes by kind and mode (an export, recorded in the audit trail as the
    page's workbook is; that workbook has every figure)."""
    org = org_get_or_404(actor=request.user, code=filters.org, action="training.view")
    if filters.date_from > filters.date_to:
        raise ValidationError({"from": _("The start of the period is after its end.")})
    period = (filters.date_from, filters.date_to)
    r = training_report(actor=request.user, organisation=org, start=period[0], end=period[1])
    found = report_dict(r, org, *period)
    if filters.format != "json":
        report_served(
            actor=request.user,
            org=org,
            kind="training",
            via=filters.format,
            params={"from": period[0], "to": period[1]},
        )
        return table_response(REPORT, filters.format, found, org=org, period=period)
    return found
