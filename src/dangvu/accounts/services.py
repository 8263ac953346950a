"""Accounts: users, role grants, API tokens."""

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from dangvu.accounts.models import ApiToken, RoleGrant
from dangvu.accounts.roles import Role
from dangvu.audit.services import AuditEntry, audit_record
from dangvu.core.errors import ValidationError

__all__ = ["user_create", "grant_create", "token_create", "token_authenticate"]


@transaction.atomic
def user_create(
    *, actor, username: str, password: str | None = None, full_name: str = "", email: str = ""
) -> tuple[object, str]:
    """Create a user; returns (user, password) — the password generated when not given."""
    User = get_user_model()
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": _("Enter a user name.")})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("User %(u)s already exists.") % {"u": username}})
    password = password or secrets.token_urlsafe(12)
    user = User(username=username, first_name=full_name[:150], email=email)
    user.set_password(password)
    user.save()
    audit_record(
        actor=actor,
        entry=AuditEntry("user.create", "user", user.pk, username, after={"username": username}),
    )
    return user, password


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


@transaction.atomic
def token_create(*, actor, user) -> str:
    """Create an API token; the key is returned once and never stored in clear."""
    key = ApiToken.new_key()
    ApiToken.objects.create(user=user, key_hash=ApiToken.hash_key(key), prefix=key[:10])
    audit_record(
        actor=actor,
        entry=AuditEntry(
            "token.create", "user", user.pk, user.username, after={"prefix": key[:10]}
        ),
    )
    return key


def token_authenticate(key: str):
    if not key:
        return None
    token = (
        ApiToken.objects.filter(key_hash=ApiToken.hash_key(key), revoked=False)
        .select_related("user")
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token.user
