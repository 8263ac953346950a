"""A unit formed by the 2025 reorganisation reads its year as one 1-BTCTW: it opens with what
the units it continues held, and their year's changes are its own."""

from datetime import date

import pytest

from dangvu.members.services import member_event_record
from dangvu.organisations.services import organisation_merge
from dangvu.stats.selectors import membership_figures, period_figures, predecessors
from dangvu.testing.factories import make_org

pytestmark = pytest.mark.django_db

MERGED = date(2025, 7, 1)
YEAR = (date(2025, 1, 1), date(2025, 12, 31))


def _row(report, side, key):
    return next(r["count"] for r in report[side] if r["key"] == key)


@pytest.fixture
def merged(tree, make_member):
    members = [make_member(tree.cell1, admission_date=date(2015, 1, 5)) for _ in range(3)]
    members += [make_member(tree.cell3, admission_date=date(2016, 1, 5)) for _ in range(2)]
    # A death in the first half of the year, in a unit that is merged later.
    member_event_record(actor=None, member=members[0], type="died", date=date(2025, 3, 3))
    new = make_org(
        code="QNG",
        name="Tỉnh ủy Quảng Ngãi (mới)",
        kind="province",
        parent=tree.root,
        valid_from=MERGED,
    )
    organisation_merge(actor=None, sources=[tree.province, tree.province2], target=new, on=MERGED)
    new.refresh_from_db()
    return new


def test_the_new_unit_opens_with_its_predecessors_figures(tree, merged):
    assert {p.code for p, day in predecessors(merged, *YEAR)} == {"KT", "QN"}
    report = period_figures(merged, *YEAR)
    assert report["opening"] == 5
    assert _row(report, "decreases", "died") == 1
    assert _row(report, "increases", "reorganised_in") == 0
    assert report["closing"] == 4
    assert report["opening"] + report["increase_total"] - report["decrease_total"] == 4
    assert {c["code"] for c in report["continues"]} == {"KT", "QN"}


def test_a_period_after_the_merger_carries_nothing(tree, merged):
    report = period_figures(merged, date(2025, 8, 1), date(2025, 12, 31))
    assert report["continues"] == [] and report["opening"] == 4


def test_a_province_that_absorbed_another_reads_the_year_as_both(tree, make_member):
    # Kon Tum merged into an existing Quảng Ngãi (as in the demo): Quảng Ngãi's year opens with
    # both provinces' members; the members handed over on 1/7 are no increase.
    for _ in range(3):
        make_member(tree.cell1, admission_date=date(2015, 1, 5))
    make_member(tree.cell3, admission_date=date(2016, 1, 5))
    organisation_merge(actor=None, sources=[tree.province], target=tree.province2, on=MERGED)
    tree.refresh()
    report = period_figures(tree.province2, *YEAR)
    assert report["opening"] == 4 and report["closing"] == 4
    assert report["increase_total"] == 0 and report["decrease_total"] == 0
    assert [c["code"] for c in report["continues"]] == ["KT"]
    # A period that ends before the merger carries nothing.
    assert period_figures(tree.province2, date(2025, 1, 1), date(2025, 6, 30))["continues"] == []


def test_a_commune_committee_counts_as_a_grassroots_organisation(tree, make_member):
    # 1/7/2025: the commune's grassroots committee (with its village cells) merges into the new
    # commune-level committee under the province, and the district ends. The province still
    # counts the commune's grassroots organisation, now the commune committee, and the school's
    # grassroots cell moved under it.
    make_member(tree.cell1)
    before = membership_figures(tree.province, date(2025, 6, 30))["organisations"]
    commune = make_org(
        code="X1",
        name="Đảng bộ xã Đăk Pék",
        kind="commune",
        parent=tree.province,
        valid_from=MERGED,
    )
    organisation_merge(actor=None, sources=[tree.committee], target=commune, on=MERGED)
    organisation_merge(actor=None, sources=[tree.district], target=commune, on=MERGED)
    tree.refresh()
    after = membership_figures(tree.province, date(2025, 7, 1))["organisations"]
    today = membership_figures(tree.province)["organisations"]
    assert before["grassroots"] == 2  # the commune's committee and the school's cell
    assert after["grassroots"] == today["grassroots"] == 2  # the commune committee and the school
    assert after["by_grassroots_type"].get("commune") == 1
    assert membership_figures(commune)["organisations"]["grassroots"] == 2
