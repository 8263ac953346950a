"""API v1, cell meetings: plan a meeting or a year of them, record what happened with the
attendance, approve (lock) and correct the minutes, evaluate; supervision assignments and
their visits; member tasks; the meetings report of a subtree; the files of a meeting (the
resolution, the minutes), attached, removed and downloaded as on its page."""

from datetime import date, time

from django.http import Http404
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from dangvu.accounts.scoping import get_or_404, restrict
from dangvu.core.apischema import (
    FILE_DOWNLOAD,
    MAX_ID,
    Clock,
    Day,
    StoredFileOut,
    codes,
    documented,
)
from dangvu.core.dates import time_of_day
from dangvu.core.db import prefix_q
from dangvu.core.editing import VersionField, edit_responses
from dangvu.core.errors import ValidationError
from dangvu.core.tables import Column, TableSpec, Tabular, table_response, tabular
from dangvu.core.uploads import download
from dangvu.meetings.choices import Absence, Evaluator, Kind, Level, State, TaskState
from dangvu.meetings.models import Meeting, MeetingFile, MemberTask, Supervision
from dangvu.meetings.selectors import (
    attendance_of,
    meeting_file,
    meeting_get,
    meeting_list,
    meetings_report,
)
from dangvu.meetings.services import (
    CORRECTABLE,
    MEETING_RECORD,
    TASK_REVIEW,
    meeting_approve,
    meeting_attach,
    meeting_correct,
    meeting_detach,
    meeting_evaluate,
    meeting_plan,
    meeting_record,
    meetings_plan_year,
    quality_test,
    supervision_assign,
    task_assign,
    task_review,
    visit_report,
)
from dangvu.members.selectors import member_get
from dangvu.organisations.selectors import org_get, org_get_or_404
from dangvu.stats.services import report_served

__all__ = ["router"]

router = Router(tags=["meetings"])

KindCode = codes(Kind)
StateCode = codes(State)
TaskStateCode = codes(TaskState)
EvaluatorCode = codes(Evaluator)
FileRoleCode = codes(MeetingFile.Role)


class MeetingOut(Schema):
    id: int
    organisation: str
    organisation_name: str
    kind: KindCode
    kind_label: str
    state: StateCode
    state_label: str
    planned_on: date
    starts_at: str | None = Field(None, description="HH:MM")
    place: str
    online_link: str
    topic: str
    agenda: str
    held_on: date | None
    started_at: str | None = Field(None, description="HH:MM")
    ended_at: str | None = Field(None, description="HH:MM")
    minutes_long: int | None
    chair: int | None
    minute_taker: int | None
    guests: str
    content: str
    resolution: str
    minutes: str
    roster: int
    away: int
    convened: int
    present: int
    excused: int
    unexcused: int
    exempt_absent: int
    quorum_base: int
    official_present: int
    valid: bool | None
    quality_failed: list[str] = Field(
        description="Conditions of the 2018 quality test the recorded meeting fails"
    )
    approved_on: date | None


class MeetingFileOut(StoredFileOut):
    role: FileRoleCode = Field(description="Which document the file is")
    role_label: str


class MeetingFull(MeetingOut):
    files: list[MeetingFileOut] = Field(description="The resolution, the minutes, other files")
    version: str = Field(description="The meeting's record as read now: send it when recording")


class MeetingFileIn(Schema):
    role: FileRoleCode = Field(
        MeetingFile.Role.RESOLUTION.value, description="Which document the file is"
    )
    reason: str = Field(
        "",
        max_length=300,
        description="Why a file is added to approved minutes (required then; kept as a "
        "correction of the record)",
    )


class MeetingIn(Schema):
    org: str = Field(..., max_length=40, description="The party cell's code")
    kind: KindCode = Field(Kind.REGULAR.value, description="The kind of meeting")
    planned_on: Day
    starts_at: Clock | None = None
    topic: str = Field("", max_length=300)
    agenda: str = Field("", max_length=5000)
    place: str = Field("", max_length=200)
    online_link: str = Field("", max_length=300)


