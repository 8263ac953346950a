"""Month-start snapshots: a report as of a past date from a snapshot plus the changes since is
the report counted from the periods, and stays so through backdated events, corrections,
record updates and changes to the tree."""

import json
import zlib
from collections import Counter
from datetime import date

import pytest
from django.core.management import call_command

from dangvu.members.models import MemberPeriod
from dangvu.members.services import member_attribute_change, member_event_record, member_update
from dangvu.organisations.services import organisation_move
from dangvu.stats import selectors
from dangvu.stats.build import snapshot_days, snapshots_build
from dangvu.stats.models import SubtreeSnapshot
from dangvu.stats.selectors import membership_figures, org_version_on
from dangvu.stats.snapshots import (
    add_row,
    add_rows,
    banded,
    covering,
    pack,
    period_tally,
    period_tally_joint,
    unpack,
)
from dangvu.stats.tests.test_selectors import varied  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

DAYS = [
    date(2023, 1, 1),
    date(2023, 6, 15),
    date(2024, 6, 1),
    date(2024, 6, 20),
    date(2025, 2, 1),
    date(2025, 2, 14),
    date(2025, 3, 1),
    date(2025, 4, 15),
    date(2025, 5, 31),
]


def _orgs(tree):
    return [tree.root, tree.province, tree.district, tree.committee, tree.cell1, tree.gcell]


def _counted(org, day) -> Counter:
    """The full count from the periods, whatever snapshots exist."""
    version = org_version_on(org, day)
    tally = selectors.tally_from_periods(version.path, day) + selectors.org_counts_on(
        version.path, day
    )
    return +banded(tally, day)


def _reported(org, day) -> Counter:
    version = org_version_on(org, day)
    return +banded(selectors._tally_on(org, version, day), day)


def _assert_agree(tree, days=DAYS):
    for org in _orgs(tree):
        for day in days:
            if org_version_on(org, day) is not None:
                assert _reported(org, day) == _counted(org, day), (org.code, day)


@pytest.fixture
def snapshots(tree, varied, monkeypatch):  # noqa: F811
    written = snapshots_build(since=date(2023, 1, 1), min_members=1)
    assert written > 0
    calls = []
    real = selectors._changes_between
    monkeypatch.setattr(selectors, "_changes_between", lambda *a: calls.append(a) or real(*a))
    return calls


def test_snapshot_days_are_weekly_within_each_month_and_its_last_day():
    assert snapshot_days(date(2024, 11, 20), date(2025, 1, 9)) == [
        date(2024, 11, 22),
        date(2024, 11, 30),
        date(2024, 12, 1),
        date(2024, 12, 8),
        date(2024, 12, 15),
        date(2024, 12, 22),
        date(2024, 12, 31),
        date(2025, 1, 1),
        date(2025, 1, 8),
    ]


def test_reports_from_snapshots_equal_the_full_count(tree, snapshots):
    marks = set(SubtreeSnapshot.objects.values_list("organisation_id", "day"))
    assert (tree.root.pk, date(2024, 6, 1)) in marks
    assert (tree.root.pk, date(2024, 6, 30)) in marks
    before = {
        (org.code, day): membership_figures(org, day)
        for org in _orgs(tree)
        for day in DAYS
        if org_version_on(org, day) is not None
    }
    _assert_agree(tree)
    assert snapshots, "the snapshots were not used"
    # The same reports with no snapshot at all.
    SubtreeSnapshot.objects.all().delete()
    for (code, day), report in before.items():
        org = next(o for o in _orgs(tree) if o.code == code)
        assert membership_figures(org, day) == report


def test_a_backdated_event_moves_the_snapshots(tree, varied, snapshots):  # noqa: F811
    member_event_record(actor=None, member=varied["a"], type="exempted", date=date(2024, 2, 10))
    member_event_record(actor=None, member=varied["f"], type="died", date=date(2023, 9, 30))
    _assert_agree(tree, DAYS + [date(2024, 3, 1), date(2023, 10, 1)])
    snapshot = SubtreeSnapshot.objects.get(organisation=tree.root, day=date(2024, 3, 1))
    assert unpack(snapshot.figures)[("exempted", "1")] == 2  # d since 2023, a since 10/2/2024


