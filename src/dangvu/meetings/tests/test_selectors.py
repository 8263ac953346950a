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
    assert r["tasks"] == {"active_members": 3, "with_task": 1, "share": 33.33}
    assert r["monthly_share"] == 75.0  # 3 of the 4 cell-months
    # Each cell month by month: cell2 missed January; cell1's January is 50 % attended.
    grid = {c["code"]: c for c in r["cell_grid"]}
    assert [m["met"] for m in grid[tree.cell2.code]["months"]] == [False, True]
    assert grid[tree.cell1.code]["months"][0]["attendance_rate"] == 50
    assert (grid[tree.cell1.code]["visited_cells"], grid[tree.cell2.code]["visited_cells"]) == (
        1,
        0,
    )
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


def test_the_district_drills_down_to_the_organisations_under_it(tree):
    make_member(tree.cell1)
    make_member(tree.gcell)
    _held(tree.cell1, date(2024, 1, 5))
    _held(tree.gcell, date(2024, 1, 9))
    _held(tree.gcell, date(2024, 2, 9))
    r = meetings_report(
        actor=SYSTEM, org=tree.district, date_from=date(2024, 1, 1), date_to=date(2024, 2, 29)
    )
    children = {c["code"]: c for c in r["children"]}
    assert set(children) == {tree.committee.code, tree.gcell.code}
    assert (
        children[tree.committee.code]["cells"],
        children[tree.committee.code]["monthly_share"],
    ) == (
        2,
        25.0,
    )
    assert children[tree.gcell.code]["monthly_share"] == 100.0
    assert r["monthly_share"] == 50.0  # 3 of the 6 cell-months


def test_active_members_are_counted_on_the_periods_last_day(tree):
    from dangvu.members.choices import EventType
    from dangvu.members.services import member_event_record

    staying, leaving = make_member(tree.cell1), make_member(tree.cell1)
    member_event_record(actor=SYSTEM, member=leaving, type=EventType.DIED, date=date(2024, 3, 10))
    spring = meetings_report(
        actor=SYSTEM, org=tree.cell1, date_from=date(2024, 1, 1), date_to=date(2024, 2, 29)
    )
    summer = meetings_report(
        actor=SYSTEM, org=tree.cell1, date_from=date(2024, 1, 1), date_to=date(2024, 6, 30)
    )
    assert (spring["tasks"]["active_members"], summer["tasks"]["active_members"]) == (2, 1)
    assert staying.pk


def test_the_dashboard_downloads_as_excel_with_its_figures(tree, users, client):
    import io

    from openpyxl import load_workbook

    from dangvu.audit.models import AuditRecord

    make_member(tree.cell1)
    make_member(tree.cell2)
    _held(tree.cell1, date(2024, 1, 5))
    client.force_login(users.staff_kt)
    r = client.get(
        "/meetings/report/xlsx/",
        {"org": tree.committee.code, "date_from": "01/01/2024", "date_to": "29/02/2024"},
    )
    assert r.status_code == 200 and "sinh-hoat-chi-bo" in r["Content-Disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames[:2] == ["Tổng hợp", "Theo tháng"]
    summary = {row[0]: row[1] for row in wb["Tổng hợp"].iter_rows(min_row=5, values_only=True)}
    assert summary["Số chi bộ"] == 2
    assert summary["Tỷ lệ chi bộ sinh hoạt định kỳ hằng tháng"] == 0.25
    months = list(wb["Theo tháng"].iter_rows(min_row=5, values_only=True))
    assert months[0][:3] == ("01/2024", 2, 1) and tree.cell2.name in months[0][4]
    grid = list(wb["Từng chi bộ"].iter_rows(min_row=5, values_only=True))
    assert [row[2:4] for row in grid] == [("✓", "✗"), ("✗", "✗")]
    assert wb["Theo tháng"].freeze_panes == "A5"
    assert AuditRecord.objects.filter(action="report.meetings.export").count() == 1
    client.force_login(users.staff_qn)
    assert (
        client.get(
            "/meetings/report/xlsx/",
            {"org": tree.committee.code, "date_from": "01/01/2024", "date_to": "29/02/2024"},
        ).status_code
        == 404
    )


def test_months_not_ended_are_not_missed(tree):
    from datetime import timedelta

    from django.utils import timezone

    make_member(tree.cell1)
    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=5)
    _held(tree.cell1, last_month)
    # The meetings (one cell), then the rollup (the province's three cells).
    for org, share, source in ((tree.cell1, 100.0, "auto"), (tree.province, 33.33, "rollup")):
        r = meetings_report(
            actor=SYSTEM,
            source=source,
            org=org,
            date_from=last_month.replace(day=1),
            date_to=date(today.year + 1, 12, 31),
        )
        # This month has not ended: not missed yet.
        assert [m["month"] for m in r["months"]] == [last_month.replace(day=1)]
        assert r["monthly_share"] == share
    future = meetings_report(
        actor=SYSTEM,
        source="rollup",
        org=tree.province,
        date_from=date(today.year + 1, 1, 1),
        date_to=date(today.year + 1, 12, 31),
    )
    assert future["months"] == [] and future["monthly_share"] is None
