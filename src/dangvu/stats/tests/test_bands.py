"""The bands statistics group members into: age counted by month, and the admission periods
of the standard forms, the same in Python and in SQL."""

from datetime import date

import pytest
from django.db.models import DateField, Value

from dangvu.organisations.models import Organisation
from dangvu.stats.bands import admission_period, age_band, age_on
from dangvu.stats.counted import period_columns

ADMISSION_BOUNDARIES = [
    (date(1944, 1, 1), "pre_1945"),
    (date(1945, 8, 18), "pre_1945"),
    (date(1945, 8, 19), "1945_1954"),
    (date(1954, 7, 20), "1945_1954"),
    (date(1954, 7, 21), "1954_1975"),
    (date(1975, 4, 30), "1954_1975"),
    (date(1975, 5, 1), "post_1975"),
    (date(2024, 1, 1), "post_1975"),
]


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (date(1980, 6, 20), date(2020, 6, 1), 40),  # the birthday month counts as reached
        (date(1980, 6, 20), date(2020, 5, 31), 39),
        (date(1980, 6, 20), date(2020, 12, 31), 40),
        (date(1980, 1, 1), date(2021, 1, 1), 41),
    ],
)
def test_age_is_counted_by_month(birth, on, age):
    assert age_on(birth, on) == age


@pytest.mark.parametrize(
    ("birth", "on", "band"),
    [
        (date(2000, 1, 1), date(2018, 1, 1), "18-30"),
        (date(1990, 1, 1), date(2020, 1, 31), "18-30"),  # 30
        (date(1989, 1, 1), date(2020, 1, 31), "31-35"),  # 31
        (date(1980, 3, 1), date(2020, 3, 1), "36-40"),
        (date(1980, 4, 1), date(2020, 3, 1), "36-40"),  # 39
        (date(1975, 3, 1), date(2020, 3, 1), "41-45"),
        (date(1970, 3, 1), date(2020, 3, 1), "46-50"),
        (date(1965, 3, 1), date(2020, 3, 1), "51-55"),
        (date(1960, 3, 1), date(2020, 3, 1), "56-60"),
        (date(1959, 3, 1), date(2020, 3, 1), "61+"),
        (date(1930, 3, 1), date(2020, 3, 1), "61+"),
    ],
)
def test_age_bands(birth, on, band):
    assert age_band(birth, on) == band


@pytest.mark.parametrize(("admitted", "period"), ADMISSION_BOUNDARIES)
def test_admission_periods_of_the_statistics_forms(admitted, period):
    assert admission_period(admitted) == period


@pytest.mark.django_db
def test_the_database_places_admission_dates_in_the_same_periods(tree):
    """Reports as of a past date and snapshots count from SQL (stats.counted.period_columns):
    the same cut-offs as the counters' Python."""
    expression = period_columns(record_prefix="")["c_admission_period"]
    for admitted, period in ADMISSION_BOUNDARIES:
        row = (
            Organisation.objects.filter(pk=tree.root.pk)
            .annotate(admission_date=Value(admitted, output_field=DateField()))
            .annotate(p=expression)
            .values_list("p", flat=True)
            .get()
        )
        assert row == period, admitted
