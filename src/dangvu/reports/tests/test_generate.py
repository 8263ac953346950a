"""`dangvu generate`: the real 2025 map, members through the bulk services (events, periods,
counters, audit all consistent), deterministic, and resumable without duplicates."""

import pytest
from django.core.management import CommandError, call_command

from dangvu.audit.models import AuditRecord
from dangvu.core.text import rotations
from dangvu.members.models import Member, MembershipEvent, NameKey
from dangvu.organisations.models import Organisation, SubtreeCounter
from dangvu.reports.consistency import consistency_check
from dangvu.reports.national import GenerateConflict, generate
from dangvu.reports.national.plan import country_plan, unit_branch

pytestmark = pytest.mark.django_db

N = 1500


def test_the_plan_is_the_real_map_and_adds_up():
    plan = country_plan(56_000, seed=3)
    assert len(plan) == 34
    communes = [u for p in plan for u in p.units if u.kind == "commune"]
    assert len(communes) == 3321
    assert sum(u.members for p in plan for u in p.units) == 56_000
    hcmc = next(p for p in plan if p.code == "79")
    assert hcmc.members == max(p.members for p in plan)
    assert country_plan(56_000, seed=3)[5].units[7] == plan[5].units[7]  # deterministic
    unit = max(communes, key=lambda u: u.members)
    specs, cells, kinds = unit_branch(unit, seed=3)
    assert sum(n for _c, n in cells) == unit.members
    assert all(1 <= n <= 150 for _c, n in cells)
    assert set(kinds) == {c for c, _n in cells}


def test_generate_a_small_country_then_resume_without_duplicates():
    result = generate(members=N, seed=7)
    assert (result.members, result.skipped_units) == (N, 0)
    assert Member.objects.count() == N
    assert Organisation.objects.filter(kind="province").count() == 34
    assert Organisation.objects.filter(kind="commune").count() == 3321
    in_party = Member.objects.filter(status__in=["official", "probationary"]).count()
    root = Organisation.objects.get(code="TW")
    assert SubtreeCounter.objects.get(organisation=root, dim="members", value="total").count == (
        in_party
    )
    assert 0.75 * N < in_party < N
    assert MembershipEvent.objects.count() > 1.5 * N
    names = set(Member.objects.values_list("name_folded", flat=True))
    keys = set(NameKey.objects.values_list("key", "name"))
    assert keys == {(k, n) for n in names for k in rotations(n)}
    assert AuditRecord.objects.filter(action="member.create_bulk").exists()
    kinh = Member.objects.filter(ethnicity="01").count() / N
    assert 0.7 < kinh < 0.95
    assert consistency_check() == []

    counts = (Member.objects.count(), MembershipEvent.objects.count())
    again = generate(members=N, seed=7)
    assert again.skipped_units == again.units
    assert (Member.objects.count(), MembershipEvent.objects.count()) == counts
    with pytest.raises(GenerateConflict):
        generate(members=N, seed=8)


def test_generate_refuses_a_database_with_other_data(tree):
    with pytest.raises(CommandError, match="empty database"):
        call_command("generate", members=N, quiet=True)
