"""The second factor (django-otp): every role but `member` signs in with a password AND a code
from an authenticator app (TOTP), or one of their backup codes, each usable once.

- `needs_second_factor(user)`: an administrator or anyone holding a role other than `member`
  today; a party member reading their own record signs in with the password alone.
- Enrolment: `totp_start` keeps an unconfirmed device (its secret shown as a QR code and as
  text); `totp_confirm` confirms it with a first code, issues the backup codes and counts as
  the sign-in's second factor.
- `second_factor_verify`: a TOTP code or a backup code, against the person's own confirmed
  devices, with django-otp's throttling (each failure doubles the wait).
- `SecondFactorMiddleware`: a person who needs the factor and has not given it this session
  reaches nothing but the two-factor pages, sign-out and the language switch; pages redirect
  there, the API answers 401 (accounts' SessionRead asks `session_verified`).

Every enrolment, issue of backup codes and reset is audited (never the secret or the codes).
"""

from urllib.parse import urlencode

import segno
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangvu.accounts.scoping import scope_for
from dangvu.audit.services import AuditEntry, audit_record
from dangvu.core.errors import ValidationError

__all__ = [
    "BACKUP_CODES",
    "SecondFactorMiddleware",
    "backup_codes_issue",
    "backup_codes_left",
    "has_second_factor",
    "needs_second_factor",
    "qr_data_uri",
    "second_factor_reset",
    "second_factor_verify",
    "session_verified",
    "totp_confirm",
    "totp_device",
    "totp_start",
]

BACKUP_CODES = 10
TOTP_NAME = "authenticator"
BACKUP_NAME = "backup"
# What a person who still owes the second factor may reach.
OPEN_PATHS = ("/accounts/two-factor/", "/accounts/logout/", "/accounts/signed-out/", "/i18n/")
OPEN_PREFIXES = ("/static/",)


def needs_second_factor(user) -> bool:
    """True for an administrator and for anyone holding a role other than `member` today (the
    grants are those the access gate reads: no extra query on a page that checks access)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.is_staff:
        return True
    return bool(scope_for(user).roles - {"member"})


def session_verified(request) -> bool:
    """The request's person gave their second factor in this session, or does not need one."""
    user = request.user
    verified = getattr(user, "is_verified", None)
    if verified is not None and verified():
        return True
    return not needs_second_factor(user)


def totp_device(user, *, confirmed: bool | None = True) -> TOTPDevice | None:
    devices = TOTPDevice.objects.filter(user=user, name=TOTP_NAME)
    if confirmed is not None:
        devices = devices.filter(confirmed=confirmed)
    return devices.order_by("-id").first()


@transaction.atomic
def totp_start(*, user) -> TOTPDevice:
    """The unconfirmed device of an enrolment under way (kept across reloads of the page, so
    the QR code scanned stays the one that counts), or a new one."""
    device = totp_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def _code(token: str) -> str:
    return "".join((token or "").split()).lower()


@transaction.atomic
def totp_confirm(*, request, token: str) -> list[str]:
    """Confirm the enrolment under way with the first code from the app. Replaces any earlier
    authenticator of the person, issues a new set of backup codes (returned, shown once) and
    marks this session as having passed the second factor. ValidationError on `token`."""
    user = request.user
    device = totp_device(user, confirmed=False)
    if device is None:
        raise ValidationError({"token": _("Start the set-up again: no set-up is under way.")})
    if not device.verify_token(_code(token)):
        raise ValidationError(
            {"token": _("This code is not the one your app shows now. Check the phone's time.")}
        )
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _issue_codes(user)
    otp_login(request, device)
    audit_record(
        actor=user,
        entry=AuditEntry("user.second_factor_enrol", "user", user.pk, user.username),
    )
    return codes


def _issue_codes(user, count: int = BACKUP_CODES) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(count)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


@transaction.atomic
def backup_codes_issue(*, actor, user, count: int = BACKUP_CODES) -> list[str]:
    """A new set of backup codes for `user` (the earlier ones stop working); returned once,
    never shown again (django-otp keeps them to compare, each deleted when used)."""
    codes = _issue_codes(user, count)
    audit_record(
        actor=actor,
        entry=AuditEntry(
            "user.backup_codes_issue", "user", user.pk, user.username, after={"count": count}
        ),
    )
    return codes


def has_second_factor(user) -> bool:
    """The person has a confirmed authenticator app or an unused backup code: the second step
    asks for it (and the password alone cannot set up another one)."""
    return totp_device(user) is not None or backup_codes_left(user) > 0


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=BACKUP_NAME).count()


@transaction.atomic
def second_factor_reset(*, actor, user) -> int:
    """Remove every second factor of `user` (a lost phone): they enrol again at their next
    sign-in. Returns how many devices went."""
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    removed += StaticDevice.objects.filter(user=user).count()
    StaticDevice.objects.filter(user=user).delete()
    audit_record(
        actor=actor,
        entry=AuditEntry("user.second_factor_reset", "user", user.pk, user.username),
    )
    return removed


def second_factor_verify(*, request, token: str):
    """Check a code from the app or a backup code against the person's confirmed devices; on
    success the session has passed the second factor. ValidationError on `token`: wrong, or
    too many wrong codes in a row (django-otp's throttling: wait, then try again)."""
    user = request.user
    code = _code(token)
    if not code:
        raise ValidationError({"token": _("Enter the code.")})
    waits = []
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            allowed, data = device.verify_is_allowed()
            if not allowed:
                waits.append(data)
                continue
            if device.verify_token(code):
                otp_login(request, device)
                return device
    if waits:
        raise ValidationError(
            {"token": _("Too many wrong codes: wait a minute, then enter a new code.")}
        )
    raise ValidationError({"token": _("This code is wrong or already used.")})


def qr_data_uri(text: str) -> str:
    """`text` (an otpauth:// address) as a QR code: an SVG data URI for an <img> (the page's
    Content-Security-Policy allows data: images, nothing inline else)."""
    return segno.make(text, error="m").svg_data_uri(scale=5, border=2)


def _open(path: str) -> bool:
    return path.startswith(OPEN_PATHS) or path.startswith(OPEN_PREFIXES)


class SecondFactorMiddleware:
    """After authentication and django-otp's middleware: a signed-in person who owes the
    second factor is sent to it (pages), or refused (the API read with the session: 401 as
    for no session). A bearer token is not a session: the API's BearerAuth decides about it
    (tokens are issued by the CLI or by someone who holds a token already)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _open(request.path) or request.path.startswith("/api/"):
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or session_verified(request):
            return self.get_response(request)
        return self._to_second_factor(request)

    @staticmethod
    def _to_second_factor(request):
        target = resolve_url("two_factor")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse({"detail": _("Enter your second factor first.")}, status=401)
        response = HttpResponse(status=302)
        response["Location"] = target
        return response
