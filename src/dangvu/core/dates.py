"""Date helpers."""

import calendar
from datetime import date
from functools import lru_cache

__all__ = ["add_months", "parse_date"]


# A bulk load asks about four times a member (age limits, end of probation), mostly for dates
# that repeat: a cache hit costs a tenth of the computation.
@lru_cache(maxsize=1 << 16)
def add_months(day: date, months: int) -> date:
    """Same day `months` later (clamped to the month's end: 31/1 + 1 month = 28 or 29/2)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def parse_date(text: str | None) -> date | None:
    """ISO (2022-06-20) or Vietnamese (20/06/2022) dates; None for empty; ValueError otherwise."""
    if not text:
        return None
    text = text.strip()
    if "/" in text:
        day, month, year = (int(p) for p in text.split("/"))
        return date(year, month, day)
    return date.fromisoformat(text)
