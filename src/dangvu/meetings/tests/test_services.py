"""Cell meetings: planning, attendance and its quorum, locking and corrections (DOMAIN.md §4)."""

from datetime import date, time

import pytest

from dangvu.accounts.scoping import SYSTEM
from dangvu.audit.models import AuditRecord
from dangvu.core.errors import ValidationError
from dangvu.meetings.choices import Absence, Evaluator, Kind, Level, State, TaskState
from dangvu.meetings.models import Meeting, MeetingAbsence, MeetingCorrection, MeetingEvaluation
from dangvu.meetings.services import (
    meeting_approve,
    meeting_cancel,
    meeting_correct,
    meeting_evaluate,
    meeting_plan,
    meeting_record,
    meetings_plan_year,
    quality_test,
    roster,
    scoring_sheet,
    supervision_assign,
    task_assign,
    task_review,
    visit_plan,
    visit_report,
)
from dangvu.members.choices import EventType
from dangvu.members.services import member_event_record
from dangvu.testing.factories import make_member, make_user

pytestmark = pytest.mark.django_db

DAY = date(2024, 3, 5)


@pytest.fixture
def cell(tree):
    """Six official members and one probationary in cell1."""
    officials = [make_member(tree.cell1, full_name=f"Hồ Văn {n}") for n in "ABCDEF"]
    probationer = make_member(
        tree.cell1, full_name="Y Thị G", admission_date=date(2023, 9, 1), probationary=True
    )
    return officials, probationer


def _meeting(tree, **kw):
    return meeting_plan(
        actor=SYSTEM, organisation=tree.cell1, kind=Kind.REGULAR, planned_on=DAY, **kw
    )


def _record(meeting, absences=None, **kw):
    return meeting_record(
        actor=SYSTEM,
        meeting=meeting,
        held_on=kw.pop("held_on", DAY),
        started_at=time(19, 0),
        ended_at=time(20, 45),
        absences=absences or {},
        minutes=kw.pop("minutes", "Biên bản"),
        **kw,
    )


def test_the_roster_is_the_cells_members_that_day_with_who_is_away(tree, cell):
    officials, probationer = cell
    member_event_record(
        actor=SYSTEM,
        member=officials[0],
        type=EventType.TEMPORARY_TRANSFER,
        date=date(2024, 1, 10),
        organisation=tree.cell3,
    )
    entries = {e.member_id: e for e in roster(tree.cell1, DAY)}
    assert len(entries) == 7
    assert entries[officials[0].pk].away and not entries[officials[1].pk].away
    assert entries[probationer.pk].official is False
    # Before the probationer's admission, six.
    assert len(roster(tree.cell1, date(2023, 8, 31))) == 6


def test_attendance_counts_and_the_quorum_follow_domain_rules(tree, cell):
    officials, probationer = cell
    member_event_record(
        actor=SYSTEM, member=officials[0], type=EventType.EXEMPTED, date=date(2024, 1, 2)
    )
    member_event_record(
        actor=SYSTEM,
        member=officials[1],
        type=EventType.TEMPORARY_TRANSFER,
        date=date(2024, 1, 10),
        organisation=tree.cell3,
    )
    m = _record(
        _meeting(tree),
        absences={
            officials[0].pk: (Absence.EXCUSED, "Ốm"),  # exempted and absent: not expected
            officials[1].pk: (Absence.UNEXCUSED, ""),  # away: not expected, not stored
            officials[2].pk: (Absence.EXCUSED, "Đi công tác"),
            officials[3].pk: (Absence.UNEXCUSED, ""),
        },
    )
    assert (m.roster, m.away, m.convened, m.present) == (7, 1, 5, 3)
    assert (m.excused, m.unexcused, m.exempt_absent) == (1, 1, 1)
    # Official members expected (E, F, C, D) less C absent with a reason: 3; present E, F.
    assert (m.quorum_base, m.official_present, m.valid) == (3, 2, True)
    assert set(MeetingAbsence.objects.filter(meeting=m).values_list("member_id", flat=True)) == {
        officials[0].pk,
        officials[2].pk,
        officials[3].pk,
    }
    assert m.minutes_long == 105 and m.state == State.HELD


def test_half_of_the_official_members_is_not_a_quorum(tree, cell):
    officials, _p = cell
    half = {o.pk: (Absence.UNEXCUSED, "") for o in officials[:3]}
    assert _record(_meeting(tree), absences=half).valid is False  # 3 of 6
    fewer = {o.pk: (Absence.UNEXCUSED, "") for o in officials[:2]}
    assert _record(_meeting(tree), absences=fewer).valid is True  # 4 of 6


