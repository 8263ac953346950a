"""The working-day calendar for deadlines: weekends, public holidays (Labour Code 2019 art. 112)
and compensatory days."""

from datetime import date

import pytest

from dangvu.core.workdays import add_working_days, holidays, is_working_day, working_days_between


def test_holidays_of_2025():
    assert holidays(2025) == frozenset(
        {
            date(2025, 1, 1),
            # Tết: the last day of the old year and the first four of the new one (29/1 is 1/1
            # lunar) ...
            date(2025, 1, 28),
            date(2025, 1, 29),
            date(2025, 1, 30),
            date(2025, 1, 31),
            date(2025, 2, 1),
            # ... and 1/2 is a Saturday: the compensatory day is the next working day.
            date(2025, 2, 3),
            date(2025, 4, 7),  # Hùng Kings (10/3 lunar)
            date(2025, 4, 30),
            date(2025, 5, 1),
            date(2025, 9, 1),
            date(2025, 9, 2),
        }
    )


def test_national_day_is_two_days_since_2021():
    assert {date(2025, 9, 1), date(2025, 9, 2)} <= holidays(2025)
    assert date(2020, 9, 2) in holidays(2020)
    assert date(2020, 9, 1) not in holidays(2020)
    assert is_working_day(date(2020, 9, 1))  # a Tuesday


def test_a_holiday_on_a_weekend_gives_the_next_working_day_off():
    # 1/1/2023 was a Sunday: Monday 2/1 off.
    assert date(2023, 1, 2) in holidays(2023)
    assert not is_working_day(date(2023, 1, 2))
    assert is_working_day(date(2023, 1, 3))
    # 1/9/2024 was a Sunday and 2/9 a holiday anyway: the compensatory day is Tuesday 3/9.
    assert not is_working_day(date(2024, 9, 2))
    assert not is_working_day(date(2024, 9, 3))
    assert is_working_day(date(2024, 9, 4))


def test_tet_2024_two_weekend_days_give_two_compensatory_days():
    # Tết 2024: 9/2 (Fri) to 13/2 (Tue); 10/2 and 11/2 are a weekend -> 14/2 and 15/2 off.
    off = {d for d in holidays(2024) if date(2024, 2, 1) <= d <= date(2024, 2, 29)}
    assert off == {date(2024, 2, d) for d in range(9, 16)}
    assert is_working_day(date(2024, 2, 16))


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 1, 24), True),  # Friday before Tết
        (date(2025, 1, 25), False),  # Saturday
        (date(2025, 1, 27), True),  # Monday
        (date(2025, 1, 29), False),  # lunar new year
        (date(2025, 2, 3), False),  # compensatory
        (date(2025, 2, 4), True),
    ],
)
def test_is_working_day(day, working):
    assert is_working_day(day) is working


def test_add_working_days_across_tet():
    assert add_working_days(date(2025, 1, 24), 1) == date(2025, 1, 27)
    assert add_working_days(date(2025, 1, 27), 1) == date(2025, 2, 4)
    assert add_working_days(date(2025, 1, 24), 5) == date(2025, 2, 7)
    assert add_working_days(date(2025, 1, 24), 0) == date(2025, 1, 24)


def test_add_working_days_for_a_sixty_day_deadline():
    # 60 working days from Thursday 2/1/2025: the 65th weekday after it, because five weekdays
    # (28-31/1 and the compensatory 3/2) are Tết holidays.
    assert add_working_days(date(2025, 1, 2), 60) == date(2025, 4, 3)


def test_working_days_between_is_the_inverse_of_add_working_days():
    assert working_days_between(date(2025, 1, 24), date(2025, 2, 7)) == 5
    assert working_days_between(date(2025, 1, 27), date(2025, 2, 3)) == 0
    start = date(2024, 12, 20)
    for n in (1, 7, 30, 60):
        assert working_days_between(start, add_working_days(start, n)) == n
