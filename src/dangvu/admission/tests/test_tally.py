"""The monthly admissions tally (admission.tally): kept by every write that moves it, equal to its
recount from the events, and what a province's term target reads."""

from datetime import date

import pytest

from dangvu.accounts.scoping import SYSTEM
from dangvu.admission import selectors
from dangvu.admission.models import AdmissionMonth
from dangvu.admission.selectors import targets_progress
from dangvu.admission.services import target_set
from dangvu.admission.tally import tally_check, tally_expected, tally_rebuild
from dangvu.members.choices import EventType
from dangvu.members.models import MembershipEvent
from dangvu.members.services import member_event_record, member_update
from dangvu.organisations.services import organisation_create, organisation_move
from dangvu.testing.factories import make_member

pytestmark = pytest.mark.django_db


def rows() -> dict:
    return {
        (r.organisation_id, r.month): (r.admitted, r.women, r.minority, r.youth)
        for r in AdmissionMonth.objects.all()
        if r.admitted or r.women or r.minority or r.youth
    }


def problems() -> list[str]:
    found = []
    tally_check(lambda kind, message: found.append(message))
    return found


def test_an_admission_counts_under_the_top_three_levels_of_its_day(tree):
    make_member(
        tree.cell1,
        admission_date=date(2021, 3, 9),
        gender="F",
        ethnicity="16",
        birth_date=date(1991, 3, 20),  # 30 in March 2021: age counted by month
    )
    make_member(tree.cell3, admission_date=date(2021, 3, 1), birth_date=date(1990, 2, 1))
    march = date(2021, 3, 1)
    assert rows() == {
        (tree.root.pk, march): (2, 1, 1, 1),
        (tree.province.pk, march): (1, 1, 1, 1),
        (tree.district.pk, march): (1, 1, 1, 1),
        (tree.province2.pk, march): (1, 0, 0, 0),
        (tree.district2.pk, march): (1, 0, 0, 0),
    }
    assert problems() == []


def test_a_readmission_counts_and_its_correction_takes_it_back(tree):
    m = make_member(tree.cell1, admission_date=date(2016, 3, 15))
    member_event_record(actor=SYSTEM, member=m, type=EventType.LEFT, date=date(2019, 1, 10))
    before = rows()
    again = member_event_record(
        actor=SYSTEM,
        member=m,
        type=EventType.ADMITTED,
        date=date(2022, 5, 4),
        organisation=tree.cell2,
    )
    assert rows()[(tree.province.pk, date(2022, 5, 1))] == (1, 0, 0, 0)
    assert problems() == []
    member_event_record(
        actor=SYSTEM, member=m, type=EventType.CORRECTION, date=date(2022, 6, 1), corrects=again
    )
    assert rows() == before
    assert problems() == []


def test_corrected_particulars_move_the_flags(tree):
    m = make_member(tree.cell1, admission_date=date(2023, 7, 2))
    member_update(actor=SYSTEM, member=m, data={"gender": "F", "ethnicity": "16"})
    assert rows()[(tree.root.pk, date(2023, 7, 1))] == (1, 1, 1, 0)
    assert problems() == []


def test_a_subtree_moved_from_a_past_day_takes_its_later_admissions_along(tree):
    make_member(tree.cell1, admission_date=date(2020, 5, 5))  # before the move: stays
    make_member(tree.cell2, admission_date=date(2022, 5, 5))  # after it: moves
    organisation_move(
        actor=SYSTEM, org=tree.committee, new_parent=tree.district2, on=date(2021, 1, 1)
    )
    got = rows()
    may = date(2022, 5, 1)
    assert (tree.district.pk, may) not in got and (tree.province.pk, may) not in got
    assert got[(tree.district2.pk, may)] == got[(tree.province2.pk, may)] == (1, 0, 0, 0)
    assert got[(tree.district.pk, date(2020, 5, 1))] == (1, 0, 0, 0)
    assert problems() == []


