"""Signing in with django-axes: the client's address (behind the trusted proxy: the address the
proxy saw) and the lockout per address across user names (password spraying)."""

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum

__all__ = ["AxesHandler", "client_ip"]


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
