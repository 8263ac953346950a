"""The comment form's captcha: a sum of two small numbers, asked in words a person reads and a
script must compute ("Ba cộng bốn bằng mấy?"). The question travels signed (the answer is
not in it: a salted hash of it), expires after an hour, and is used once: the comment it let in
keeps its nonce in a unique column, so a replay fails in every server process.
docs/decisions/0024 says why not a library."""

import hashlib
import secrets

from django.core import signing
from django.utils.translation import gettext as _

__all__ = ["Question", "question_new", "answer_check", "MAX_AGE"]

MAX_AGE = 3600
_SALT = "dangvu.news.captcha"
_WORDS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín", "mười")


class Question:
    def __init__(self, text: str, token: str):
        self.text, self.token = text, token


def _digest(nonce: str, answer: int) -> str:
    return hashlib.sha256(f"{nonce}:{answer}".encode()).hexdigest()[:32]


def question_new() -> Question:
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    nonce = secrets.token_urlsafe(12)
    token = signing.TimestampSigner(salt=_SALT).sign_object(
        {"n": nonce, "h": _digest(nonce, a + b)}
    )
    text = _("How much is %(a)s plus %(b)s? (in digits)") % {"a": _WORDS[a], "b": _WORDS[b]}
    return Question(text, token)


def answer_check(token: str, answer: str) -> tuple[str | None, str]:
    """(None, the question's nonce) when the answer is right, else (the message to show, "")."""
    try:
        data = signing.TimestampSigner(salt=_SALT).unsign_object(token or "", max_age=MAX_AGE)
    except signing.SignatureExpired:
        return _("The check question has expired: answer the new one."), ""
    except signing.BadSignature:
        return _("Answer the check question."), ""
    try:
        value = int((answer or "").strip())
    except ValueError:
        return _("Answer the check question with a number."), ""
    if _digest(data["n"], value) != data["h"]:
        return _("The answer to the check question is wrong."), ""
    return None, data["n"]
