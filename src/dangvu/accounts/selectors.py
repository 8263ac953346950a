"""Reads of accounts: API tokens, as far as the actor may see them (accounts.services
.may_manage_tokens: their own; a superuser's and the system's, anyone's)."""

import re

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from dangvu.accounts.models import ApiToken, RoleGrant

__all__ = ["token_get", "token_list", "people_named"]


def people_named(ids) -> dict[int, tuple[str, str]]:
    """{user id: (full name, "role, organisation")} of users who appear in a history: two
    queries whatever their number."""
    roles: dict[int, str] = {}
    grants = RoleGrant.objects.filter(user_id__in=sorted(ids)).select_related("organisation")
    for grant in grants.order_by("pk"):
        roles.setdefault(grant.user_id, f"{grant.get_role_display()}, {grant.organisation.name}")
    out = {}
    for user in get_user_model().objects.filter(pk__in=sorted(ids)):
        role = roles.get(user.pk) or (_("Administrator") if user.is_superuser else "")
        out[user.pk] = (user.get_full_name() or user.username, role)
    return out


_PREFIX = re.compile(r"^[A-Za-z0-9_-]{1,12}$")


def _visible_tokens(actor) -> QuerySet[ApiToken]:
    tokens = ApiToken.objects.select_related("user")
    if actor is None or getattr(actor, "is_superuser", False):
        return tokens
    if getattr(actor, "pk", None) is None:
        return tokens.none()
    return tokens.filter(user_id=actor.pk)


def token_list(*, actor, user=None) -> QuerySet[ApiToken]:
    """`user`'s tokens (everyone's when None), newest first; those the actor may not see are
    left out (outside one's own tokens, a token does not exist)."""
    tokens = _visible_tokens(actor)
    if user is not None:
        tokens = tokens.filter(user_id=user.pk)
    return tokens.order_by("-created", "-pk")


def token_get(*, actor, prefix: str, user=None) -> ApiToken | None:
    """The token named by its prefix, if the actor may see it (and it is `user`'s when given).
    A prefix no token can have (a key is URL-safe base64) finds nothing without a query."""
    if not _PREFIX.match(prefix or ""):
        return None
    return token_list(actor=actor, user=user).filter(prefix=prefix).first()
