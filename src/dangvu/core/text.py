"""Vietnamese text folding: every search compares folded text.

fold("Đăk Glei") == "dak glei": lowercase, no diacritics, đ -> d, spaces collapsed.
"""

import re
import unicodedata

__all__ = ["fold", "tokens"]

_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "d")
    decomposed = unicodedata.normalize("NFD", text.lower())
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip()


def tokens(text: str | None) -> list[str]:
    """Folded words of a query, punctuation removed."""
    return [t for t in re.split(r"[^0-9a-z]+", fold(text)) if t]
