"""Dated attributes (members.dated): a change holds from its date, a correction says whether it
holds from the start, and every report as of a date counts the values of that date."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from dangvu.core.errors import ValidationError
from dangvu.members.models import AttributeChange, Member
from dangvu.members.services import (
    member_attribute_change,
    member_event_record,
    member_update,
    members_reassign,
)
from dangvu.stats.consistency import consistency_check
from dangvu.stats.selectors import membership_figures
from dangvu.testing.factories import counters, db_snapshot

pytestmark = pytest.mark.django_db

PAST = date(2022, 6, 20)


def _theory(org, day=None) -> dict[str, int]:
    report = membership_figures(org, day)
    return {row["code"]: row["count"] for row in report["breakdowns"]["theory"]}


def _change(member, value, **kwargs):
    kwargs.setdefault("kind", "change")
    return member_attribute_change(
        actor=None, member=member, field="theory_level", value=value, **kwargs
    )


@pytest.fixture
def lan(tree, make_member):
    return make_member(tree.cell1, theory_level="none", admission_date=date(2018, 3, 1))


def test_a_change_today_leaves_every_earlier_report_as_it_was(tree, lan):
    before = {day: _theory(tree.committee, day) for day in (PAST, date(2025, 7, 1))}
    today = timezone.localdate()
    _change(lan, "advanced", valid_from=today, source="Bằng cao cấp lý luận chính trị số 123")
    for day, figures in before.items():
        assert _theory(tree.committee, day) == figures, day
    now = _theory(tree.committee)
    assert now.get("advanced", 0) == before[PAST].get("advanced", 0) + 1
    assert counters(tree.committee)[("theory", "advanced")] >= 1
    lan.refresh_from_db()
    assert lan.theory_level == "advanced"
    assert consistency_check() == []


def test_a_change_holds_from_its_own_date(tree, lan):
    _change(lan, "intermediate", valid_from=date(2023, 5, 1))
    assert _theory(tree.cell1, date(2023, 4, 30)).get("intermediate", 0) == 0
    assert _theory(tree.cell1, date(2023, 5, 1))["intermediate"] == 1
    # A later change on top: each day counts the value of that day.
    _change(lan, "advanced", valid_from=date(2025, 9, 1))
    assert _theory(tree.cell1, date(2024, 1, 1))["intermediate"] == 1
    assert _theory(tree.cell1, date(2025, 9, 1))["advanced"] == 1
    assert consistency_check() == []


def test_a_correction_from_the_start_changes_every_report(tree, lan):
    _change(lan, "intermediate", valid_from=date(2023, 5, 1))
    member_attribute_change(
        actor=None,
        member=lan,
        field="theory_level",
        value="advanced",
        kind="correction",
        from_start=True,
        note="typing error",
    )
    for day in (PAST, date(2024, 1, 1), None):
        figures = _theory(tree.cell1, day)
        assert figures["advanced"] == 1 and figures.get("intermediate", 0) == 0, day
    assert consistency_check() == []


def test_a_correction_of_the_latest_value_keeps_its_date(tree, lan):
    _change(lan, "intermediate", valid_from=date(2023, 5, 1))
    member_attribute_change(
        actor=None, member=lan, field="theory_level", value="advanced", kind="correction"
    )
    assert _theory(tree.cell1, date(2023, 4, 30)).get("advanced", 0) == 0
    assert _theory(tree.cell1, date(2023, 5, 1))["advanced"] == 1
    kinds = list(
        AttributeChange.objects.filter(member=lan).order_by("id").values_list("kind", "valid_from")
    )
    assert kinds == [
        ("initial", None),
        ("change", date(2023, 5, 1)),
        ("correction", date(2023, 5, 1)),
    ]
    assert consistency_check() == []


def test_an_event_dated_before_a_change_keeps_the_cut(tree, lan):
    _change(lan, "intermediate", valid_from=date(2025, 5, 1))
    member_event_record(
        actor=None,
        member=lan,
        type="transferred",
        date=date(2025, 3, 1),
        organisation=tree.cell2,
    )
    assert _theory(tree.cell2, date(2025, 4, 1)).get("intermediate", 0) == 0
    assert _theory(tree.cell2, date(2025, 5, 2))["intermediate"] == 1
    members_reassign(
        actor=None, source=tree.cell2, target=tree.cell1, on=date(2025, 4, 1), ids=[lan.pk]
    )
    assert _theory(tree.cell1, date(2025, 4, 15)).get("intermediate", 0) == 0
    assert _theory(tree.cell1, date(2025, 6, 1))["intermediate"] == 1
    assert consistency_check() == []


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(value="advanced"), "valid_from"),  # a change needs its date
        (dict(value="advanced", valid_from=date.today() + timedelta(days=1)), "valid_from"),
        (dict(value="advanced", valid_from=date(1960, 1, 1)), "valid_from"),  # before birth
        (dict(value="none", valid_from=date(2024, 1, 1)), "value"),  # no change
        (dict(value="doctorate", valid_from=date(2024, 1, 1)), "value"),  # not a theory level
        (dict(value="advanced", valid_from=date(2024, 1, 1), kind="edit"), "kind"),
        (dict(value="advanced", field="gender", valid_from=date(2024, 1, 1)), "field"),
    ],
)
def test_a_wrong_change_is_refused_and_changes_nothing(lan, kwargs, field):
    kwargs = {"field": "theory_level", "kind": "change", **kwargs}
    before = db_snapshot()
    with pytest.raises(ValidationError) as exc:
        member_attribute_change(actor=None, member=lan, **kwargs)
    assert field in exc.value.message_dict
    assert db_snapshot() == before


def test_two_changes_on_one_day_are_refused(lan):
    _change(lan, "elementary", valid_from=date(2024, 1, 1))
    with pytest.raises(ValidationError) as exc:
        _change(lan, "advanced", valid_from=date(2024, 1, 1))
    assert "valid_from" in exc.value.message_dict


def test_an_edit_of_the_record_cannot_change_a_dated_attribute(lan):
    with pytest.raises(ValidationError) as exc:
        member_update(actor=None, member=lan, data={"theory_level": "advanced", "phone": "0905"})
    assert set(exc.value.message_dict) == {"theory_level"}
    assert Member.objects.get(pk=lan.pk).phone == lan.phone
    # The same value, given again with the rest of the record, is no change.
    member_update(actor=None, member=lan, data={"theory_level": "none", "phone": "0905"})
    assert Member.objects.get(pk=lan.pk).phone == "0905"
