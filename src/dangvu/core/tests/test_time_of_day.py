"""One rule for a time of day in forms and the API: HH:MM, no seconds kept, no time zone."""

from datetime import UTC, time

import pytest
from django.utils.translation import override
from pydantic import TypeAdapter, ValidationError

from dangvu.core.apischema import Clock
from dangvu.core.dates import time_of_day
from dangvu.core.forms import TimeOfDayField


def test_seconds_are_dropped_and_a_time_zone_is_refused():
    assert time_of_day(time(19, 30, 45)) == time(19, 30)
    with override("vi"), pytest.raises(ValueError, match="không kèm múi giờ"):
        time_of_day(time(19, 30, tzinfo=UTC))


def test_the_form_field_and_the_api_type_apply_the_same_rule():
    field = TimeOfDayField()
    assert field.clean("19:30") == time(19, 30)
    assert field.clean("") is None
    adapter = TypeAdapter(Clock)
    assert adapter.validate_python("19:30:15") == time(19, 30)
    with pytest.raises(ValidationError):
        adapter.validate_python("19:30+07:00")
