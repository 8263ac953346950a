"""The cell committees and the training classes of a generated country (issue 18).

Every cell gets the committee its 2025 congress elected (members.services.positions_create_bulk):
a secretary, a deputy from three eligible members, more committee members from nine and fifteen
(DOMAIN.md §7.2), the most senior official members who are not exempted from activities and
not past SEAT_AGE. Then, for every unit, the classes of the province's political centre (since
1/7/2025 the province's, the district level being gone, and the generated shape is 2025):

- an online class in the skills of a cell committee, held in one of the twelve past months, for
  the unit's secretaries and deputies (enrolled by position, as an officer would), five
  morning sessions with attendance taken (most present, a few miss one or two), results recorded and
  certificates issued;
- where the unit has cases at the "identified" stage, an in-person awareness class for them in
  the coming weeks, serving the unit's commune (enrolment open: the hand-off to admission
  happens when its results are recorded).

All through the training services, actor = the system, so the rules and the audit are those of
any officer's class. Drawn from the unit's own Random: a resumed run writes the same classes."""

import random
from datetime import date, time, timedelta

from dangvu.accounts.scoping import SYSTEM
from dangvu.admission.choices import Stage
from dangvu.admission.models import Candidate
from dangvu.core.db import prefix_q
from dangvu.dataset.national.meetings import past_months
from dangvu.members.choices import Status
from dangvu.members.models import Position
from dangvu.members.services import PositionInput, positions_create_bulk
from dangvu.organisations.models import Organisation
from dangvu.training.choices import Kind, Mode, State
from dangvu.training.services import (
    SessionInput,
    certificates_issue,
    class_complete,
    class_create,
    class_move,
    enrol_by_position,
    enrolments_create_bulk,
    session_roll_call,
)

__all__ = ["committee_rows", "load_training", "TERM_START", "SEAT_AGE", "MISSED_SHARE"]

# The cells' congresses for the term 2025–2027 were held in the spring of 2025.
TERM_START = date(2025, 5, 15)
SEAT_AGE = 68
# The share of (person, session) pairs of the skills class that are absences.
MISSED_SHARE = 0.06
_SKILLS_TOPICS = (
    "Chức năng, nhiệm vụ của chi ủy; vai trò của bí thư chi bộ",
    "Chuẩn bị và điều hành buổi sinh hoạt chi bộ có chất lượng",
    "Sinh hoạt chuyên đề: chọn chủ đề, chuẩn bị nội dung",
    "Ghi biên bản, ra nghị quyết và kiểm tra việc thực hiện",
    "Quản lý, đánh giá đảng viên và phát triển đảng viên ở chi bộ",
)
_AWARENESS_TOPICS = (
    "Đảng Cộng sản Việt Nam: sự ra đời, bản chất, mục tiêu",
    "Điều lệ Đảng: đảng viên, tổ chức cơ sở đảng",
    "Trách nhiệm của quần chúng ưu tú phấn đấu vào Đảng",
)


def _seats(eligible: int) -> int:
    """A secretary; a deputy from three eligible members; a committee of three from nine and of
    five from fifteen (the demo's rule: dataset.demo.training._seats)."""
    return min(eligible, 1 if eligible < 3 else 2 if eligible < 9 else 3 if eligible < 15 else 5)


def committee_rows(members: list, cells: list[Organisation], on: date) -> list[PositionInput]:
    """The committees elected on `on` for `cells`, from the unit's `members` (as
    members_create_bulk returned them)."""
    by_cell: dict[int, list] = {}
    oldest = on.replace(year=on.year - SEAT_AGE)
    for m in members:
        if (
            m.status == Status.OFFICIAL
            and not m.exempted
            and m.official_date is not None
            and m.official_date <= on
            and m.birth_date > oldest
        ):
            by_cell.setdefault(m.organisation_id, []).append(m)
    rows = []
    kinds = (Position.Kind.SECRETARY, Position.Kind.DEPUTY_SECRETARY)
    for cell in cells:
        people = sorted(by_cell.get(cell.pk, ()), key=lambda m: (m.official_date, m.pk))
        for i, m in enumerate(people[: _seats(len(people))]):
            kind = kinds[i] if i < 2 else Position.Kind.COMMITTEE_MEMBER
            rows.append(PositionInput(organisation=cell, kind=kind, valid_from=on, member=m))
    return rows


