"""Signing in with django-axes: the client's address (behind the trusted proxy: the address the
proxy saw), the lockout per address across user names (password spraying), and an
administrator's view of the lockouts in force, each of which they can lift."""

import ipaddress
from datetime import timedelta

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from dangvu.accounts.scoping import scope_for
from dangvu.audit.services import AuditEntry, audit_record
from dangvu.core.errors import ValidationError

__all__ = ["AxesHandler", "client_ip", "lockout_lift", "lockouts_now", "may_lift_lockouts"]


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """settings.AXES_CLIENT_IP_CALLABLE. Without DANGVU_BEHIND_PROXY the address is the
    connection's (REMOTE_ADDR) and X-Forwarded-For is ignored: anyone can send one. Behind the
    proxy (one, in front of `dangvu serve`, which listens on 127.0.0.1 only) it is the last
    entry of X-Forwarded-For, the one the proxy wrote (README's nginx sets the header to
    $remote_addr; with $proxy_add_x_forwarded_for the entries before it are the client's word,
    not to be trusted)."""
    if settings.DANGVU_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            address = _address(forwarded.split(",")[-1])
            if address:
                return address
    return request.META.get("REMOTE_ADDR")


class AxesHandler(AxesDatabaseHandler):
    """axes' database handler counts the failures per user name and address
    (AXES_LOCKOUT_PARAMETERS) against AXES_FAILURE_LIMIT; this one also locks an address with
    DANGVU_LOGIN_ADDRESS_FAILURE_LIMIT failures in the cool-off period, whatever the user names,
    which stops one address from trying a password on every name.

    axes could count per address by itself (AXES_LOCKOUT_PARAMETERS with "ip_address"), but
    against the one limit; and a success would then clear the whole address's count, so one
    valid sign-in between attempts would let spraying go on."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        failures = super().get_failures(request, credentials)
        limit = get_failure_limit(request, credentials)
        if failures >= limit:
            return failures
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        if settings.AXES_COOLOFF_TIME is not None:  # None: a lockout lasts until reset
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        from_address = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
        if from_address >= settings.DANGVU_LOGIN_ADDRESS_FAILURE_LIMIT:
            return limit  # axes compares get_failures() with AXES_FAILURE_LIMIT
        return failures


def may_lift_lockouts(actor) -> bool:
    """Lockouts concern any user name and any address: only whoever manages accounts over the
    whole tree (an administrator) sees and lifts them."""
    return "accounts.manage" in scope_for(actor).everything


def lockouts_now() -> list[dict]:
    """The lockouts in force: a user name from an address (AXES_FAILURE_LIMIT failures) and an
    address trying many names (DANGVU_LOGIN_ADDRESS_FAILURE_LIMIT), each with its failures,
    last attempt and when it ends by itself. `key` names it to lockout_lift."""
    cooloff = timedelta(hours=settings.AXES_COOLOFF_TIME)
    recent = AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cooloff)
    rows = [
        {
            "key": f"u{a.pk}",
            "kind": "user",
            "username": a.username,
            "ip_address": a.ip_address,
            "failures": a.failures_since_start,
            "last": a.attempt_time,
            "until": a.attempt_time + cooloff,
        }
        for a in recent.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT).order_by(
            "-attempt_time"
        )
    ]
    addresses = (
        recent.values("ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.DANGVU_LOGIN_ADDRESS_FAILURE_LIMIT)
        .order_by("-last")
    )
    rows += [
        {
            "key": f"a{a['ip_address']}",
            "kind": "address",
            "username": "",
            "ip_address": a["ip_address"],
            "failures": a["failures"],
            "last": a["last"],
            "until": a["last"] + cooloff,
        }
        for a in addresses
    ]
    return rows


@transaction.atomic
def lockout_lift(*, actor, attempt_id: str | None) -> str:
    """Lift one lockout named by its `key` in lockouts_now(): the user name may try again from
    that address, or the address may try again. Returns who was let in; audited."""
    if not may_lift_lockouts(actor):
        raise ValidationError({"attempt": _("Only an administrator lifts sign-in lockouts.")})
    key = attempt_id or ""
    if key.startswith("u") and key[1:].isdigit():
        attempt = AccessAttempt.objects.filter(pk=int(key[1:])).first()
        if attempt is None:
            raise ValidationError({"attempt": _("This lockout has ended already.")})
        who = f"{attempt.username} ({attempt.ip_address})"
        attempt.delete()
    elif key.startswith("a") and _address(key[1:]):
        address = _address(key[1:])
        deleted = AccessAttempt.objects.filter(ip_address=address).delete()[0]
        if not deleted:
            raise ValidationError({"attempt": _("This lockout has ended already.")})
        who = address
    else:
        raise ValidationError({"attempt": _("Choose a lockout from the list.")})
    audit_record(
        actor=actor,
        entry=AuditEntry("user.lockout_lift", "lockout", key[:40], who, before={"who": who}),
    )
    return who
