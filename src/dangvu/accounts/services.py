"""Accounts: users, passwords, role grants, API tokens."""

from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangvu.accounts.models import ApiToken, RoleGrant
from dangvu.accounts.passwords import generate_password, password_problems
from dangvu.accounts.roles import Role
from dangvu.audit.services import AuditEntry, audit_record
from dangvu.core.errors import ValidationError
from dangvu.core.text import clean_text

__all__ = [
    "user_create",
    "user_set_password",
    "grant_create",
    "token_create",
    "token_expiry",
    "token_revoke",
    "token_authenticate",
    "may_manage_tokens",
    "LAST_USED_EVERY",
    "TOKEN_MAX_DAYS",
]

# A token's last_used is written at most this often: not one write per API request.
LAST_USED_EVERY = timedelta(minutes=1)
TOKEN_NAME_MAX = 100
TOKEN_MAX_DAYS = 3650


def _checked_password(password: str | None, user) -> str:
    """`password` if the validators accept it for `user`, a generated one when None."""
    if password is None:
        return generate_password(user)
    problems = password_problems(password, user)
    if problems:
        raise ValidationError({"password": problems})
    return password


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    password: str | None = None,
    full_name: str = "",
    email: str = "",
    sign_in: bool = True,
) -> tuple[object, str]:
    """Create a user; returns (user, password) — the password generated when not given. With
    `sign_in` off the account has no usable password (returned empty) until one is set (the
    national generator's committee members: hashing a password per account would cost it
    minutes).

    The password must pass settings.AUTH_PASSWORD_VALIDATORS (also checked against the user
    name, full name and email); a generated one passes them too. Refusals: ValidationError on
    `username` (empty, taken) or `password` (the validators' messages); nothing is written.
    Emits `user.create` (the password is never recorded)."""
    User = get_user_model()
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": _("Enter a user name.")})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("User %(u)s already exists.") % {"u": username}})
    user = User(username=username, first_name=full_name[:150], email=email)
    if sign_in:
        password = _checked_password(password, user)
        user.set_password(password)
    else:
        password = ""
        user.set_unusable_password()
    user.save()
    audit_record(
        actor=actor,
        entry=AuditEntry("user.create", "user", user.pk, username, after={"username": username}),
    )
    return user, password


@transaction.atomic
def user_set_password(*, actor, user, password: str | None = None) -> str:
    """Set `user`'s password (generated when None) and return it. The password must pass the
    validators (ValidationError on `password`, nothing written). Signs the user out of their
    browser sessions (Django checks the session against the password hash); API tokens stay.
    Emits `user.set_password` (without the password)."""
    password = _checked_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        actor=actor,
        entry=AuditEntry("user.set_password", "user", user.pk, user.username),
    )
    return password


@transaction.atomic
def grant_create(
    *, actor, user, organisation, role: str, include_descendants: bool = True
) -> RoleGrant:
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role: %(r)s.") % {"r": role}})
    grant, created = RoleGrant.objects.get_or_create(
        user=user,
        organisation=organisation,
        role=role,
        defaults={"include_descendants": include_descendants},
    )
    if not created:
        return grant
    audit_record(
        actor=actor,
        entry=AuditEntry(
            "grant.create",
            "user",
            user.pk,
            user.username,
            org_path=organisation.path,
            after={"role": role, "organisation": organisation.code},
        ),
    )
    return grant


# --- API tokens -----------------------------------------------------------------------------


def may_manage_tokens(actor, user) -> bool:
    """Whose tokens an actor lists, creates and revokes: their own; a superuser's and the
    system's (actor None: the CLI), anyone's."""
    if actor is None or getattr(actor, "is_superuser", False):
        return True
    return getattr(actor, "pk", None) is not None and actor.pk == user.pk


def _require_manages(actor, user) -> None:
    if not may_manage_tokens(actor, user):
        raise ValidationError({"user": _("You can manage only your own API tokens.")})


