"""The monthly rollup of the top levels (meetings.rollup) follows every write that moves it,
equals its recount from the meetings, and gives a province's dashboard the figures its meetings
give."""

from datetime import date, time

import pytest

from dangvu.accounts.scoping import SYSTEM
from dangvu.meetings.choices import Absence, Evaluator, Kind
from dangvu.meetings.models import MeetingMonth
from dangvu.meetings.rollup import rollup_check, rollup_rebuild
from dangvu.meetings.selectors import meetings_report
from dangvu.meetings.services import (
    meeting_evaluate,
    meeting_plan,
    meeting_record,
    supervision_assign,
    visit_report,
)
from dangvu.organisations.services import organisation_move
from dangvu.testing.factories import make_member, make_user

pytestmark = pytest.mark.django_db

FULL = {"attendance": 20, "preparation": 18, "conduct": 27, "principles": 10, "implementation": 17}
LOW = {"attendance": 10, "preparation": 10, "conduct": 15, "principles": 5, "implementation": 5}


def problems() -> list[str]:
    found = []
    rollup_check(lambda kind, message: found.append(message))
    return found


def rows(org) -> dict:
    return {
        r.month: (
            r.cells_met,
            r.held,
            r.present,
            r.convened,
            r.good,
            r.fair,
            r.poor,
            r.first_visits,
        )
        for r in MeetingMonth.objects.filter(organisation=org)
    }


def _held(cell, day, absences=None, kind=Kind.REGULAR):
    m = meeting_plan(actor=SYSTEM, organisation=cell, kind=kind, planned_on=day, topic="Chuyên đề")
    return meeting_record(
        actor=SYSTEM,
        meeting=m,
        held_on=day,
        started_at=time(19, 0),
        ended_at=time(20, 40),
        absences=absences or {},
        minutes="Biên bản",
        resolution="Nghị quyết",
    )


@pytest.fixture
def people(tree):
    return [make_member(tree.cell1) for _ in range(3)] + [make_member(tree.cell2)]


def test_each_write_moves_the_rows_of_the_top_levels_and_nothing_else(tree, people):
    jan = _held(tree.cell1, date(2024, 1, 5), {people[2].pk: (Absence.EXCUSED, "ốm")})
    _held(tree.cell1, date(2024, 1, 20), kind=Kind.THEMATIC)  # a second meeting: met once
    assert rows(tree.province)[date(2024, 1, 1)][:4] == (1, 2, 5, 6)
    assert rows(tree.district) == rows(tree.province) == rows(tree.root)
    assert not MeetingMonth.objects.filter(organisation=tree.committee).exists()  # level 4
    # Recorded again on another month: January gives up what February takes.
    meeting_record(
        actor=SYSTEM,
        meeting=jan,
        held_on=date(2024, 2, 2),
        started_at=time(19, 0),
        ended_at=time(20, 40),
        minutes="Biên bản",
        resolution="Nghị quyết",
    )
    got = rows(tree.province)
    assert got[date(2024, 1, 1)][:4] == (0, 1, 3, 3)
    assert got[date(2024, 2, 1)][:4] == (1, 1, 3, 3)
    # The cell's evaluation, then the supervisor's, which counts instead.
    meeting_evaluate(actor=SYSTEM, meeting=jan, by=Evaluator.CELL, scores=FULL)
    assert rows(tree.province)[date(2024, 2, 1)][4:7] == (1, 0, 0)
    meeting_evaluate(actor=SYSTEM, meeting=jan, by=Evaluator.SUPERVISOR, scores=LOW)
    assert rows(tree.province)[date(2024, 2, 1)][4:7] == (0, 0, 1)
    # A supervisor's visits: the first of the year counts in its month.
    uv = make_user("uv", role="committee_member", org=tree.district)
    s = supervision_assign(
        actor=SYSTEM,
        committee=tree.district,
        cell=tree.cell1,
        supervisor=uv,
        valid_from=date(2024, 1, 1),
    )
    later = _held(tree.cell1, date(2024, 3, 5))
    visit_report(actor=uv, supervision=s, meeting=later, attended=True)
    assert rows(tree.province)[date(2024, 3, 1)][7] == 1
    visit_report(actor=uv, supervision=s, meeting=jan, attended=True)  # February: earlier
    got = rows(tree.province)
    assert (got[date(2024, 2, 1)][7], got[date(2024, 3, 1)][7]) == (1, 0)
    assert problems() == []


def test_a_subtree_moved_to_another_province_takes_its_meetings_along(tree, people):
    _held(tree.cell1, date(2024, 1, 5))
    _held(tree.cell2, date(2024, 1, 6))
    organisation_move(
        actor=SYSTEM, org=tree.committee, new_parent=tree.district2, on=date(2024, 6, 1)
    )
    assert rows(tree.province).get(date(2024, 1, 1), (0,))[0] == 0
    assert rows(tree.province2)[date(2024, 1, 1)][:2] == (2, 2)
    assert problems() == []


def test_the_check_finds_a_tampered_row_and_the_rebuild_restores_it(tree, people):
    _held(tree.cell1, date(2024, 1, 5))
    MeetingMonth.objects.filter(organisation=tree.province).update(held=9)
    MeetingMonth.objects.filter(organisation=tree.district).delete()
    assert len(problems()) == 2
    rollup_rebuild()
    assert problems() == []


def test_a_provinces_dashboard_from_the_rollup_gives_what_its_meetings_give(tree, people):
    a, b, c, d = people
    jan = _held(tree.cell1, date(2024, 1, 5), {c.pk: (Absence.UNEXCUSED, "")})
    _held(tree.cell1, date(2024, 2, 5))
    feb2 = _held(tree.cell2, date(2024, 2, 6))
    make_member(tree.gcell)
    _held(tree.gcell, date(2024, 3, 9))
    meeting_evaluate(actor=SYSTEM, meeting=jan, by=Evaluator.CELL, scores=LOW)
    meeting_evaluate(actor=SYSTEM, meeting=feb2, by=Evaluator.CELL, scores=FULL)
    uv = make_user("uv", role="committee_member", org=tree.district)
    s = supervision_assign(
        actor=SYSTEM,
        committee=tree.district,
        cell=tree.cell2,
        supervisor=uv,
        valid_from=date(2024, 1, 1),
    )
    visit_report(actor=uv, supervision=s, meeting=feb2, attended=True)
    for date_from, date_to in (
        (date(2024, 1, 1), date(2024, 12, 31)),
        (date(2024, 2, 1), date(2024, 3, 31)),
    ):
        fast = meetings_report(
            actor=SYSTEM, org=tree.province, date_from=date_from, date_to=date_to, source="rollup"
        )
        exact = meetings_report(
            actor=SYSTEM, org=tree.province, date_from=date_from, date_to=date_to, source="meetings"
        )
        assert fast["source"] == "rollup"
        for key in (
            "cells",
            "meetings_held",
            "monthly_share",
            "attendance_rate",
            "invalid",
            "quality",
            "evaluated",
            "tasks",
        ):
            assert fast[key] == exact[key], key
        assert fast["supervision"]["visited_cells"] == exact["supervision"]["visited_cells"] == 1
        assert [m["held"] for m in fast["months"]] == [m["held"] for m in exact["months"]]
        by_code = {ch["code"]: ch for ch in exact["children"]}
        for child in fast["children"]:
            for key in (
                "cells",
                "meetings_held",
                "monthly_share",
                "attendance_rate",
                "visited_cells",
            ):
                assert child[key] == by_code[child["code"]][key], (child["code"], key)
