"""Forms 2-BTCTW (members admitted) and 5-BTCTW (grassroots organisations by type)."""

from datetime import date

import pytest

from dangvu.core.errors import ValidationError
from dangvu.members.services import member_attribute_change, member_event_record
from dangvu.stats.selectors import admissions_figures, grassroots_figures, period_figures
from dangvu.testing.factories import make_org

pytestmark = pytest.mark.django_db

YEAR = (date(2025, 1, 1), date(2025, 12, 31))


def _row(report, type_):
    return next(r for r in report["rows"] if r["type"] == type_)


def test_form_5_counts_each_grassroots_organisation_under_its_own_type(tree, make_member):
    make_org(code="KT-DG-DP-03", name="Chi bộ thôn 3", kind="cell", parent=tree.committee)
    for _ in range(3):
        make_member(tree.cell1)
    make_member(tree.cell2)
    make_member(tree.gcell)
    report = grassroots_figures(tree.district)
    committee = _row(report, tree.committee.grassroots_type)
    assert (committee["committees"], committee["cells"], committee["attached_cells"]) == (1, 0, 3)
    assert committee["members"] == 4
    school = _row(report, tree.gcell.grassroots_type)
    assert (school["committees"], school["cells"], school["members"]) == (0, 1, 1)
    assert report["total"]["total"] == 2 and report["total"]["members"] == 5
    assert report["members_outside_grassroots"] == 0
    # The members of form 5 are those of form 3.
    with pytest.raises(ValidationError):
        grassroots_figures(tree.district, date(1990, 1, 1))  # before the tree existed


def test_form_2_counts_admissions_with_the_values_of_the_day_of_admission(tree, make_member):
    old = make_member(tree.cell1, admission_date=date(2010, 1, 1))
    a = make_member(
        tree.cell1,
        probationary=True,
        gender="F",
        ethnicity="16",
        birth_date=date(2000, 5, 1),
        admission_date=date(2025, 3, 3),
        theory_level="none",
    )
    make_member(tree.cell3, probationary=True, admission_date=date(2025, 4, 4))  # elsewhere
    # A course completed after the admission does not change how she was admitted.
    member_attribute_change(
        actor=None,
        member=a,
        field="theory_level",
        value="elementary",
        kind="change",
        valid_from=date(2025, 9, 1),
    )
    member_event_record(actor=None, member=old, type="died", date=date(2025, 5, 5))
    report = admissions_figures(tree.province, *YEAR)
    assert report["admitted"] == 1
    assert report["women"]["count"] == 1 and report["ethnic_minority"]["count"] == 1
    theory = {r["code"]: r["count"] for r in report["breakdowns"]["theory"]}
    assert theory["none"] == 1 and theory.get("elementary", 0) == 0
    ages = {r["code"]: r["count"] for r in report["breakdowns"]["age_band"]}
    assert ages["18-30"] == 1
    # Form 2's admissions are form 1's.
    admitted = next(
        r["count"]
        for r in period_figures(tree.province, *YEAR)["increases"]
        if r["key"] == "admitted"
    )
    assert admitted == report["admitted"]
    assert report["grassroots_with_admissions"] == 1
    assert report["grassroots_without_admissions"] == 1  # the school's cell