def test_a_correction_and_a_record_update_move_the_snapshots(tree, varied, snapshots):  # noqa: F811
    g = varied["g"]
    transfer = g.events.get(type="transferred")
    member_event_record(
        actor=None, member=g, type="correction", date=date(2025, 6, 1), corrects=transfer
    )
    member_update(actor=None, member=varied["b"], data={"gender": "M"})
    _assert_agree(tree)


@pytest.mark.parametrize(
    "change",
    [
        dict(kind="change", valid_from=date(2025, 3, 10)),
        dict(kind="change", valid_from=date(2024, 2, 1)),
        dict(kind="correction", from_start=True),
        dict(kind="correction"),
    ],
)
def test_a_dated_attribute_moves_the_snapshots_from_its_date(tree, varied, snapshots, change):  # noqa: F811
    # A change dated in the past reaches into the snapshots taken since; a correction from the
    # start into all of them: they agree with counting from the periods either way.
    member_attribute_change(
        actor=None, member=varied["b"], field="education", value="primary", **change
    )
    _assert_agree(tree)


def test_a_change_to_the_tree_drops_the_snapshots_from_its_date(tree, varied, snapshots):  # noqa: F811
    organisation_move(actor=None, org=tree.gcell, new_parent=tree.province, on=date(2025, 5, 15))
    assert not SubtreeSnapshot.objects.filter(day__gte=date(2025, 5, 15)).exists()
    assert SubtreeSnapshot.objects.filter(day__lt=date(2025, 5, 15)).exists()
    _assert_agree(tree, DAYS + [date(2025, 6, 1)])


def test_the_command_adds_only_what_is_missing(tree, varied, capsys):  # noqa: F811
    call_command("snapshots", since="2024-01-01", min_members=1)
    first = SubtreeSnapshot.objects.count()
    assert first > 0
    call_command("snapshots", since="2024-01-01", min_members=1)
    assert "0 snapshots written" in capsys.readouterr().out
    assert SubtreeSnapshot.objects.count() == first


def test_counting_each_dimension_apart_gives_the_joint_count(tree, varied):  # noqa: F811
    # PostgreSQL counts a large subtree's dimensions one by one (GROUPING SETS); SQLite counts
    # every combination. Both must give the same tally, exempted members and deaths included.
    for day in DAYS:
        periods = MemberPeriod.objects.filter(covering(day))
        joint = period_tally_joint(periods, -1)
        assert joint, day
        assert period_tally(periods, -1) == joint, day


@pytest.mark.parametrize("sign", [1, -1])
def test_rows_counted_column_by_column_give_what_row_by_row_gives(sign):
    rows = [
        # status, exempted (bool or 0/1, as each engine gives it), gender, ethnicity, religion,
        # birth month, admission period, education, professional, theory, occupation, count
        ("official", False, "M", "01", "00", "1970-03", "2011_2020", "u", "p", "t", "o", 1),
        ("official", 1, "F", "02", "00", "1970-03", "2011_2020", "u", "p", "t", "o", 1),
        ("probationary", 0, "F", "01", "01", "1999-12", "2021_", "l", "n", "n", "f", 1),
        ("official", True, "M", "01", "00", "1955-01", "1976_1985", "u", "p", "t", "r", 3),
        ("official", 0, "M", "01", "00", "1955-01", "1976_1985", "u", "p", "t", "r", 2),
    ]
    one_by_one = Counter()
    for row in rows:
        add_row(one_by_one, row, sign)
    at_once = Counter({("gender", "M"): 5})  # added to, not replaced
    add_rows(at_once, rows, sign)
    one_by_one[("gender", "M")] += 5
    assert at_once == one_by_one
    assert at_once[("members", "total")] == sign * 8
    assert at_once[("exempted", "1")] == sign * 4
    empty = Counter()
    add_rows(empty, [], sign)
    assert empty == Counter()


