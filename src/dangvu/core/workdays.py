"""Working days in Vietnam: weekends and public holidays (Labour Code 2019, art. 112).

Public holidays: 1/1; Tết (lunar new year: the last day of the old year and the first four
days of the new one, 5 days); Hùng Kings' day (10/3 lunar); 30/4; 1/5; 2/9 and one adjacent
day (1/9 or 3/9; Dangvu uses 1/9, as the government has chosen most years). A holiday that
falls on a weekend gives a compensatory day off on the next working day.

Lunar dates are data: the solar date of lunar new year's day and of 10/3 lunar per year.
"""

from datetime import date, timedelta
from functools import lru_cache

__all__ = ["holidays", "is_working_day", "add_working_days", "working_days_between"]

# year: (lunar new year's day, Hùng Kings' day 10/3 lunar)
LUNAR_DATES = {
    2018: (date(2018, 2, 16), date(2018, 4, 25)),
    2019: (date(2019, 2, 5), date(2019, 4, 14)),
    2020: (date(2020, 1, 25), date(2020, 4, 2)),
    2021: (date(2021, 2, 12), date(2021, 4, 21)),
    2022: (date(2022, 2, 1), date(2022, 4, 10)),
    2023: (date(2023, 1, 22), date(2023, 4, 29)),
    2024: (date(2024, 2, 10), date(2024, 4, 18)),
    2025: (date(2025, 1, 29), date(2025, 4, 7)),
    2026: (date(2026, 2, 17), date(2026, 4, 26)),
    2027: (date(2027, 2, 6), date(2027, 4, 16)),
    2028: (date(2028, 1, 26), date(2028, 4, 4)),
    2029: (date(2029, 2, 13), date(2029, 4, 23)),
    2030: (date(2030, 2, 3), date(2030, 4, 12)),
}

_cache: dict[int, frozenset[date]] = {}


def holidays(year: int) -> frozenset[date]:
    """Days off in a year, compensatory days included."""
    if year in _cache:
        return _cache[year]
    days = [date(year, 1, 1), date(year, 4, 30), date(year, 5, 1), date(year, 9, 2)]
    if year >= 2021:
        days.append(date(year, 9, 1))
    if year in LUNAR_DATES:
        new_year, hung_kings = LUNAR_DATES[year]
        days += [new_year + timedelta(days=d) for d in range(-1, 4)]
        days.append(hung_kings)
    off = set(days)
    for day in sorted(days):
        if day.weekday() >= 5:
            extra = day + timedelta(days=1)
            while extra.weekday() >= 5 or extra in off:
                extra += timedelta(days=1)
            off.add(extra)
    _cache[year] = frozenset(off)
    return _cache[year]


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in holidays(day.year)


@lru_cache(maxsize=16384)
def add_working_days(start: date, count: int) -> date:
    """The date `count` working days after `start` (start itself not counted)."""
    day = start
    remaining = count
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days in (start, end]."""
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count