def test_a_chair_recorded_absent_or_a_stranger_absent_is_refused_and_nothing_changes(tree, cell):
    officials, _p = cell
    m = _meeting(tree)
    with pytest.raises(ValidationError) as exc:
        _record(m, chair=officials[0], absences={officials[0].pk: (Absence.EXCUSED, "Ốm")})
    assert "chair" in exc.value.message_dict
    stranger = make_member(tree.cell3)
    with pytest.raises(ValidationError) as exc:
        _record(m, absences={stranger.pk: (Absence.UNEXCUSED, "")})
    assert "absences" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _record(m, held_on=date(2099, 1, 1))
    assert "held_on" in exc.value.message_dict
    m.refresh_from_db()
    assert m.state == State.PLANNED and not MeetingAbsence.objects.exists()


def test_approved_minutes_lock_the_meeting_and_corrections_are_recorded(tree, cell):
    m = _record(_meeting(tree), resolution="Nghị quyết tháng 3")
    meeting_approve(actor=SYSTEM, meeting=m, on=date(2024, 3, 6))
    with pytest.raises(ValidationError) as exc:
        _record(m)
    assert "state" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        meeting_correct(actor=SYSTEM, meeting=m, changes={"resolution": "Sửa"}, reason="")
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError):
        meeting_correct(actor=SYSTEM, meeting=m, changes={"held_on": DAY}, reason="Sai ngày")
    meeting_correct(
        actor=SYSTEM,
        meeting=m,
        changes={"resolution": "Nghị quyết tháng 3 (bổ sung chỉ tiêu)"},
        reason="Thiếu chỉ tiêu",
    )
    m.refresh_from_db()
    assert m.resolution == "Nghị quyết tháng 3 (bổ sung chỉ tiêu)"
    (c,) = MeetingCorrection.objects.filter(meeting=m)
    assert (c.field, c.before, c.reason) == ("resolution", "Nghị quyết tháng 3", "Thiếu chỉ tiêu")
    assert AuditRecord.objects.filter(action="meeting.correct", object_id=m.pk).exists()


def test_minutes_must_exist_before_approval(tree, cell):
    m = _meeting(tree)
    with pytest.raises(ValidationError) as exc:
        meeting_approve(actor=SYSTEM, meeting=m)
    assert "state" in exc.value.message_dict
    _record(m, minutes="")
    with pytest.raises(ValidationError) as exc:
        meeting_approve(actor=SYSTEM, meeting=m)
    assert "minutes" in exc.value.message_dict


def test_a_year_is_planned_from_a_rule_once(tree):
    made = meetings_plan_year(
        actor=SYSTEM,
        organisation=tree.cell1,
        year=2025,
        day=31,
        thematic_months=(3, 6, 9, 12),
        thematic_topic="Học tập và làm theo tư tưởng Hồ Chí Minh",
    )
    regular = [m.planned_on for m in made if m.kind == Kind.REGULAR]
    assert len(regular) == 12 and date(2025, 2, 28) in regular
    assert sum(m.kind == Kind.THEMATIC for m in made) == 4
    again = meetings_plan_year(actor=SYSTEM, organisation=tree.cell1, year=2025, day=5)
    assert again == [] and Meeting.objects.count() == 16


def test_meetings_belong_to_cells_and_to_those_who_manage_them(tree):
    with pytest.raises(ValidationError) as exc:
        meeting_plan(actor=SYSTEM, organisation=tree.committee, kind=Kind.REGULAR, planned_on=DAY)
    assert "organisation" in exc.value.message_dict
    other = make_user("sec2", role="secretary", org=tree.cell2)
    with pytest.raises(ValidationError):
        meeting_plan(actor=other, organisation=tree.cell1, kind=Kind.REGULAR, planned_on=DAY)
    mine = make_user("sec1", role="secretary", org=tree.cell1)
    m = meeting_plan(actor=mine, organisation=tree.cell1, kind=Kind.REGULAR, planned_on=DAY)
    with pytest.raises(ValidationError):
        meeting_cancel(actor=other, meeting=m, reason="Trùng lịch")
    meeting_cancel(actor=mine, meeting=m, reason="Trùng lịch")
    m.refresh_from_db()
    assert m.state == State.CANCELLED
    with pytest.raises(ValidationError) as exc:
        meeting_plan(actor=mine, organisation=tree.cell1, kind=Kind.THEMATIC, planned_on=DAY)
    assert "topic" in exc.value.message_dict


FULL = {"attendance": 20, "preparation": 20, "conduct": 30, "principles": 10, "implementation": 20}


