"""Password rules (settings.AUTH_PASSWORD_VALIDATORS) and the passwords Dangvu generates."""

import secrets

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

__all__ = ["MinimumLengthValidator", "generate_password", "password_problems"]


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with a message of our own catalogue: Django 5.2 changed the message's msgid
    and its Vietnamese catalogue has not followed, so the refusal came out in English."""

    def get_error_message(self):
        # gettext, not ngettext: compilemessages_dangvu does not compile plural forms, and the
        # minimum is never 1.
        return _("This password is too short: it must have at least %(min_length)d characters.") % {
            "min_length": self.min_length
        }


def password_problems(password: str, user) -> list[str]:
    """The validators' messages for `password` as the password of `user` ([] when it passes)."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def generate_password(user, attempts: int = 10) -> str:
    """A random password that passes the validators (a random one can, rarely, be refused:
    all digits, or too close to the user name)."""
    for _attempt in range(attempts):
        candidate = secrets.token_urlsafe(12)  # 16 characters, 96 bits
        if not password_problems(candidate, user):
            return candidate
    raise RuntimeError(
        "AUTH_PASSWORD_VALIDATORS refused every generated password: check the settings"
    )