class CalendarIn(Schema):
    org: str = Field(..., max_length=40, description="The party cell's code")
    year: int = Field(..., ge=2000, le=2100)
    day: int = Field(..., ge=1, le=31, description="Day of the month (the last when shorter)")
    starts_at: Clock | None = None
    place: str = Field("", max_length=200)
    thematic_months: list[int] = Field([], max_length=12, description="Months with a thematic one")
    thematic_topic: str = Field("", max_length=300)


class MeetingFilter(Tabular):
    org: str | None = Field(None, max_length=40, description="Meetings of this subtree")
    date_from: Day | None = Field(None, alias="from")
    date_to: Day | None = Field(None, alias="to")
    kind: codes(Kind, "") = Field("", description="A kind (default: any)")
    state: codes(State, "") = Field("", description="A state (default: any)")
    limit: int = Field(100, ge=1, le=500)


class AbsenceIn(Schema):
    member: int = Field(..., ge=1, le=MAX_ID)
    kind: codes(Absence) = Field(..., description="Excused or not")
    reason: str = Field("", max_length=200)


class RecordIn(Schema):
    held_on: Day
    started_at: Clock | None = None
    ended_at: Clock | None = None
    chair: int | None = Field(None, ge=1, le=MAX_ID, description="A member present")
    minute_taker: int | None = Field(None, ge=1, le=MAX_ID, description="A member present")
    absences: list[AbsenceIn] = Field(
        [], max_length=1000, description="Those absent; everyone else of the cell was present"
    )
    guests: str = Field("", max_length=2000)
    content: str = Field("", max_length=20000)
    resolution: str = Field("", max_length=20000)
    minutes: str = Field("", max_length=50000)
    version: str | None = VersionField()


class AttendanceOut(Schema):
    member: int
    full_name: str
    official: bool
    exempted: bool
    away: bool
    attendance: codes(("present", *Absence.values, "away"))
    attendance_label: str
    reason: str


class ApprovalIn(Schema):
    on: Day | None = Field(None, description="Approved on (default: today)")


class CorrectionIn(Schema):
    changes: dict[str, str | None] = Field(
        ..., max_length=len(CORRECTABLE), description=" | ".join(CORRECTABLE)
    )
    reason: str = Field(..., max_length=300)


class EvaluationIn(Schema):
    by: EvaluatorCode = Field(Evaluator.CELL.value, description="Who evaluates")
    scores: dict[str, int] = Field(..., max_length=30, description="{criterion: points}")
    scorer_name: str = Field("", max_length=150)
    strengths: str = Field("", max_length=5000)
    weaknesses: str = Field("", max_length=5000)


class EvaluationOut(Schema):
    by: EvaluatorCode
    scores: dict
    total: int
    level: codes(Level)
    sheet: str
    strengths: str
    weaknesses: str


class SupervisionIn(Schema):
    committee: str = Field(..., max_length=40, description="The assigning committee's code")
    cell: str = Field(..., max_length=40, description="The supervised cell's code")
    supervisor: str = Field(..., max_length=150, description="The supervisor's user name")
    valid_from: Day
    valid_to: Day | None = None
    note: str = Field("", max_length=300)


class SupervisionOut(Schema):
    id: int
    committee: str
    committee_name: str
    cell: str
    cell_name: str
    supervisor: str
    valid_from: date
    valid_to: date | None
    note: str


class VisitIn(Schema):
    meeting: int = Field(..., ge=1, le=MAX_ID)
    attended: bool
    notes: str = Field("", max_length=5000)


class TaskIn(Schema):
    member: int = Field(..., ge=1, le=MAX_ID)
    title: str = Field(..., max_length=300)
    suited_to: str = Field(
        ..., max_length=300, description="How it suits the member's ability, conditions, health"
    )
    assigned_on: Day
    due_on: Day
    detail: str = Field("", max_length=5000)
    meeting: int | None = Field(None, ge=1, le=MAX_ID, description="Given at this meeting")