def _days(first: date, n: int) -> list[date]:
    """`n` working days from `first` (Monday to Friday)."""
    out, day = [], first
    while len(out) < n:
        if day.weekday() < 5:
            out.append(day)
        day += timedelta(days=1)
    return out


def _skills_class(
    rng: random.Random, unit: Organisation, province: Organisation, today: date, seats: int
):
    month = rng.choice(past_months(today))
    days = _days(month.replace(day=rng.randrange(3, 18)), len(_SKILLS_TOPICS))
    c = class_create(
        actor=SYSTEM,
        organisation=province,
        kind=Kind.CELL_SKILLS,
        mode=Mode.ONLINE,
        title=f"Nghiệp vụ công tác đảng cho chi ủy — {unit.name}"[:300],
        capacity=seats,  # online: every secretary and deputy of the unit
        online_link=f"https://hop.example.vn/ttct-{province.code.lower()}/{unit.code.lower()}",
        audience="Bí thư, phó bí thư chi bộ",
        lecturers="Giảng viên Trung tâm chính trị tỉnh",
        sessions=[
            SessionInput(day, time(7, 30), time(11, 0), topic)
            for day, topic in zip(days, _SKILLS_TOPICS, strict=True)
        ],
    )
    enrol_by_position(
        actor=SYSTEM,
        training_class=c,
        under=unit,
        positions=(Position.Kind.SECRETARY, Position.Kind.DEPUTY_SECRETARY),
        on=days[0],
    )
    class_move(actor=SYSTEM, training_class=c, to=State.CLOSED)
    people = list(c.enrolments.order_by("pk").values_list("pk", flat=True))
    for session in c.sessions.order_by("day"):
        absent = {e for e in people if rng.random() < MISSED_SHARE}
        session_roll_call(
            actor=SYSTEM,
            session=session,
            present=[e for e in people if e not in absent],
            absent=sorted(absent),
        )
    class_complete(actor=SYSTEM, training_class=c, on=days[-1])
    certificates_issue(actor=SYSTEM, training_class=c, issued_on=days[-1] + timedelta(days=3))


def _awareness_class(
    rng: random.Random, unit: Organisation, province: Organisation, today: date
) -> None:
    cases = Candidate.objects.filter(prefix_q("org_path", unit.path), stage=Stage.IDENTIFIED)
    count = cases.count()
    if not count:
        return
    days = _days(today + timedelta(days=rng.randrange(7, 28)), len(_AWARENESS_TOPICS))
    commune = unit.kind == "commune"
    c = class_create(
        actor=SYSTEM,
        organisation=province,
        kind=Kind.AWARENESS,
        mode=Mode.IN_PERSON,
        title=f"Bồi dưỡng nhận thức về Đảng — {unit.name}"[:300],
        capacity=count + 10,
        location="" if commune else f"Hội trường {unit.name}"[:300],
        cluster=[unit] if commune else [],
        audience="Quần chúng ưu tú được chi bộ giới thiệu",
        lecturers="Giảng viên Trung tâm chính trị tỉnh",
        sessions=[
            SessionInput(day, time(7, 30), time(11, 0), topic)
            for day, topic in zip(days, _AWARENESS_TOPICS, strict=True)
        ],
    )
    class_move(actor=SYSTEM, training_class=c, to=State.OPEN)
    enrolments_create_bulk(actor=SYSTEM, training_class=c, candidates=cases)


def load_training(
    rng: random.Random,
    *,
    unit: Organisation,
    province: Organisation,
    cells: list[Organisation],
    members: list,
    today: date,
) -> None:
    """The unit's cell committees and its classes of the year (inside the caller's
    transaction)."""
    on = TERM_START if today >= TERM_START else today - timedelta(days=365)
    committees = committee_rows(members, cells, on)
    positions_create_bulk(actor=SYSTEM, rows=committees)
    leaders = sum(r.kind != Position.Kind.COMMITTEE_MEMBER for r in committees)
    if leaders:
        _skills_class(rng, unit, province, today, leaders)
    _awareness_class(rng, unit, province, today)