def token_expiry(*, through: date | None = None, days: int | None = None) -> datetime | None:
    """When a token asked for "until a date" or "for N days" expires: at the end of the day
    `through` (local time), or N × 24 hours from now; None (never) when neither is given.
    ValidationError on `expires` or `days` for a date in the past, both at once, or a number of
    days outside 1…TOKEN_MAX_DAYS."""
    if through is not None and days is not None:
        raise ValidationError({"expires": _("Give an expiry date or a number of days, not both.")})
    if days is not None:
        if not 1 <= days <= TOKEN_MAX_DAYS:
            raise ValidationError(
                {"days": _("Give a number of days from 1 to %(max)d.") % {"max": TOKEN_MAX_DAYS}}
            )
        return timezone.now() + timedelta(days=days)
    if through is not None:
        if through < timezone.localdate():
            raise ValidationError({"expires": _("The expiry date is in the past.")})
        if through > timezone.localdate() + timedelta(days=TOKEN_MAX_DAYS):
            raise ValidationError(
                {
                    "expires": _("The expiry date is more than %(max)d days away.")
                    % {"max": TOKEN_MAX_DAYS}
                }
            )
        return timezone.make_aware(datetime.combine(through + timedelta(days=1), time.min))
    return None


@transaction.atomic
def token_create(*, actor, user, name: str = "", expires: datetime | None = None) -> str:
    """Create an API token for `user`, named `name` (optional), valid until `expires` (None:
    until revoked). Returns the key: it is shown once and never stored in clear (only its hash
    and its prefix, ApiToken.prefix_of(key)).

    Preconditions: the actor may manage the user's tokens (may_manage_tokens); `expires` is in
    the future. Refusals: ValidationError on `user`, `name` or `expires`; nothing is written.
    Emits `token.create` with the prefix, name and expiry."""
    _require_manages(actor, user)
    try:
        name = clean_text(name, max_length=TOKEN_NAME_MAX)
    except ValueError as exc:
        raise ValidationError({"name": str(exc)}) from exc
    if expires is not None and expires <= timezone.now():
        raise ValidationError({"expires": _("The expiry is in the past.")})
    key = ApiToken.new_key()
    while ApiToken.objects.filter(prefix=ApiToken.prefix_of(key)).exists():
        key = ApiToken.new_key()  # a prefix names one token (4·10¹² of them: rare)
    prefix = ApiToken.prefix_of(key)
    ApiToken.objects.create(
        user=user, key_hash=ApiToken.hash_key(key), prefix=prefix, name=name, expires=expires
    )
    audit_record(
        actor=actor,
        entry=AuditEntry(
            "token.create",
            "user",
            user.pk,
            user.username,
            after={"prefix": prefix, "name": name, "expires": expires},
        ),
    )
    return key


@transaction.atomic
def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Revoke `token` (found with accounts.selectors.token_get): it authenticates nobody from
    now on; the row stays, with revoked_at. Revoking a revoked token changes nothing and
    records nothing. Refusal: ValidationError on `user` when the actor may not manage the
    token's user's tokens. Emits `token.revoke` with the prefix."""
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    _require_manages(actor, token.user)
    if token.revoked:
        return token
    token.revoked = True
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked", "revoked_at"])
    audit_record(
        actor=actor,
        entry=AuditEntry(
            "token.revoke",
            "user",
            token.user_id,
            token.user.username,
            before={"prefix": token.prefix, "revoked": False},
            after={"prefix": token.prefix, "revoked": True, "revoked_at": token.revoked_at},
        ),
    )
    return token


def token_authenticate(key: str):
    """The active user a bearer key belongs to, or None: unknown, revoked or expired key,
    inactive user. Records when the token was last used, at most once a minute (LAST_USED_EVERY)
    so that a busy client does not cost a write per request; not audited."""
    if not key:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.usable(now)
        .filter(key_hash=ApiToken.hash_key(key))
        .select_related("user")
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used is None or now - token.last_used >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        token.last_used = now
    return token.user