class TaskOut(Schema):
    id: int
    member: int
    member_name: str
    cell: str
    cell_name: str
    title: str
    suited_to: str
    detail: str
    assigned_on: date
    due_on: date
    state: TaskStateCode
    state_label: str
    reviewed_on: date | None
    review: str
    version: str | None = Field(
        None, description="The task's review as read now (not in files): send it when reviewing"
    )


class ReviewIn(Schema):
    state: codes(s.value for s in TaskState if s != TaskState.OPEN) = Field(
        ..., description="The outcome"
    )
    on: Day
    review: str = Field("", max_length=5000)
    meeting: int | None = Field(None, ge=1, le=MAX_ID)
    version: str | None = VersionField()


class SupervisionFilter(Tabular):
    org: str | None = Field(None, max_length=40, description="Assignments in this subtree")


class TaskFilter(Tabular):
    org: str | None = Field(None, max_length=40)
    member: int | None = Field(None, ge=1, le=MAX_ID)
    state: codes(TaskState, "") = Field("", description="A state (default: any)")
    limit: int = Field(200, ge=1, le=1000)


class ReportFilter(Tabular):
    org: str = Field(..., max_length=40)
    date_from: Day = Field(..., alias="from")
    date_to: Day = Field(..., alias="to")


# --- as files (core.tables) -----------------------------------------------------------------

MEETINGS = TableSpec(
    "meetings",
    "Danh sách buổi sinh hoạt chi bộ",
    (
        Column("Mã chi bộ", key="organisation", width=14),
        Column("Chi bộ", key="organisation_name", width=28),
        Column("Loại sinh hoạt", key="kind_label", width=20),
        Column("Chủ đề", key="topic", width=30),
        Column("Ngày dự kiến", "date", 12, key="planned_on"),
        Column("Giờ bắt đầu", key="starts_at", width=10),
        Column("Địa điểm", key="place", width=24),
        Column("Trạng thái", key="state_label", width=24),
        Column("Ngày họp", "date", 12, key="held_on"),
        Column("Thời lượng (phút)", "int", 10, key="minutes_long"),
        Column("Số đảng viên triệu tập", "int", 12, key="convened"),
        Column("Có mặt", "int", 10, key="present"),
        Column("Vắng có lý do", "int", 10, key="excused"),
        Column("Vắng không lý do", "int", 10, key="unexcused"),
        Column("Hợp lệ", key="valid", width=10),
        Column("Ngày thông qua biên bản", "date", 12, key="approved_on"),
        Column("Mã buổi sinh hoạt", "int", 10, key="id"),
    ),
)

ATTENDANCE = TableSpec(
    "attendance",
    "Danh sách đảng viên dự sinh hoạt chi bộ",
    (
        Column("Họ và tên", key="full_name", width=28),
        Column("Đảng viên chính thức", key="official", width=12),
        Column("Miễn sinh hoạt", key="exempted", width=12),
        Column("Tham dự", key="attendance_label", width=30),
        Column("Lý do", key="reason", width=30),
    ),
)

SUPERVISIONS = TableSpec(
    "supervision",
    "Phân công cấp ủy viên theo dõi, dự sinh hoạt chi bộ",
    (
        Column("Mã cấp ủy", key="committee", width=14),
        Column("Cấp ủy phân công", key="committee_name", width=28),
        Column("Mã chi bộ", key="cell", width=14),
        Column("Chi bộ", key="cell_name", width=28),
        Column("Người theo dõi", key="supervisor", width=24),
        Column("Từ ngày", "date", 12, key="valid_from"),
        Column("Đến ngày", "date", 12, key="valid_to"),
        Column("Ghi chú", key="note", width=30),
    ),
)

TASKS = TableSpec(
    "tasks",
    "Danh sách nhiệm vụ giao cho đảng viên",
    (
        Column("Họ và tên", key="member_name", width=28),
        Column("Mã chi bộ", key="cell", width=14),
        Column("Chi bộ", key="cell_name", width=28),
        Column("Nhiệm vụ", key="title", width=36),
        Column("Phù hợp với", key="suited_to", width=30),
        Column("Ngày giao", "date", 12, key="assigned_on"),
        Column("Hạn hoàn thành", "date", 12, key="due_on"),
        Column("Trạng thái", key="state_label", width=18),
        Column("Ngày đánh giá", "date", 12, key="reviewed_on"),
        Column("Nhận xét", key="review", width=30),
        Column("Mã nhiệm vụ", "int", 10, key="id"),
    ),
)


