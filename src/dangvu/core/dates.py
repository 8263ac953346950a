"""Date helpers."""

import calendar
from datetime import date, time
from functools import lru_cache

from django.utils.translation import gettext as _

__all__ = [
    "add_months",
    "parse_date",
    "check_in_range",
    "time_of_day",
    "MIN_DATE",
    "MAX_DATE",
]

# The dates Dangvu accepts anywhere (forms, API, CLI, services): the oldest living members were
# born in the 1920s and the party's records begin in 1930; a date outside is a typing error.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2100, 12, 31)


def check_in_range(value: date) -> None:
    """ValueError (with the reason, in the user's language) for a date outside MIN/MAX_DATE."""
    if not MIN_DATE <= value <= MAX_DATE:
        raise ValueError(
            _("The date must lie between %(a)s and %(b)s.")
            % {"a": MIN_DATE.strftime("%d/%m/%Y"), "b": MAX_DATE.strftime("%d/%m/%Y")}
        )


def time_of_day(value: time) -> time:
    """A time of day as Dangvu keeps it (a meeting's start and end): hours and minutes, no
    seconds, no time zone (the day's local time). ValueError, in the user's language, for a
    time with a time zone (SQLite cannot store one; a meeting has no other zone than its
    place's)."""
    if value.tzinfo is not None:
        raise ValueError(_("Enter a time of day as HH:MM, without a time zone."))
    return value.replace(second=0, microsecond=0)


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
    """ISO (2022-06-20) or Vietnamese (20/06/2022) dates within MIN/MAX_DATE; None for empty;
    ValueError otherwise."""
    if not text:
        return None
    text = text.strip()
    if "/" in text:
        day, month, year = (int(p) for p in text.split("/"))
        value = date(year, month, day)
    else:
        value = date.fromisoformat(text)
    check_in_range(value)
    return value