def test_an_evaluation_follows_the_sheet_and_the_2018_test_caps_the_level(tree, cell):
    officials, _p = cell
    m = _record(_meeting(tree), resolution="Nghị quyết")
    assert quality_test(m) == []
    e = meeting_evaluate(actor=SYSTEM, meeting=m, by=Evaluator.CELL, scores=FULL)
    assert (e.total, e.level) == (100, Level.GOOD)
    e = meeting_evaluate(actor=SYSTEM, meeting=m, by=Evaluator.CELL, scores={**FULL, "conduct": 10})
    assert (e.total, e.level) == (80, Level.FAIR)  # replaced, one per side
    assert MeetingEvaluation.objects.filter(meeting=m).count() == 1
    # One member absent without reason: never "good", whatever the points.
    short = _record(
        _meeting(tree), absences={officials[0].pk: (Absence.UNEXCUSED, "")}, resolution="NQ"
    )
    assert quality_test(short) == ["unexcused"]
    e = meeting_evaluate(actor=SYSTEM, meeting=short, by=Evaluator.SUPERVISOR, scores=FULL)
    assert e.level == Level.FAIR


def test_the_2018_test_reads_attendance_length_minutes_and_resolution(tree, cell):
    officials, _p = cell
    m = meeting_record(
        actor=SYSTEM,
        meeting=_meeting(tree),
        held_on=DAY,
        started_at=time(19, 0),
        ended_at=time(20, 15),
        absences={officials[0].pk: (Absence.EXCUSED, "Ốm")},
    )
    # 6 of 7 present is 85.7 %: above 85 %; 75 minutes; no minutes, no resolution.
    assert quality_test(m) == ["duration", "minutes", "resolution"]
    two = {o.pk: (Absence.EXCUSED, "Ốm") for o in officials[:2]}
    assert "attendance" in quality_test(_record(_meeting(tree), absences=two))


def test_bad_scores_are_refused_by_criterion_and_change_nothing(tree, cell):
    m = _record(_meeting(tree))
    with pytest.raises(ValidationError) as exc:
        meeting_evaluate(
            actor=SYSTEM,
            meeting=m,
            by=Evaluator.CELL,
            scores={**FULL, "conduct": 31, "bonus": 5},
        )
    assert set(exc.value.message_dict) == {"scores.conduct", "scores.bonus"}
    with pytest.raises(ValidationError) as exc:
        meeting_evaluate(actor=SYSTEM, meeting=_meeting(tree), by=Evaluator.CELL, scores=FULL)
    assert "state" in exc.value.message_dict
    assert not MeetingEvaluation.objects.exists()


def test_a_province_sheet_replaces_the_default_from_its_day(tree, cell, monkeypatch):
    from dangvu.core import rules

    own = rules.RuleValue(
        "meeting_scoring_sheet",
        {"criteria": (("all", "Toàn bộ", 10),), "levels": (("good", 9), ("fair", 5), ("poor", 0))},
        date(2024, 1, 1),
        "Quy định của Tỉnh ủy (thử)",
        scope=tree.province.code,
    )
    monkeypatch.setattr(rules, "RULES", [*rules.RULES, own])
    m = _record(_meeting(tree), resolution="NQ")
    assert scoring_sheet(m) == own
    e = meeting_evaluate(actor=SYSTEM, meeting=m, by=Evaluator.CELL, scores={"all": 7})
    assert (e.level, e.sheet) == ("fair", "Quy định của Tỉnh ủy (thử)")
    other = meeting_plan(actor=SYSTEM, organisation=tree.cell3, kind=Kind.REGULAR, planned_on=DAY)
    assert scoring_sheet(other).scope == ""  # another province: the country's
    early = meeting_plan(
        actor=SYSTEM, organisation=tree.cell1, kind=Kind.REGULAR, planned_on=date(2023, 12, 5)
    )
    assert scoring_sheet(early).scope == ""  # before the province's sheet took effect


def test_the_assigned_supervisor_scores_the_meetings_of_their_cell(tree, cell):
    m = _record(_meeting(tree))
    uv = make_user("uv", role="committee_member", org=tree.district)
    with pytest.raises(ValidationError):  # not (yet) assigned to the cell
        meeting_evaluate(actor=uv, meeting=m, by=Evaluator.SUPERVISOR, scores=FULL)
    supervision_assign(
        actor=SYSTEM,
        committee=tree.district,
        cell=tree.cell1,
        supervisor=uv,
        valid_from=date(2024, 1, 1),
        valid_to=date(2024, 12, 31),
    )
    meeting_evaluate(actor=uv, meeting=m, by=Evaluator.SUPERVISOR, scores=FULL)
    with pytest.raises(ValidationError):
        meeting_evaluate(actor=uv, meeting=m, by=Evaluator.CELL, scores=FULL)
    # The board's staff inspect: they score as supervisors without an assignment.
    staff = make_user("bt", role="org_staff", org=tree.district)
    meeting_evaluate(actor=staff, meeting=m, by=Evaluator.SUPERVISOR, scores=FULL)
    outsider = make_user("uv2", role="committee_member", org=tree.district2)
    with pytest.raises(ValidationError):
        meeting_evaluate(actor=outsider, meeting=m, by=Evaluator.SUPERVISOR, scores=FULL)
    with pytest.raises(ValidationError) as exc:  # not a person of the committee
        supervision_assign(
            actor=SYSTEM,
            committee=tree.district,
            cell=tree.cell2,
            supervisor=outsider,
            valid_from=DAY,
        )
    assert "supervisor" in exc.value.message_dict