def _children(report: dict) -> list[dict]:
    """The report's organisations directly under the subtree, each quality level counted (a
    level with no meeting is 0 in the file, absent from the JSON)."""
    return [
        {**c, "quality": {level: c["quality"].get(level, 0) for level in Level.values}}
        for c in report["children"]
    ]


REPORT = TableSpec(
    "meetings-report",
    "Tình hình sinh hoạt chi bộ theo đơn vị trực thuộc",
    (
        Column("Mã đơn vị", key="code", width=14),
        Column("Tên đơn vị", key="name", width=30),
        Column("Số chi bộ", "int", 10, key="cells"),
        Column("Số buổi sinh hoạt đã họp", "int", 12, key="meetings_held"),
        Column("Tỷ lệ chi bộ sinh hoạt hằng tháng (%)", "number", 14, key="monthly_share"),
        Column("Tỷ lệ đảng viên dự sinh hoạt (%)", "number", 14, key="attendance_rate"),
        Column("Số buổi không hợp lệ", "int", 12, key="invalid"),
        Column("Xếp loại Tốt", "int", 10, key="quality.good"),
        Column("Xếp loại Khá", "int", 10, key="quality.fair"),
        Column("Xếp loại Trung bình", "int", 10, key="quality.average"),
        Column("Xếp loại Kém", "int", 10, key="quality.poor"),
        Column("Số chi bộ được giám sát dự sinh hoạt", "int", 14, key="visited_cells"),
        Column("Số đảng viên phải sinh hoạt", "int", 12, key="active_members"),
        Column("Số đảng viên được giao nhiệm vụ", "int", 12, key="with_task"),
        Column("Tỷ lệ đảng viên được giao nhiệm vụ (%)", "number", 14, key="task_share"),
    ),
    items=_children,
)

# What a member's attendance is called in the file (the codes are the JSON's).
ATTENDANCE_LABELS = {
    "present": gettext_lazy("Present"),
    Absence.EXCUSED: Absence.EXCUSED.label,
    Absence.UNEXCUSED: Absence.UNEXCUSED.label,
    "away": gettext_lazy("temporarily elsewhere"),
}


# --- answers --------------------------------------------------------------------------------


def _out(m: Meeting) -> dict:
    out = {
        "id": m.pk,
        "organisation": m.organisation.code,
        "organisation_name": m.organisation.name,
        **{
            name: getattr(m, name)
            for name in (
                "kind",
                "state",
                "planned_on",
                "starts_at",
                "place",
                "online_link",
                "topic",
                "agenda",
                "held_on",
                "started_at",
                "ended_at",
                "minutes_long",
                "guests",
                "content",
                "resolution",
                "minutes",
                "roster",
                "away",
                "convened",
                "present",
                "excused",
                "unexcused",
                "exempt_absent",
                "quorum_base",
                "official_present",
                "valid",
                "approved_on",
            )
        },
        "chair": m.chair_id,
        "minute_taker": m.minute_taker_id,
        "quality_failed": quality_test(m) if m.state in (State.HELD, State.APPROVED) else [],
    }
    for name in ("starts_at", "started_at", "ended_at"):
        out[name] = out[name].strftime("%H:%M") if out[name] else None
    out["kind_label"] = str(m.get_kind_display())
    out["state_label"] = str(m.get_state_display())
    return out


def _file_out(f: MeetingFile) -> dict:
    return {
        "id": f.pk,
        "role": f.role,
        "role_label": str(f.get_role_display()),
        "name": f.name,
        "kind": f.kind,
        "size": f.size,
        "uploaded_at": f.uploaded_at,
        "url": f"/api/v1/meetings/{f.meeting_id}/files/{f.pk}",
    }


