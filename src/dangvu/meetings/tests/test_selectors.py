"""What a committee, a supervisor and a member read of the cells' meetings."""

from datetime import date, time

import pytest
from django.http import Http404
from django.utils.translation import override

from dangvu.accounts.scoping import SYSTEM
from dangvu.meetings.choices import Absence, Kind
from dangvu.meetings.selectors import (
    attendance_of,
    meeting_get,
    meeting_list,
    meetings_report,
    own_view,
)
from dangvu.meetings.services import (
    meeting_plan,
    meeting_record,
    supervision_assign,
    task_assign,
    visit_report,
)
from dangvu.members.services import member_link_user
from dangvu.testing.factories import make_member, make_user

pytestmark = pytest.mark.django_db


def _held(cell, day, absences=None):
    m = meeting_plan(actor=SYSTEM, organisation=cell, kind=Kind.REGULAR, planned_on=day)
    return meeting_record(
        actor=SYSTEM,
        meeting=m,
        held_on=day,
        started_at=time(19, 0),
        ended_at=time(20, 40),
        absences=absences or {},
        minutes="Biên bản",
    )


def test_the_report_shows_which_cells_missed_which_months_and_who_was_not_visited(tree):
    a, b = make_member(tree.cell1), make_member(tree.cell1)
    make_member(tree.cell2)
    jan = _held(tree.cell1, date(2024, 1, 5), {b.pk: (Absence.UNEXCUSED, "")})
    _held(tree.cell1, date(2024, 2, 5))
    _held(tree.cell2, date(2024, 2, 6))
    staff = make_user("bt", role="org_staff", org=tree.district)
    uv = make_user("uv", role="committee_member", org=tree.district)
    s = supervision_assign(
        actor=staff,
        committee=tree.district,
        cell=tree.cell1,
        supervisor=uv,
        valid_from=date(2024, 1, 1),
    )
    visit_report(actor=uv, supervision=s, meeting=jan, attended=True)
    task_assign(
        actor=SYSTEM,
        member=a,
        title="Tuyên truyền phòng chống cháy rừng",
        suited_to="Khỏe, thông thạo tiếng địa phương",
        assigned_on=date(2024, 1, 5),
        due_on=date(2024, 3, 31),
    )
    r = meetings_report(
        actor=uv, org=tree.committee, date_from=date(2024, 1, 1), date_to=date(2024, 2, 29)
    )
    assert r["cells"] == 2
    jan_row, feb_row = r["months"]
    assert (jan_row["held"], [c["code"] for c in jan_row["missing"]]) == (1, [tree.cell2.code])
    assert (feb_row["held"], feb_row["missing"]) == (2, [])
    assert r["attendance_rate"] == 80.0  # 4 of the 5 expected over three meetings
    assert r["supervision"]["visited_cells"] == 1
    assert [c["code"] for c in r["supervision"]["not_visited"]] == [tree.cell2.code]
    assert r["tasks"] == {"active_members": 3, "with_task": 1}
    stranger = make_user("uv2", role="committee_member", org=tree.district2)
    with pytest.raises(Http404):
        meetings_report(
            actor=stranger,
            org=tree.committee,
            date_from=date(2024, 1, 1),
            date_to=date(2024, 2, 29),
        )
    rows = {row["member"]: row["attendance"] for row in attendance_of(jan)}
    assert rows == {a.pk: "present", b.pk: "unexcused"}


def test_a_member_sees_their_own_cells_meetings_and_their_own_tasks_only(tree):
    me = make_member(tree.cell1)
    other = make_member(tree.cell2)
    user = make_user("dv", role="member", org=tree.cell1)
    member_link_user(actor=SYSTEM, member=me, user=user)
    mine = _held(tree.cell1, date(2024, 3, 5), {me.pk: (Absence.EXCUSED, "Ốm")})
    theirs = _held(tree.cell2, date(2024, 3, 6))
    task_assign(
        actor=SYSTEM,
        member=other,
        title="Nhiệm vụ của người khác",
        suited_to="Phù hợp",
        assigned_on=date(2024, 3, 6),
        due_on=date(2024, 4, 6),
    )
    assert meeting_get(actor=user, pk=mine.pk) == mine
    assert list(meeting_list(actor=user)) == [mine]
    with pytest.raises(Http404):
        meeting_get(actor=user, pk=theirs.pk)
    with pytest.raises(Http404):
        meeting_get(actor=user, pk=mine.pk, action="meetings.manage")
    view = own_view(actor=user, today=date(2024, 3, 10))
    assert [r["attendance"] for r in view["attendance"]] == ["excused"]
    assert view["tasks"] == []


def test_the_home_page_lists_meetings_unrecorded_unevaluated_and_tasks_past_due(tree):
    from dangvu.meetings.selectors import meetings_due

    a = make_member(tree.cell1)
    meeting_plan(
        actor=SYSTEM, organisation=tree.cell1, kind=Kind.REGULAR, planned_on=date(2024, 4, 5)
    )
    _held(tree.cell1, date(2024, 3, 5))
    task_assign(
        actor=SYSTEM,
        member=a,
        title="Thu đảng phí quý I",
        suited_to="Làm kế toán, quen sổ sách",
        assigned_on=date(2024, 1, 5),
        due_on=date(2024, 3, 31),
    )
    sec = make_user("sec1", role="secretary", org=tree.cell1)
    with override("en"):
        due = {i.title: i.count for i in meetings_due(sec, date(2024, 4, 10))}
    assert due == {
        "Meetings whose day has passed without a record": 1,
        "Meetings held but not yet evaluated": 1,
        "Member tasks past their due date": 1,
    }
    assert (
        meetings_due(make_user("sec3", role="secretary", org=tree.cell3), date(2024, 4, 10)) == []
    )
