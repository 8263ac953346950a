"""Rules are data with dates: the registry answers the value in force on a date and the
document that set it, and services ask it for the date of the act they record."""

from datetime import date

import pytest

from dangvu.core import rules
from dangvu.core.rules import (
    RULES,
    RuleNotInForce,
    RuleValue,
    UnknownRule,
    rule,
    rule_value,
    rule_value_or_none,
)
from dangvu.members.state import MemberState, probation_end


@pytest.mark.parametrize(
    ("on", "source", "effective_from"),
    [
        (date(2011, 1, 19), "Điều lệ Đảng (2011), Điều 5", date(2011, 1, 19)),
        (date(2021, 7, 29), "Điều lệ Đảng (2011), Điều 5", date(2011, 1, 19)),
        (date(2021, 7, 30), rules._QD24, date(2021, 7, 30)),
        (date(2025, 1, 19), rules._QD24, date(2021, 7, 30)),
        (date(2025, 1, 20), rules._QD232, date(2025, 1, 20)),
        (date(2025, 6, 30), rules._QD232, date(2025, 1, 20)),
        (date(2025, 7, 1), rules._QD294, date(2025, 7, 1)),
        (date(2030, 1, 1), rules._QD294, date(2025, 7, 1)),
    ],
)
def test_probation_rule_in_force_on_a_date_and_its_source(on, source, effective_from):
    found = rule("probation_months", on=on)
    assert (found.key, found.value, found.source, found.effective_from) == (
        "probation_months",
        12,
        source,
        effective_from,
    )


def test_before_the_first_recorded_document_no_value_is_assumed():
    with pytest.raises(RuleNotInForce) as caught:
        rule("probation_months", on=date(2000, 1, 1))
    assert "19/01/2011" in str(caught.value) and caught.value.first.value == 12
    assert rule_value_or_none("probation_months", on=date(2000, 1, 1)) is None
    assert rule_value_or_none("probation_months", on=date(2011, 1, 19)) == 12


@pytest.mark.parametrize(
    ("key", "on", "value", "source"),
    [
        ("admission_min_age", date(2020, 1, 1), 18, "Điều lệ Đảng (2011), Điều 1"),
        ("admission_max_age", date(2016, 7, 25), 60, "Quy định 29-QĐ/TW (25/7/2016)"),
        ("admission_max_age", date(2024, 1, 1), 60, rules._QD24),
        ("admission_max_age", date(2025, 3, 1), 60, rules._QD232),  # 232 is not skipped
        ("admission_max_age", date(2025, 7, 1), 60, rules._QD294),
        ("admission_decision_working_days", date(2024, 1, 1), 60, rules._QD24),
        ("admission_decision_working_days", date(2025, 2, 1), 60, rules._QD232),
        ("admission_decision_working_days", date(2026, 1, 1), 60, rules._QD294),
        ("admission_decision_extension_working_days", date(2026, 1, 1), 30, rules._QD294),
        ("recognition_decision_working_days", date(2025, 2, 1), 30, rules._QD232),
        ("recognition_decision_extension_working_days", date(2024, 1, 1), 30, rules._QD24),
        ("admission_ceremony_working_days", date(2025, 7, 1), 30, rules._QD294),
        ("recognition_review_working_days", date(2025, 1, 20), 30, rules._QD232),
        ("temporary_transfer_min_months", date(2025, 6, 9), 3, "Hướng dẫn 06-HD/TW (9/6/2025)"),
        (
            "temporary_transfer_under_months",
            date(2025, 6, 8),
            12,
            "Hướng dẫn 01-HD/TW (28/9/2021)",
        ),
        (
            "temporary_transfer_study_max_months",
            date(2025, 6, 9),
            24,
            "Hướng dẫn 06-HD/TW (9/6/2025)",
        ),
    ],
)
def test_other_rules(key, on, value, source):
    found = rule(key, on=on)
    assert (found.value, found.source) == (value, source)
    assert rule_value(key, on=on) == value


def test_unknown_rule_raises():
    with pytest.raises(UnknownRule):
        rule("no_such_rule", on=date(2024, 1, 1))


def test_every_rule_value_names_its_document_and_date():
    assert all(r.source and isinstance(r.effective_from, date) for r in RULES)
    keys_dates = [(r.key, r.effective_from) for r in RULES]
    assert len(keys_dates) == len(set(keys_dates))


def test_services_ask_the_rule_in_force_on_the_date_of_the_act(monkeypatch):
    """A new document changing the probation length from 2026 applies to ceremonies from
    then on, not to earlier ones."""
    monkeypatch.setattr(
        rules,
        "RULES",
        [*RULES, RuleValue("probation_months", 18, date(2026, 1, 1), "test document")],
    )
    before = MemberState(admission_date=date(2025, 12, 31), ceremony_date=date(2025, 12, 31))
    after = MemberState(admission_date=date(2026, 1, 1), ceremony_date=date(2026, 1, 1))
    assert probation_end(before) == date(2026, 12, 31)
    assert probation_end(after) == date(2027, 7, 1)
