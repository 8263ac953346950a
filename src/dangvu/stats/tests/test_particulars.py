"""The particulars forms 2-BTCTW and 3-BTCTW count (Youth Union member, private-enterprise
owner, married to a foreigner, academic title): dated facts like education, so a report as of
a date counts the values of that date; and admissions again (kết nạp lại) in form 2."""

from datetime import date

import pytest

from dangvu.core.errors import ValidationError
from dangvu.members.services import member_attribute_change, member_event_record
from dangvu.reports.exports import admissions_form, membership_form
from dangvu.stats.consistency import consistency_check
from dangvu.stats.selectors import admissions_figures, membership_figures
from dangvu.testing.factories import counters

pytestmark = pytest.mark.django_db


def _change(member, field, value, day):
    return member_attribute_change(
        actor=None, member=member, field=field, value=value, kind="change", valid_from=day
    )


def test_youth_union_membership_counts_from_its_date_until_it_ends(tree, make_member):
    an = make_member(tree.cell1, birth_date=date(1998, 4, 1), admission_date=date(2019, 5, 1))
    make_member(tree.cell1, youth_union="yes", admission_date=date(2019, 5, 1))
    _change(an, "youth_union", "yes", date(2020, 1, 10))
    # Leaving the Youth Union at 30 is a change to "no" ("Không", the empty value).
    _change(an, "youth_union", "Không", date(2025, 4, 1))

    def youth(day):
        return membership_figures(tree.committee, day)["youth_union"]["count"]

    assert youth(date(2020, 1, 9)) == 1
    assert youth(date(2020, 1, 10)) == 2
    assert youth(date(2025, 3, 31)) == 2
    assert youth(date(2025, 4, 1)) == 1
    assert youth(None) == 1 == counters(tree.committee)[("youth_union", "yes")]
    # Nobody's "no" is counted: no counter row for it.
    assert ("youth_union", "") not in counters(tree.committee)
    an.refresh_from_db()
    assert an.youth_union == ""
    assert consistency_check() == []


def test_the_other_particulars_are_dated_too(tree, make_member):
    binh = make_member(tree.cell1, admission_date=date(2015, 1, 1))
    _change(binh, "enterprise_owner", "yes", date(2022, 3, 1))
    _change(binh, "married_foreigner", "Có", date(2023, 3, 1))
    _change(binh, "academic_title", "Phó giáo sư", date(2024, 3, 1))
    before = membership_figures(tree.committee, date(2022, 2, 28))
    assert before["enterprise_owner"]["count"] == 0
    after = membership_figures(tree.committee, date(2024, 3, 1))
    assert after["enterprise_owner"]["count"] == 1
    assert after["married_foreigner"]["count"] == 1
    titles = {r["code"]: r["count"] for r in after["breakdowns"]["academic_title"]}
    assert titles == {"associate_professor": 1, "professor": 0}
    with pytest.raises(ValidationError) as exc:
        _change(binh, "academic_title", "Tiến sĩ khoa học", date(2024, 5, 1))
    assert set(exc.value.message_dict) == {"value"}


def test_form_3_has_a_row_for_each_particular(tree, make_member):
    make_member(tree.cell1, youth_union="yes", enterprise_owner="yes")
    make_member(tree.cell1)
    report = membership_figures(tree.committee)
    rows = {r.label: r.values for r in membership_form(report).rows}
    assert rows["Đoàn viên Đoàn TNCS Hồ Chí Minh"][:2] == (1, 50.0)
    assert rows["Chủ doanh nghiệp tư nhân"][:2] == (1, 50.0)
    assert rows["Kết hôn với người nước ngoài"][:2] == (0, 0.0)


def test_form_2_counts_the_particulars_of_the_day_of_admission_and_admissions_again(
    tree, make_member
):
    year = (date(2025, 1, 1), date(2025, 12, 31))
    a = make_member(
        tree.cell1, probationary=True, youth_union="yes", admission_date=date(2025, 3, 3)
    )
    # She leaves the Youth Union later in the year: admitted as a Youth Union member still.
    _change(a, "youth_union", "", date(2025, 10, 1))
    again = make_member(tree.cell2, admission_date=date(2010, 1, 1))
    member_event_record(actor=None, member=again, type="left", date=date(2021, 6, 1))
    member_event_record(
        actor=None,
        member=again,
        type="admitted",
        date=date(2025, 6, 2),
        organisation=tree.cell2,
    )
    report = admissions_figures(tree.province, *year)
    assert report["admitted"] == 2
    assert report["youth_union"]["count"] == 1
    assert report["readmitted"]["count"] == 1
    rows = {r.label: r.values for r in admissions_form(report).rows}
    assert rows["Kết nạp lại"][0] == 1
    assert rows["Đoàn viên Đoàn TNCS Hồ Chí Minh"][0] == 1
    assert consistency_check() == []


def test_form_3_says_how_many_of_the_retired_are_exempted(tree, make_member):
    old = make_member(tree.cell1, occupation="retired", admission_date=date(1980, 1, 1))
    make_member(tree.cell1, occupation="retired", admission_date=date(1985, 1, 1))
    working = make_member(tree.cell2, occupation="farmer", admission_date=date(1990, 1, 1))
    for member in (old, working):
        member_event_record(actor=None, member=member, type="exempted", date=date(2024, 5, 1))
    # From the counters (today), the periods (a past date) and a cell's own periods alike.
    assert membership_figures(tree.committee)["retired_exempted"]["count"] == 1
    assert counters(tree.committee)[("retired_exempted", "yes")] == 1
    assert membership_figures(tree.committee, date(2024, 5, 1))["retired_exempted"]["count"] == 1
    assert membership_figures(tree.committee, date(2024, 4, 30))["retired_exempted"]["count"] == 0
    assert membership_figures(tree.cell1, date(2024, 6, 1))["retired_exempted"]["count"] == 1
    rows = membership_form(membership_figures(tree.committee)).rows
    at = next(i for i, r in enumerate(rows) if r.label == "Nghỉ hưu, thôi việc")
    assert rows[at + 1].label == "trong đó: miễn công tác và sinh hoạt đảng"
    assert rows[at + 1].values[:2] == (1, 33.33)
    assert consistency_check() == []


def test_the_upgrade_counts_the_retired_exempted_already_recorded(tree, make_member):
    import importlib

    from django.apps import apps

    from dangvu.stats.build import snapshots_build
    from dangvu.stats.models import SubtreeCounter, SubtreeSnapshot

    migration = importlib.import_module("dangvu.stats.migrations.0005_retired_exempted_counters")
    old = make_member(tree.cell1, occupation="retired", admission_date=date(1980, 1, 1))
    member_event_record(actor=None, member=old, type="exempted", date=date(2024, 5, 1))
    snapshots_build(since=date(2024, 1, 1), min_members=1)
    # As a database from before the dimension holds them: no rows for it.
    SubtreeCounter.objects.filter(dim="retired_exempted").delete()
    assert consistency_check() != []
    migration.count_retired_exempted(apps, None)
    assert consistency_check() == []
    assert counters(tree.province)[("retired_exempted", "yes")] == 1
    assert not SubtreeSnapshot.objects.exists()
