"""Reference data: the 54 ethnic groups of Decision 1019/QĐ-TCTK with their codes, lookup by
code, name or other name (accent-insensitive)."""

import pytest
from django.utils import translation

from dangvu.core.refdata import (
    ETHNICITIES,
    KINH,
    NO_RELIGION,
    RELIGIONS,
)


def test_there_are_54_ethnic_groups_coded_01_to_54_in_order():
    assert ETHNICITIES.codes == [f"{n:02d}" for n in range(1, 55)]
    assert len({item.vi for item in ETHNICITIES}) == 54


@pytest.mark.parametrize(
    ("code", "vi", "en"),
    [
        ("01", "Kinh", "Kinh"),
        ("02", "Tày", "Tay"),
        ("12", "Ba-na", "Bahnar"),
        ("16", "Xơ-đăng", "Xo Dang"),
        ("29", "Giẻ-Triêng", "Gie Trieng"),
        ("53", "Brâu", "Brau"),
        ("54", "Ơ Đu", "O Du"),
    ],
)
def test_ethnic_group_codes_and_names(code, vi, en):
    item = ETHNICITIES.get(code)
    assert (item.code, item.vi, item.en) == (code, vi, en)


def test_kinh_and_no_religion_constants():
    assert KINH == "01"
    assert ETHNICITIES.get(KINH).vi == "Kinh"
    assert NO_RELIGION == "00"
    assert RELIGIONS.get(NO_RELIGION).vi == "Không"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("16", "16"),
        ("Xơ-đăng", "16"),
        ("Xê Đăng", "16"),
        ("xe dang", "16"),
        ("  XÊ ĐĂNG ", "16"),
        ("Giẻ Triêng", "29"),
        ("gie-trieng", "29"),
        ("Ta-riêng", "29"),
        ("Kinh", "01"),
        ("Việt", "01"),
        ("Khmer", "05"),
        ("Lào", "35"),
        ("01", "01"),
    ],
)
def test_lookup_by_code_name_or_other_name(text, code):
    assert ETHNICITIES.lookup(text).code == code


@pytest.mark.parametrize("text", ["", None, "99", "00", "Klingon"])
def test_lookup_of_unknown_text_is_none(text):
    assert ETHNICITIES.lookup(text) is None


def test_religion_lookup_by_other_name():
    assert RELIGIONS.lookup("Thiên Chúa giáo").code == "02"
    assert RELIGIONS.lookup("hoa hao").code == "05"


def test_labels_follow_the_active_language():
    with translation.override("vi"):
        assert ETHNICITIES.label("16") == "Xơ-đăng"
        assert ETHNICITIES.choices()[15] == ("16", "Xơ-đăng")
    with translation.override("en"):
        assert ETHNICITIES.label("16") == "Xo Dang"
    assert ETHNICITIES.label("99") == ""
    assert ETHNICITIES.label(None) == ""


def test_membership_in_a_reference_list_is_by_code():
    assert "16" in ETHNICITIES
    assert "Xơ-đăng" not in ETHNICITIES
