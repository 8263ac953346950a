"""The picker's contract: a subclass that leaves out a method it must provide cannot be made."""

import pytest

from dangvu.core.forms import PickerField


def test_a_picker_missing_a_method_cannot_be_made():
    class Halfway(PickerField):
        def find(self, key):
            return None

    with pytest.raises(TypeError, match="abstract"):
        Halfway()