def test_the_check_finds_a_tampered_row_and_the_rebuild_restores_it(tree):
    make_member(tree.cell1, admission_date=date(2021, 3, 9))
    kept = rows()
    AdmissionMonth.objects.filter(organisation=tree.province).update(admitted=5)
    AdmissionMonth.objects.filter(organisation=tree.root).delete()
    found = problems()
    assert len(found) == 2 and all("counted from the events" in p for p in found)
    assert tally_rebuild() == len(kept)
    assert rows() == kept and problems() == []


def _exact(monkeypatch, targets, today):
    with monkeypatch.context() as patch:
        patch.setattr(selectors, "_tally_plan", lambda *args: None)
        return targets_progress(targets, today)


def test_a_province_target_reads_the_tally_and_agrees_with_the_events(tree, monkeypatch):
    """Whole months from the tally; the term's first half-month and the month a district
    joined on its 10th from the events; children by the tree of each day."""
    today = date(2026, 12, 4)
    days = [
        date(2021, 2, 10),  # before the term
        date(2021, 2, 20),  # the term's first, partial month
        date(2021, 3, 1),
        date(2022, 7, 31),
        date(2023, 6, 5),  # the month the new district joined, before it did
        date(2023, 6, 20),  # and after
        date(2025, 12, 31),
        date(2026, 2, 1),  # after the term
    ]
    new_district = organisation_create(
        actor=SYSTEM,
        code="KT-NEW",
        name="Huyện ủy Mới",
        kind="district",
        parent=tree.province2,
        valid_from=date(2020, 1, 1),
    )
    for i, day in enumerate(days):
        make_member(
            tree.cell1 if i % 2 else tree.cell3,
            probationary=True,
            admission_date=day,
            gender="F" if i % 3 == 0 else "M",
            ethnicity="16" if i % 2 else "01",
            birth_date=date(1995, 1, 1),
        )
    organisation_move(
        actor=SYSTEM, org=new_district, new_parent=tree.province, on=date(2023, 6, 10)
    )
    organisation_move(
        actor=SYSTEM, org=tree.committee2, new_parent=new_district, on=date(2023, 6, 10)
    )
    target = target_set(
        actor=SYSTEM,
        organisation=tree.province,
        term_start=date(2021, 2, 15),
        term_end=date(2026, 1, 31),
        total=20,
    )
    plan = selectors._tally_plan(
        tree.province,
        target.term_start,
        target.term_end,
        selectors._children(tree.province, target.term_start, target.term_end),
        today,
    )
    assert plan is not None
    months, windows, _own = plan
    assert windows == [
        (date(2021, 2, 15), date(2021, 2, 28)),
        (date(2023, 6, 1), date(2023, 6, 30)),
    ]
    assert len(months) == 58  # March 2021 to January 2026 but June 2023
    (fast,) = targets_progress([target], today)
    (slow,) = _exact(monkeypatch, [target], today)
    assert fast == slow
    assert fast["admitted"] == 4  # cell1 three times in the term, cell3 once after the move
    children = {c["code"]: c["admitted"] for c in fast["children"]}
    assert children == {tree.district.code: 3, "KT-NEW": 1}
    assert problems() == []
    assert tally_expected() == {k: list(v) for k, v in rows().items()}


def test_a_district_target_is_counted_from_the_events(tree):
    target = target_set(
        actor=SYSTEM,
        organisation=tree.district,
        term_start=date(2021, 1, 1),
        term_end=date(2025, 12, 31),
        total=3,
    )
    assert (
        selectors._tally_plan(tree.district, target.term_start, target.term_end, [], date.today())
        is None
    )
    make_member(tree.cell2, admission_date=date(2024, 2, 2))
    assert targets_progress([target])[0]["admitted"] == 1
    assert MembershipEvent.objects.filter(type=EventType.ADMITTED).count() == 1