def test_a_supervisor_is_assigned_within_the_committee_and_reports_visits(tree, cell):
    uv = make_user("uv", role="committee_member", org=tree.district)
    staff = make_user("bt", role="org_staff", org=tree.district)
    with pytest.raises(ValidationError) as exc:
        supervision_assign(
            actor=staff, committee=tree.district, cell=tree.cell3, supervisor=uv, valid_from=DAY
        )
    assert "cell" in exc.value.message_dict
    s = supervision_assign(
        actor=staff,
        committee=tree.district,
        cell=tree.cell1,
        supervisor=uv,
        valid_from=date(2024, 1, 1),
        valid_to=date(2024, 12, 31),
    )
    with pytest.raises(ValidationError) as exc:
        supervision_assign(
            actor=staff, committee=tree.district, cell=tree.cell1, supervisor=uv, valid_from=DAY
        )
    assert "supervisor" in exc.value.message_dict
    with pytest.raises(ValidationError):  # a committee member does not assign
        supervision_assign(
            actor=uv, committee=tree.district, cell=tree.cell2, supervisor=uv, valid_from=DAY
        )
    m = _meeting(tree)
    visit_plan(actor=uv, supervision=s, meeting=m)
    with pytest.raises(ValidationError) as exc:
        visit_report(actor=uv, supervision=s, meeting=m, attended=True)
    assert "meeting" in exc.value.message_dict
    _record(m)
    v = visit_report(actor=uv, supervision=s, meeting=m, attended=True, notes="Chuẩn bị tốt")
    assert v.attended is True and v.notes == "Chuẩn bị tốt"
    late = meeting_plan(
        actor=SYSTEM, organisation=tree.cell1, kind=Kind.REGULAR, planned_on=date(2025, 1, 5)
    )
    with pytest.raises(ValidationError):
        visit_plan(actor=uv, supervision=s, meeting=late)
    other = make_user("uv2", role="committee_member", org=tree.district)
    with pytest.raises(ValidationError):
        visit_report(actor=other, supervision=s, meeting=m, attended=False)


def test_a_task_suits_a_member_of_the_cell_and_is_reviewed(tree, cell):
    officials, _p = cell
    with pytest.raises(ValidationError) as exc:
        task_assign(
            actor=SYSTEM,
            member=officials[0],
            title="Vận động 5 hộ trồng cà phê",
            suited_to="",
            assigned_on=DAY,
            due_on=date(2024, 2, 1),
        )
    assert set(exc.value.message_dict) == {"suited_to", "due_on"}
    member_event_record(
        actor=SYSTEM,
        member=officials[1],
        type=EventType.TEMPORARY_TRANSFER,
        date=date(2024, 1, 10),
        organisation=tree.cell3,
    )
    with pytest.raises(ValidationError) as exc:
        task_assign(
            actor=SYSTEM,
            member=officials[1],
            title="Trực an ninh thôn",
            suited_to="Sức khỏe tốt",
            assigned_on=DAY,
            due_on=date(2024, 4, 1),
        )
    assert "member" in exc.value.message_dict
    m = _record(_meeting(tree))
    t = task_assign(
        actor=SYSTEM,
        member=officials[0],
        title="Vận động 5 hộ trồng cà phê",
        suited_to="Có kinh nghiệm trồng cà phê, sức khỏe tốt",
        assigned_on=DAY,
        due_on=date(2024, 6, 30),
        meeting=m,
    )
    with pytest.raises(ValidationError) as exc:
        task_review(actor=SYSTEM, task=t, state="open", on=date(2024, 7, 5))
    assert "state" in exc.value.message_dict
    task_review(actor=SYSTEM, task=t, state=TaskState.DONE, on=date(2024, 7, 5), review="Đạt")
    t.refresh_from_db()
    assert (t.state, t.reviewed_on) == (TaskState.DONE, date(2024, 7, 5))
    outsider = make_user("sec3", role="secretary", org=tree.cell3)
    with pytest.raises(ValidationError):
        task_review(actor=outsider, task=t, state=TaskState.NOT_DONE, on=date(2024, 7, 5))
