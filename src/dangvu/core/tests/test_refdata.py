"""Reference data: the 54 ethnic groups of Decision 1019/QĐ-TCTK with their codes, lookup by
code, name or other name (accent-insensitive), and the statistics breakdown helpers."""

from datetime import date

import pytest
from django.utils import translation

from dangvu.core.refdata import (
    ETHNICITIES,
    KINH,
    NO_RELIGION,
    RELIGIONS,
    admission_period,
    age_band,
    age_on,
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


@pytest.mark.parametrize(
    ("admitted", "period"),
    [
        (date(1944, 1, 1), "pre_1945"),
        (date(1945, 8, 18), "pre_1945"),
        (date(1945, 8, 19), "1945_1954"),
        (date(1954, 7, 20), "1945_1954"),
        (date(1954, 7, 21), "1954_1975"),
        (date(1975, 4, 30), "1954_1975"),
        (date(1975, 5, 1), "post_1975"),
        (date(2024, 1, 1), "post_1975"),
    ],
)
def test_admission_periods_of_the_statistics_forms(admitted, period):
    assert admission_period(admitted) == period
