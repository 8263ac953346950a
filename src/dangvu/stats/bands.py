"""The bands statistics group members into, defined once: age bands (form 3-BTCTW counts age
by birth month) and admission periods (the four historical periods of the standard forms).

The Python functions here and the SQL expressions in stats.counted come from the same data,
so a report counted from the counters, from the periods or in `dangvu check` agrees.
"""

from datetime import date

from dangvu.core.refdata import RefItem, RefList

__all__ = [
    "AGE_BANDS",
    "AGE_BAND_LOWER",
    "ADMISSION_PERIODS",
    "ADMISSION_PERIOD_STARTS",
    "age_on",
    "age_band",
    "age_band_limits",
    "age_band_of_month",
    "admission_period",
]

# (code, lowest age, highest age inclusive)
_AGE_BANDS = [
    ("18-30", 18, 30),
    ("31-35", 31, 35),
    ("36-40", 36, 40),
    ("41-45", 41, 45),
    ("46-50", 46, 50),
    ("51-55", 51, 55),
    ("56-60", 56, 60),
    ("61+", 61, 200),
]
# Lowest age of each band (reports place birth months by these).
AGE_BAND_LOWER = {code: lo for code, lo, _hi in _AGE_BANDS}
AGE_BANDS = RefList(
    "age_band",
    [
        RefItem(
            code,
            f"Từ {lo} đến {hi} tuổi" if hi < 200 else "Trên 60 tuổi",
            f"{lo} to {hi}" if hi < 200 else "Over 60",
        )
        for code, lo, hi in _AGE_BANDS
    ],
)

# (code, first day of the period, Vietnamese and English labels), oldest first: the August
# Revolution, the Geneva Accords, the end of the war.
_ADMISSION_PERIODS = [
    ("pre_1945", None, "Trước 19/8/1945", "Before 19/8/1945"),
    ("1945_1954", date(1945, 8, 19), "Từ 19/8/1945 đến 20/7/1954", "19/8/1945 to 20/7/1954"),
    ("1954_1975", date(1954, 7, 21), "Từ 21/7/1954 đến 30/4/1975", "21/7/1954 to 30/4/1975"),
    ("post_1975", date(1975, 5, 1), "Từ 01/5/1975 đến nay", "From 1/5/1975"),
]
ADMISSION_PERIODS = RefList(
    "admission_period", [RefItem(code, vi, en) for code, _start, vi, en in _ADMISSION_PERIODS]
)
# (code, first day) of every period but the first, latest first: what stats.counted turns into
# a SQL CASE and admission_period walks.
ADMISSION_PERIOD_STARTS = [
    (code, start) for code, start, _vi, _en in reversed(_ADMISSION_PERIODS) if start
]
_FIRST_PERIOD = _ADMISSION_PERIODS[0][0]


def admission_period(admitted: date) -> str:
    for code, start in ADMISSION_PERIOD_STARTS:
        if admitted >= start:
            return code
    return _FIRST_PERIOD


def age_on(birth_date: date, on: date) -> int:
    """Completed years on a date, counting a birthday in the month of `on` as reached.

    Age bands are kept in counters by birth month (PERFORMANCE.md trap 8), so Dangvu counts
    age by month everywhere: a member born in June is a year older for all of June.
    """
    return on.year - birth_date.year - (1 if birth_date.month > on.month else 0)


def age_band(birth_date: date, on: date) -> str:
    age = age_on(birth_date, on)
    for code, lo, hi in _AGE_BANDS:
        if lo <= age <= hi:
            return code
    return "18-30" if age < 18 else "61+"


def age_band_limits(on: date) -> list[tuple[str, str]]:
    """(band, latest birth month "YYYY-MM" in it on `on`), oldest band first. Age counts by
    month (age_on): a member is at least A years old on `on` when born in or before the month
    (on.year - A, on.month), so each band is a range of birth-month strings."""
    bands = sorted(_AGE_BANDS, key=lambda band: -band[1])
    return [(code, f"{on.year - lo:04d}-{on.month:02d}") for code, lo, _hi in bands]


def age_band_of_month(month: str, limits: list[tuple[str, str]]) -> str:
    """The band of a birth month "YYYY-MM" under `age_band_limits(on)`."""
    for code, latest in limits:
        if month <= latest:
            return code
    return limits[-1][0]
