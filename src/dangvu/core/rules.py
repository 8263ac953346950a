"""Rules are data with dates.

Every number a rule depends on lives here, tagged with the document that set it and the
date it took effect. A service asks for the value in force on the date of the act it
records: `rule("probation_months", on=ceremony_date)`.
"""

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date

__all__ = ["RuleValue", "RULES", "rule", "rule_value", "UnknownRule"]


@dataclass(frozen=True)
class RuleValue:
    key: str
    value: object
    effective_from: date
    source: str
    note: str = ""


class UnknownRule(LookupError):
    pass


RULES: list[RuleValue] = [
    # Probation: 12 months counted from the admission ceremony (DOMAIN.md §3.3, §2.7).
    RuleValue(
        "probation_months",
        12,
        date(2011, 1, 19),
        "Điều lệ Đảng (2011), Điều 5",
        "12 tháng kể từ ngày kết nạp",
    ),
    RuleValue("probation_months", 12, date(2021, 7, 30), "Quy định 24-QĐ/TW (30/7/2021)"),
    RuleValue("probation_months", 12, date(2025, 1, 20), "Quy định 232-QĐ/TW (20/1/2025)"),
    RuleValue("probation_months", 12, date(2025, 7, 1), "Quy định 294-QĐ/TW (26/5/2025)"),
    # Admission age window, counted in months at the time of the cell's consideration.
    RuleValue("admission_min_age", 18, date(2011, 1, 19), "Điều lệ Đảng (2011), Điều 1"),
    RuleValue(
        "admission_max_age",
        60,
        date(2016, 7, 25),
        "Quy định 29-QĐ/TW (25/7/2016)",
        "trên 60 tuổi do cấp ủy trực thuộc Trung ương xem xét",
    ),
    RuleValue("admission_max_age", 60, date(2021, 7, 30), "Quy định 24-QĐ/TW (30/7/2021)"),
    RuleValue("admission_max_age", 60, date(2025, 7, 1), "Quy định 294-QĐ/TW (26/5/2025)"),
    # Deadlines in working days (used by later modules; kept here so all rules are in one place).
    RuleValue("admission_decision_working_days", 60, date(2021, 7, 30), "Quy định 24-QĐ/TW"),
    RuleValue("recognition_decision_working_days", 30, date(2021, 7, 30), "Quy định 24-QĐ/TW"),
    RuleValue("admission_ceremony_working_days", 30, date(2021, 7, 30), "Quy định 24-QĐ/TW"),
    RuleValue("recognition_review_working_days", 30, date(2021, 7, 30), "Quy định 24-QĐ/TW"),
    # Temporary transfer: 3 months to under a year (study: up to 2 years).
    RuleValue(
        "temporary_transfer_max_months", 12, date(2021, 9, 28), "Hướng dẫn 01-HD/TW (28/9/2021)"
    ),
    RuleValue(
        "temporary_transfer_max_months", 12, date(2025, 6, 9), "Hướng dẫn 06-HD/TW (9/6/2025)"
    ),
]


_index: dict = {"source": None, "by_key": {}}


def _by_key() -> dict[str, tuple[list[date], list[RuleValue]]]:
    """RULES grouped by key and sorted by date, rebuilt whenever RULES is replaced."""
    if _index["source"] is not RULES:
        groups: dict[str, list[RuleValue]] = {}
        for r in sorted(RULES, key=lambda r: r.effective_from):
            groups.setdefault(r.key, []).append(r)
        _index["by_key"] = {k: ([r.effective_from for r in v], v) for k, v in groups.items()}
        _index["source"] = RULES
    return _index["by_key"]


def rule(key: str, *, on: date) -> RuleValue:
    """The rule value in force on a date (the latest one that took effect on or before it)."""
    found = _by_key().get(key)
    if found is None:
        raise UnknownRule(key)
    dates, values = found
    i = bisect_right(dates, on)
    # Before the first recorded document: the earliest known value applies.
    return values[i - 1] if i else values[0]


def rule_value(key: str, *, on: date):
    return rule(key, on=on).value