def _full(m: Meeting) -> dict:
    """One meeting with its files (as its page lists them)."""
    return {
        **_out(m),
        "files": [_file_out(f) for f in m.files.all()],
        "version": MEETING_RECORD.version(m),
    }


def _attendance_out(row: dict) -> dict:
    return {**row, "attendance_label": capfirst(str(ATTENDANCE_LABELS[row["attendance"]]))}


def _task_out(t: MemberTask, *, version: bool = True) -> dict:
    """`version`: with the review's version (core.editing; a file leaves it out)."""
    return {
        "id": t.pk,
        "member": t.member_id,
        "member_name": t.member.full_name,
        "cell": t.organisation.code,
        "cell_name": t.organisation.name,
        "title": t.title,
        "suited_to": t.suited_to,
        "detail": t.detail,
        "assigned_on": t.assigned_on,
        "due_on": t.due_on,
        "state": t.state,
        "state_label": str(t.get_state_display()),
        "reviewed_on": t.reviewed_on,
        "review": t.review,
        "version": TASK_REVIEW.version(t) if version else None,
    }


def _supervision_out(s: Supervision) -> dict:
    return {
        "id": s.pk,
        "committee": s.committee.code,
        "committee_name": s.committee.name,
        "cell": s.organisation.code,
        "cell_name": s.organisation.name,
        "supervisor": s.supervisor_name,
        "valid_from": s.valid_from,
        "valid_to": s.valid_to,
        "note": s.note,
    }


def _member(request, pk: int | None, field: str):
    if pk is None:
        return None
    try:
        return member_get(actor=request.user, pk=pk)
    except Http404:
        raise ValidationError({field: f"No member {pk} among yours."}) from None


def _cell(request, code: str, field: str = "org"):
    org = org_get(actor=request.user, code=code, action="meetings.manage")
    if org is None:
        raise ValidationError({field: "No party cell with this code among yours."})
    return org


def _meeting(request, pk: int | None, field: str = "meeting"):
    if pk is None:
        return None
    try:
        return meeting_get(actor=request.user, pk=pk)
    except Http404:
        raise ValidationError({field: f"No meeting {pk} among yours."}) from None


# --- meetings -------------------------------------------------------------------------------


@router.get("/meetings", response=documented(list[MeetingOut]), openapi_extra=tabular(MEETINGS))
def meetings(request, filters: Query[MeetingFilter]):
    """Meetings in your scope, latest first; a member sees those of their own cell. As a file
    (`format`): every meeting that matches, not only the first `limit`."""
    org = None
    if filters.org:
        org = org_get_or_404(actor=request.user, code=filters.org, action="meetings.view")
    qs = meeting_list(
        actor=request.user,
        org=org,
        date_from=filters.date_from,
        date_to=filters.date_to,
        kind=filters.kind,
        state=filters.state,
    ).select_related("organisation")
    if filters.format != "json":
        items = (_out(m) for m in qs.iterator(chunk_size=2000))
        period = (filters.date_from, filters.date_to)
        return table_response(
            MEETINGS,
            filters.format,
            items,
            schema=MeetingOut,
            org=org,
            period=period if all(period) else None,
        )
    return [_out(m) for m in qs[: filters.limit]]


@router.post("/meetings", response=documented(MeetingOut, 201))
def meeting_add(request, payload: MeetingIn):
    """Plan a meeting of a cell: kind, day, time, topic (a thematic meeting's is required),
    agenda, place or online link."""
    data = payload.dict()
    org = _cell(request, data.pop("org"))
    m = meeting_plan(actor=request.user, organisation=org, **data)
    return Status(201, _out(meeting_get(actor=request.user, pk=m.pk)))


@router.post("/meetings/calendar", response=documented(list[MeetingOut], 201))
def meeting_calendar(request, payload: CalendarIn):
    """Plan a year of a cell's meetings from a rule: a regular one on `day` of every month, a
    thematic one in each of `thematic_months`. Months that have one keep it."""
    data = payload.dict()
    org = _cell(request, data.pop("org"))
    data["thematic_months"] = tuple(data["thematic_months"])
    made = meetings_plan_year(actor=request.user, organisation=org, **data)
    return Status(201, [_out(meeting_get(actor=request.user, pk=m.pk)) for m in made])