def test_packed_figures_come_back_whole():
    figures = Counter(
        {
            ("members", "total"): 5_600_000,
            # the nation's birth months summed: far past 32 bits
            ("birth_months", "sum"): 5_600_000 * 24_300,
            ("ethnicity", "01"): 4_900_000,
            ("exempted", "1"): 3,
            ("religion", "00"): 0,
        }
    )
    blob = pack(figures)
    assert unpack(blob) == +figures
    assert unpack(memoryview(blob)) == +figures  # as PostgreSQL gives a bytea
    assert len(blob) < 120
    # Packed without the preset dictionary (the first format): read the same.
    nested = {"members": {"total": 5}, "gender": {"F": 2, "M": 3}}
    plain = zlib.compress(json.dumps(nested).encode())
    assert unpack(plain) == Counter(
        {("members", "total"): 5, ("gender", "F"): 2, ("gender", "M"): 3}
    )


def test_a_subtree_under_the_threshold_has_no_snapshot_and_counts_the_same(tree, varied):  # noqa: F811
    # Built with the real threshold the test tree (a handful of members) gets no snapshot;
    # each report is counted from the periods, by listed organisations or, past the list's
    # size, by the subtree's paths: the same figures both ways.
    assert snapshots_build(since=date(2024, 1, 1)) == 0
    day = date(2025, 3, 1)
    listed = {org.code: membership_figures(org, day) for org in _orgs(tree)}
    selectors._LISTED_ORGS, before = 0, selectors._LISTED_ORGS
    try:
        for org in _orgs(tree):
            assert membership_figures(org, day) == listed[org.code]
    finally:
        selectors._LISTED_ORGS = before
    assert listed[tree.root.code]["members"]["total"] > 0


def test_a_backdated_change_reads_only_the_snapshots_of_its_own_subtrees(tree, varied, snapshots):  # noqa: F811
    from dangvu.stats.snapshots import _snapshots_holding

    cell = varied["a"].organisation_id
    held = {org for org, _day in _snapshots_holding({cell}, date(2024, 1, 1))}
    holders = {o.pk for o in (tree.root, tree.province, tree.district, tree.committee)}
    assert held and held <= holders | {cell}
    # The gcell's subtree never held a's cell.
    assert tree.gcell.pk not in held


def test_a_cells_counts_from_its_member_rows_are_each_members_contribution(tree, varied):  # noqa: F811
    """cell_counts counts the cell's members column by column in SQL's terms (the periods'
    columns on the member rows); member_contribution is the rule it must agree with."""
    from types import SimpleNamespace

    from dangvu.members.choices import IN_PARTY
    from dangvu.members.models import Member
    from dangvu.stats.counted import COUNTED_FIELDS, member_contribution, org_contribution
    from dangvu.stats.counters import cell_counts

    for cell in (tree.cell1, tree.cell2, tree.gcell):
        expected = Counter(org_contribution(cell))
        members = Member.objects.filter(organisation=cell, status__in=IN_PARTY)
        assert members.exists()
        for values in members.values_list(*COUNTED_FIELDS):
            expected.update(
                member_contribution(
                    SimpleNamespace(**dict(zip(COUNTED_FIELDS, values, strict=True)))
                )
            )
        assert +cell_counts(cell) == +expected, cell.code


def test_members_loaded_with_their_past_move_the_snapshots_together(tree, varied, snapshots):  # noqa: F811
    """An import adds many members at once, admitted years ago: the snapshots they reach are
    adjusted in one sweep and still agree with the full count on every day."""
    from dangvu.members.services import members_create_bulk
    from dangvu.testing.factories import member_data

    rows = []
    for i, (cell, admitted, official) in enumerate(
        [
            (tree.cell1, date(2022, 3, 5), date(2023, 3, 6)),
            (tree.cell2, date(2023, 11, 20), None),
            (tree.cell1, date(2024, 6, 15), None),
            (tree.cell3, date(2021, 1, 2), date(2022, 1, 3)),
        ]
    ):
        data = member_data(
            full_name=f"Nhập Cùng {i}", admission_date=admitted, official_date=official
        )
        data.pop("party_card_number", None)
        data.pop("identity_number", None)
        rows.append({**data, "organisation": cell})
    members_create_bulk(actor=None, rows=rows)
    _assert_agree(tree, DAYS + [date(2022, 6, 30), date(2023, 12, 31), date(2024, 6, 30)])
