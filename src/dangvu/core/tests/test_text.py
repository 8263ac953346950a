"""Vietnamese text folding: every search compares folded text (DESIGN.md: "dak glei" finds
"Đắk Glei")."""

import unicodedata

import pytest

from dangvu.core.text import fold, tokens


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đắk Glei", "dak glei"),
        ("Nguyễn Thị Ánh", "nguyen thi anh"),
        ("Phạm Văn Đồng", "pham van dong"),
        ("Hồ Chí Minh", "ho chi minh"),
        ("ĐẢNG ỦY XÃ ĐĂK PÉK", "dang uy xa dak pek"),
        ("Ơ Đu", "o du"),
        ("Giẻ-Triêng", "gie-trieng"),
        ("  Lê   Thị\tHương \n", "le thi huong"),
        ("Chi bộ thôn 5", "chi bo thon 5"),
    ],
)
def test_fold_lowercases_strips_diacritics_and_collapses_spaces(text, folded):
    assert fold(text) == folded


def test_fold_gives_the_same_result_for_composed_and_decomposed_input():
    composed = unicodedata.normalize("NFC", "Nguyễn Thị Ánh Đăk")
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert fold(decomposed) == fold(composed) == "nguyen thi anh dak"


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_fold_of_nothing_is_the_empty_string(empty):
    assert fold(empty) == ""


def test_tokens_are_folded_words_without_punctuation():
    assert tokens("Chi bộ, thôn Đăk-Ung!") == ["chi", "bo", "thon", "dak", "ung"]
    assert tokens("  ") == []
    assert tokens(None) == []
    assert tokens("012345678901") == ["012345678901"]