@router.get("/meetings/{meeting_id}", response=documented(MeetingFull))
def meeting(request, meeting_id: int = Path(..., ge=1, le=MAX_ID)):
    """One meeting with what its attendance adds up to, and its files."""
    return _full(meeting_get(actor=request.user, pk=meeting_id))


@router.post("/meetings/{meeting_id}/files", response=documented(MeetingFileOut, 201))
def file_attach(
    request,
    payload: Form[MeetingFileIn],
    file: File[UploadedFile],
    meeting_id: int = Path(..., ge=1, le=MAX_ID),
):
    """Attach a file to a planned or held meeting (multipart/form-data: `file`, `role`,
    `reason`): the resolution, the minutes or another document as PDF or DOCX, or a photo of
    the signed page (JPEG, PNG, WebP), its type read from its bytes and its size checked.
    Approved minutes take a file only with a `reason`, kept as a correction."""
    m = meeting_get(actor=request.user, pk=meeting_id, action="meetings.manage")
    f = meeting_attach(
        actor=request.user, meeting=m, upload=file, role=payload.role, reason=payload.reason
    )
    return Status(201, _file_out(f))


@router.get(
    "/meetings/{meeting_id}/files/{file_id}",
    response=documented(None),
    openapi_extra=FILE_DOWNLOAD,
)
def file_download(
    request,
    meeting_id: int = Path(..., ge=1, le=MAX_ID),
    file_id: int = Path(..., ge=1, le=MAX_ID),
):
    """A file of a meeting you may see, as a download under its sender's name (its type is
    the one read from its bytes when it was attached)."""
    f = meeting_file(actor=request.user, meeting_id=meeting_id, file_id=file_id)
    return download(f)


@router.post("/meetings/{meeting_id}/files/{file_id}/remove", response=documented(MeetingFull))
def file_detach(
    request,
    meeting_id: int = Path(..., ge=1, le=MAX_ID),
    file_id: int = Path(..., ge=1, le=MAX_ID),
):
    """Remove a file attached by mistake, while the minutes are not approved (after that the
    file is part of the record). The answer is the meeting with the files it keeps."""
    m = meeting_get(actor=request.user, pk=meeting_id, action="meetings.manage")
    meeting_detach(actor=request.user, meeting=m, file_id=file_id)
    return _full(meeting_get(actor=request.user, pk=m.pk))


@router.get(
    "/meetings/{meeting_id}/attendance",
    response=documented(list[AttendanceOut]),
    openapi_extra=tabular(ATTENDANCE),
)
def attendance(request, filters: Query[Tabular], meeting_id: int = Path(..., ge=1, le=MAX_ID)):
    """Every member of the cell on the meeting's day with their attendance. The file is
    titled with the cell and the meeting's day."""
    m = meeting_get(actor=request.user, pk=meeting_id)
    rows = [_attendance_out(row) for row in attendance_of(m)]
    if filters.format != "json":
        day = m.held_on or m.planned_on
        return table_response(
            ATTENDANCE,
            filters.format,
            rows,
            schema=AttendanceOut,
            org=m.organisation,
            period=(day, day),
        )
    return rows


@router.post("/meetings/{meeting_id}/attendance", response=edit_responses(MeetingOut, 201))
def attendance_record(request, payload: RecordIn, meeting_id: int = Path(..., ge=1, le=MAX_ID)):
    """Record the meeting: the day and times, chair and minute-taker, those absent (everyone
    else of the cell was present), guests, content, resolution, minutes. The counts, the
    quorum and the quality test follow. Refused once the minutes are approved."""
    m = meeting_get(actor=request.user, pk=meeting_id, action="meetings.manage")
    data = payload.dict()
    absences = {}
    for a in data.pop("absences"):
        if a["member"] in absences:
            raise ValidationError({"absences": f"Member {a['member']} is listed twice."})
        absences[a["member"]] = (a["kind"], a["reason"])
    data["chair"] = _member(request, data["chair"], "chair")
    data["minute_taker"] = _member(request, data["minute_taker"], "minute_taker")
    meeting_record(actor=request.user, meeting=m, absences=absences, **data)
    return Status(201, _out(meeting_get(actor=request.user, pk=m.pk)))


