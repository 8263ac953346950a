"""Vietnamese text folding: every search compares folded text.

fold("Đắk Glei") == "dak glei": lowercase, no diacritics, đ -> d, spaces collapsed.
"""

import re
import unicodedata
from functools import lru_cache

from django.utils.translation import gettext as _

from dangvu.core.errors import ValidationError

__all__ = [
    "clean_texts",
    "fold",
    "natural_key",
    "tokens",
    "rotations",
    "clean_text",
    "clean_code",
    "CODE_MAX_LENGTH",
]

_SPACES = re.compile(r"\s+")

# Characters that look like nothing: a name with one is another name to every comparison.
_INVISIBLE_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_INVISIBLE = dict.fromkeys(map(ord, _INVISIBLE_CHARS), None)
_HAS_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")
# Control characters (C0 but tab and line breaks, DEL, C1) and lone surrogates: a regular
# expression, not a look-up per character (a national load cleans millions of names).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(value, *, max_length: int, multiline: bool = False) -> str:
    """Text as Dangvu stores it: Unicode NFC (one spelling of "Đăk" however it was typed),
    invisible characters removed, no control character (ValueError), spaces collapsed on one
    line (line breaks kept in multi-line text), at most `max_length` characters (ValueError).
    The same on SQLite and PostgreSQL: the database's own limits are never reached."""
    text = str(value or "")
    if not text.isascii():
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        if _HAS_INVISIBLE.search(text):
            text = text.translate(_INVISIBLE)
    if _CONTROL.search(text):
        raise ValueError(_("Remove the control characters from this text."))
    if multiline:
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        text = "\n".join(" ".join(line.split()) for line in lines).strip()
    else:
        text = " ".join(text.split())
    if len(text) > max_length:
        raise ValueError(
            _("At most %(n)d characters (this has %(m)d).") % {"n": max_length, "m": len(text)}
        )
    return text


CODE_MAX_LENGTH = 40
_CODE = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]+)*$")


def clean_texts(texts: dict, *, limits: dict[str, int], multiline=()) -> dict[str, str]:
    """clean_text of each named text (None as empty) with its field's limit; a ValidationError
    naming every field that fails (core.errors)."""
    cleaned, errors = {}, {}
    for name, value in texts.items():
        try:
            cleaned[name] = clean_text(
                value or "", max_length=limits[name], multiline=name in multiline
            )
        except ValueError as exc:
            errors[name] = str(exc)
    if errors:
        raise ValidationError(errors)
    return cleaned


def clean_code(value) -> str:
    """An organisation code: upper-case letters, digits and single hyphens between them
    ("KT-DG-01"), at most CODE_MAX_LENGTH characters; typed in lower case it is raised.
    ValueError saying what is allowed otherwise."""
    code = unicodedata.normalize("NFC", str(value or "")).strip().upper()
    if not _CODE.match(code) or len(code) > CODE_MAX_LENGTH:
        raise ValueError(
            _(
                "A code has letters A-Z, digits and hyphens between them (e.g. KT-DG-01), "
                "at most %(n)d characters."
            )
            % {"n": CODE_MAX_LENGTH}
        )
    return code


def fold(text: str | None) -> str:
    if not text:
        return ""
    return _fold(text)


@lru_cache(maxsize=100_000)
def _fold(text: str) -> str:
    # Cached: names repeat (about 62,000 distinct folded names per million members), and a
    # bulk load folds every one.
    text = text.replace("đ", "d").replace("Đ", "d")
    decomposed = unicodedata.normalize("NFD", text.lower())
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip()


def tokens(text: str | None) -> list[str]:
    """Folded words of a query, punctuation removed."""
    return [t for t in re.split(r"[^0-9a-z]+", fold(text)) if t]


def rotations(folded: str) -> list[str]:
    """Each word of a folded name followed by the rest, cyclically, without repeats:
    "nguyen van binh" -> ["nguyen van binh", "van binh nguyen", "binh nguyen van"]."""
    words = folded.split()
    seen: dict[str, None] = {}
    for i in range(len(words)):
        seen.setdefault(" ".join(words[i:] + words[:i]))
    return list(seen)


_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple:
    """A sort key that orders the numbers inside names by value: "tổ dân phố 2" before
    "tổ dân phố 10" (compare folded names, so that accents do not decide the order)."""
    return tuple(int(part) if part.isdigit() else part for part in _DIGITS.split(text or ""))
