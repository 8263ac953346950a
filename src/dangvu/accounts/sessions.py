"""Browser sessions: idle expiry, the list of one's signed-in browsers, signing out everywhere.

- A session ends after settings.DANGVU_SESSION_IDLE_MINUTES without a request (and at the
  latest after SESSION_COOKIE_AGE, from the sign-in). The time of the last request is kept in
  the session, written at most once a minute (not one write per page).
- `session_started(request)` (the sign-in view) records the browser: address, browser, time.
- `sessions_of(user)`: the person's live sessions; `sessions_end(actor=, user=, keep=)` signs
  them out of every browser (or every other one), including sessions started before they were
  recorded: Django's session table is read for the user's id.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from dangvu.accounts.models import UserSession
from dangvu.accounts.signin import client_ip
from dangvu.audit.services import AuditEntry, audit_record

__all__ = [
    "IDLE_NOTICE_KEY",
    "SEEN_KEY",
    "SessionActivityMiddleware",
    "session_renamed",
    "session_started",
    "sessions_end",
    "sessions_of",
]

SEEN_KEY = "_dangvu_seen"
IDLE_NOTICE_KEY = "_dangvu_idle_signed_out"
TOUCH_EVERY = 60  # seconds


def session_started(request) -> UserSession:
    """Record the browser a person just signed in with (after django.contrib.auth.login)."""
    request.session[SEEN_KEY] = time.time()
    if not request.session.session_key:
        request.session.save()
    now = timezone.now()
    row, _created = UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": request.user,
            "last_seen": now,
            "ip_address": client_ip(request),
            "user_agent": request.headers.get("User-Agent", "")[:200],
        },
    )
    return row


def session_renamed(request, old_key: str | None) -> None:
    """After a password change: Django gave this browser a new session key and every other
    session of the person stopped counting (they were signed in with the old password)."""
    new_key = request.session.session_key
    UserSession.objects.filter(user=request.user).exclude(session_key=old_key or "").delete()
    if old_key and new_key:
        UserSession.objects.filter(session_key=old_key).update(session_key=new_key)


def sessions_of(user) -> list[UserSession]:
    """The person's recorded sessions that are still alive, latest first."""
    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    return list(UserSession.objects.filter(user=user, session_key__in=live).order_by("-last_seen"))


def _session_keys_of(user) -> list[str]:
    """Every live session of `user` in Django's session table (decoded one by one: sessions
    last a working day at most, so the table stays small)."""
    keys = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            keys.append(session.session_key)
    return keys


@transaction.atomic
def sessions_end(*, actor, user, keep: str | None = None) -> int:
    """Sign `user` out of every browser but the session `keep` (None: all of them). Returns
    how many sessions ended. API tokens are not sessions: they stay until revoked."""
    keys = [k for k in _session_keys_of(user) if k != keep]
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=user).exclude(session_key=keep or "").delete()
    audit_record(
        actor=actor,
        entry=AuditEntry(
            "user.sessions_end",
            "user",
            user.pk,
            user.username,
            after={"sessions": len(keys), "kept_this_one": bool(keep)},
        ),
    )
    return len(keys)


class SessionActivityMiddleware:
    """After AuthenticationMiddleware: a session idle for longer than the limit is ended (the
    person signs in again; the sign-in page says why); otherwise the time of this request is
    kept, at most once a minute."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.idle = timedelta(minutes=settings.DANGVU_SESSION_IDLE_MINUTES).total_seconds()

    def __call__(self, request):
        if not request.path.startswith("/static/") and "_auth_user_id" in request.session:
            self._touch(request)
        return self.get_response(request)

    def _touch(self, request) -> None:
        now = time.time()
        seen = request.session.get(SEEN_KEY)
        if seen is not None and now - seen > self.idle:
            logout(request)
            request.session[IDLE_NOTICE_KEY] = settings.DANGVU_SESSION_IDLE_MINUTES
            return
        if seen is None or now - seen >= TOUCH_EVERY:
            request.session[SEEN_KEY] = now
            key = request.session.session_key
            if key:
                UserSession.objects.filter(session_key=key).update(last_seen=timezone.now())