@router.post("/meetings/{meeting_id}/approval", response=documented(MeetingOut, 201))
def approval(request, payload: ApprovalIn, meeting_id: int = Path(..., ge=1, le=MAX_ID)):
    """Approve the minutes: the meeting is locked; later changes are corrections."""
    m = meeting_get(actor=request.user, pk=meeting_id, action="meetings.manage")
    meeting_approve(actor=request.user, meeting=m, on=payload.on)
    return Status(201, _out(meeting_get(actor=request.user, pk=m.pk)))


@router.post("/meetings/{meeting_id}/corrections", response=documented(MeetingOut, 201))
def correction(request, payload: CorrectionIn, meeting_id: int = Path(..., ge=1, le=MAX_ID)):
    """Correct approved minutes: each changed field is kept with its former value and the
    reason."""
    m = meeting_get(actor=request.user, pk=meeting_id, action="meetings.manage")
    changes = dict(payload.changes)
    for name in ("started_at", "ended_at"):
        if changes.get(name):
            try:
                changes[name] = time_of_day(time.fromisoformat(str(changes[name])))
            except ValueError:
                raise ValidationError(
                    {name: _("Enter a time of day as HH:MM, without a time zone.")}
                ) from None
    meeting_correct(actor=request.user, meeting=m, changes=changes, reason=payload.reason)
    return Status(201, _out(meeting_get(actor=request.user, pk=m.pk)))


@router.post("/meetings/{meeting_id}/evaluation", response=documented(EvaluationOut, 201))
def evaluation(request, payload: EvaluationIn, meeting_id: int = Path(..., ge=1, le=MAX_ID)):
    """Score the meeting on the scoring sheet of its province and day, by the cell or by the
    supervising committee member; the quality level follows."""
    m = meeting_get(actor=request.user, pk=meeting_id)
    e = meeting_evaluate(actor=request.user, meeting=m, **payload.dict())
    return Status(
        201,
        {
            name: getattr(e, name)
            for name in ("by", "scores", "total", "level", "sheet", "strengths", "weaknesses")
        },
    )


# --- supervision ----------------------------------------------------------------------------


@router.get(
    "/supervision",
    response=documented(list[SupervisionOut]),
    openapi_extra=tabular(SUPERVISIONS),
)
def supervisions(request, filters: Query[SupervisionFilter]):
    """Supervision assignments in your scope (and your own as a supervisor), the first 1000;
    as a file (`format`), every one."""
    qs = restrict(Supervision.objects.all(), request.user, "meetings.view")
    found = None
    if filters.org:
        found = org_get_or_404(actor=request.user, code=filters.org, action="meetings.view")
        qs = qs.filter(prefix_q("org_path", found.path))
    qs = qs.select_related("committee", "organisation").order_by("org_path", "-valid_from")
    if filters.format != "json":
        items = (_supervision_out(s) for s in qs.iterator(chunk_size=2000))
        return table_response(SUPERVISIONS, filters.format, items, schema=SupervisionOut, org=found)
    return [_supervision_out(s) for s in qs[:1000]]


@router.post("/supervision", response=documented(SupervisionOut, 201))
def supervision_add(request, payload: SupervisionIn):
    """Assign a supervisor to a cell under the committee for a period."""
    from django.contrib.auth import get_user_model

    committee = org_get(actor=request.user, code=payload.committee, action="meetings.manage")
    if committee is None:
        raise ValidationError({"committee": "No committee with this code among yours."})
    cell = org_get(actor=request.user, code=payload.cell, action="meetings.view")
    if cell is None:
        raise ValidationError({"cell": "No party cell with this code among yours."})
    user = get_user_model().objects.filter(username=payload.supervisor, is_active=True).first()
    s = supervision_assign(
        actor=request.user,
        committee=committee,
        cell=cell,
        supervisor=user,
        valid_from=payload.valid_from,
        valid_to=payload.valid_to,
        note=payload.note,
    )
    return Status(201, _supervision_out(s))


