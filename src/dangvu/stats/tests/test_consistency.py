"""`dangvu check`: everything derived from the events (member state, in-party periods, paths,
organisation versions, rollup counters) is recomputed and compared; any tampering is named."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from dangvu.members.models import Member, MemberPeriod, NameKey
from dangvu.members.services import member_event_record
from dangvu.organisations.models import OrganisationVersion
from dangvu.organisations.services import organisation_merge, organisation_move
from dangvu.stats.consistency import consistency_check
from dangvu.stats.models import SubtreeCounter

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(tree, make_member):
    """A few members with transfers, an exemption, a death, a correction, a move and a merge."""
    a = make_member(tree.cell1)
    b = make_member(
        tree.cell1, gender="F", ethnicity="16", probationary=True, admission_date=date(2025, 1, 10)
    )
    c = make_member(tree.cell2)
    d = make_member(tree.gcell)
    e = make_member(tree.cell3)
    member_event_record(actor=None, member=c, type="exempted", date=date(2023, 1, 1))
    member_event_record(
        actor=None, member=d, type="transferred", date=date(2023, 5, 1), organisation=tree.cell3
    )
    death = member_event_record(actor=None, member=e, type="died", date=date(2024, 1, 1))
    member_event_record(
        actor=None, member=e, type="correction", date=date(2024, 2, 1), corrects=death
    )
    organisation_move(
        actor=None, org=tree.committee2, new_parent=tree.district, on=date(2024, 6, 1)
    )
    organisation_merge(actor=None, sources=[tree.cell2], target=tree.cell1, on=date(2025, 6, 1))
    tree.refresh()
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def test_valid_data_has_no_difference(data):
    assert consistency_check() == []


def test_a_tampered_counter_is_named(tree, data):
    SubtreeCounter.objects.filter(organisation=tree.committee, dim="members", value="total").update(
        count=F("count") + 1
    )
    assert consistency_check() == [
        f"counter organisation {tree.committee.pk} members=total: stored 4 but recomputed 3"
    ]


def test_a_missing_counter_row_is_named(tree, data):
    SubtreeCounter.objects.filter(organisation=tree.root, dim="ethnicity", value="16").delete()
    assert consistency_check() == [
        f"counter organisation {tree.root.pk} ethnicity=16: stored 0 but recomputed 1"
    ]


def test_a_counter_row_stored_for_a_cell_is_named(tree, data):
    # Cells keep no counter rows (organisations.rollups): one written anyway is an error.
    SubtreeCounter.objects.create(organisation=tree.cell1, dim="members", value="total", count=2)
    assert consistency_check() == [
        f"counter organisation {tree.cell1.pk} members=total: stored 2 but recomputed 0"
    ]


def test_a_tampered_member_status_is_named(data):
    a = data["a"]
    Member.objects.filter(pk=a.pk).update(status="died")
    problems = consistency_check()
    assert problems[0].startswith(
        f"member {a.pk}: row ('died', {a.organisation_id}, False, {date(2017, 3, 15)!r}) but "
        f"events give ("
    )
    assert "official" in problems[0].split("events give")[1].lower()
    # The counters still hold the member, which the row no longer says.
    assert any(p.startswith("counter organisation") and "members=total" in p for p in problems)


def test_a_tampered_exemption_is_named(data):
    c = data["c"]
    Member.objects.filter(pk=c.pk).update(exempted=False)
    problems = consistency_check()
    assert problems[0].startswith(f"member {c.pk}: row ")
    assert any("exempted=1" in p for p in problems)


def test_a_tampered_period_is_named(data):
    a = data["a"]
    MemberPeriod.objects.filter(member=a, valid_to__isnull=True).update(valid_from=date(2017, 1, 1))
    problems = consistency_check()
    assert len(problems) == 1
    assert problems[0].startswith(f"member {a.pk}: periods ")


def test_a_missing_period_is_named(data):
    d = data["d"]
    MemberPeriod.objects.filter(member=d).order_by("valid_from").first().delete()
    problems = consistency_check()
    assert len(problems) == 1
    assert problems[0].startswith(f"member {d.pk}: periods ")


def test_a_tampered_member_path_is_named(tree, data):
    a = data["a"]
    Member.objects.filter(pk=a.pk).update(org_path=tree.cell3.path)
    assert consistency_check() == [
        f"member {a.pk}: path {tree.cell3.path} but its cell is at {tree.cell1.path}"
    ]


def test_a_name_missing_a_search_key_is_named(data):
    a = data["a"]
    NameKey.objects.filter(name=a.name_folded).exclude(key=a.name_folded).first().delete()
    words = len(a.name_folded.split())
    assert consistency_check() == [f"name {a.name_folded!r}: {words - 1} search keys"]


def test_a_missing_organisation_version_is_named(tree, data):
    OrganisationVersion.objects.filter(organisation=tree.cell3, valid_to__isnull=True).delete()
    assert consistency_check() == [
        f"organisation {tree.cell3.pk}: open versions None but it is at {tree.cell3.path}"
    ]


def test_differences_beyond_the_limit_are_summed_up(tree, data):
    SubtreeCounter.objects.filter(organisation=tree.root).update(count=F("count") + 1)
    rows = SubtreeCounter.objects.filter(organisation=tree.root).exclude(count=0).count()
    problems = consistency_check(limit=2)
    assert len(problems) == 3
    assert problems[-1] == f"… and {rows - 2} more differences of kind counters"


def test_the_check_command_passes_on_clean_data(data):
    out, err = StringIO(), StringIO()
    call_command("check", stdout=out, stderr=err)
    assert "dangvu check: members, periods, organisations and counters agree" in out.getvalue()
    assert err.getvalue() == ""


def test_the_check_command_says_what_it_checks_with_verbosity_2(data, monkeypatch):
    monkeypatch.setattr("dangvu.stats.consistency.PROGRESS_EVERY", 2)
    err = StringIO()
    call_command("check", verbosity=2, stdout=StringIO(), stderr=err)
    steps = [line.split("] ", 1)[1] for line in err.getvalue().splitlines()]
    first = steps.index("members against their events")
    # The foreign keys, then what the apps register, then the members.
    assert steps[0] == "foreign keys"
    from dangvu.core.registry import consistency_checks

    assert set(steps[1:first]) == set(consistency_checks())
    assert {"indexes a stopped load left out", "admissions by month", "meetings by month"} <= set(
        steps[1:first]
    )
    assert "members: 2 checked" in steps
    assert steps[-3:] == ["organisation versions", "name search keys", "counters"]


def test_the_check_command_fails_after_tampering(tree, data):
    SubtreeCounter.objects.filter(organisation=tree.committee, dim="members", value="total").update(
        count=F("count") + 1
    )
    err = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("check", stdout=StringIO(), stderr=err)
    assert str(exc.value) == "dangvu check: 1 difference(s) found"
    assert err.getvalue() == (
        f"counter organisation {tree.committee.pk} members=total: stored 4 but recomputed 3\n"
    )
    # --system-only runs Django's checks alone.
    call_command("check", "--system-only", stdout=StringIO(), stderr=StringIO())