@router.post("/supervision/{supervision_id}/visits", response=documented(dict, 201))
def visit(request, payload: VisitIn, supervision_id: int = Path(..., ge=1, le=MAX_ID)):
    """Report a visit: whether the supervisor attended the meeting, and their notes."""
    s = get_or_404(request.user, Supervision, "meetings.view", pk=supervision_id)
    m = _meeting(request, payload.meeting)
    v = visit_report(
        actor=request.user, supervision=s, meeting=m, attended=payload.attended, notes=payload.notes
    )
    return Status(201, {"meeting": m.pk, "attended": v.attended, "notes": v.notes})


# --- tasks ----------------------------------------------------------------------------------


@router.get("/tasks", response=documented(list[TaskOut]), openapi_extra=tabular(TASKS))
def tasks(request, filters: Query[TaskFilter]):
    """Member tasks in your scope (a member: their own), by due date. As a file (`format`):
    every task that matches, not only the first `limit`."""
    qs = restrict(MemberTask.objects.all(), request.user, "meetings.view")
    found = None
    if filters.org:
        found = org_get_or_404(actor=request.user, code=filters.org, action="meetings.view")
        qs = qs.filter(prefix_q("org_path", found.path))
    if filters.member:
        qs = qs.filter(member_id=filters.member)
    if filters.state:
        qs = qs.filter(state=filters.state)
    qs = qs.select_related("organisation", "member").order_by("due_on", "pk")
    if filters.format != "json":
        items = (_task_out(t, version=False) for t in qs.iterator(chunk_size=2000))
        return table_response(TASKS, filters.format, items, schema=TaskOut, org=found)
    return [_task_out(t) for t in qs[: filters.limit]]


@router.post("/tasks", response=documented(TaskOut, 201))
def task_add(request, payload: TaskIn):
    """Give a member of a cell a concrete task suited to their ability, conditions and health."""
    member = _member(request, payload.member, "member")
    data = payload.dict()
    data.pop("member")
    data["meeting"] = _meeting(request, data["meeting"])
    t = task_assign(actor=request.user, member=member, **data)
    return Status(201, _task_out(t))


@router.post("/tasks/{task_id}/review", response=edit_responses(TaskOut, 201))
def task_reviewed(request, payload: ReviewIn, task_id: int = Path(..., ge=1, le=MAX_ID)):
    """Review a task: done, not done or cancelled, usually at a meeting; again, over the review
    before (`version`: the task as read from GET /tasks)."""
    t = get_or_404(request.user, MemberTask, "meetings.manage", pk=task_id)
    data = payload.dict()
    data["meeting"] = _meeting(request, data["meeting"])
    t = task_review(actor=request.user, task=t, **data)
    return Status(201, _task_out(t))


# --- the report -----------------------------------------------------------------------------


@router.get("/reports/meetings", response=documented(dict), openapi_extra=tabular(REPORT))
def report(request, filters: Query[ReportFilter]):
    """For a subtree and period: cells that held each monthly meeting (and which did not),
    attendance, quality levels, supervision coverage (cells not visited), task coverage. As a
    file (`format`): the figures of each organisation directly under it (an export, recorded
    in the audit trail as the dashboard's workbook is)."""
    org = org_get_or_404(actor=request.user, code=filters.org, action="meetings.view")
    if filters.date_from > filters.date_to:
        raise ValidationError({"from": "The start of the period is after its end."})
    period = (filters.date_from, filters.date_to)
    found = meetings_report(actor=request.user, org=org, date_from=period[0], date_to=period[1])
    if filters.format != "json":
        report_served(
            actor=request.user,
            org=org,
            kind="meetings",
            via=filters.format,
            params={"from": period[0], "to": period[1]},
        )
        return table_response(REPORT, filters.format, found, org=org, period=period)
    return found
