import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangvu.accounts.roles import Role

__all__ = ["RoleGrant", "ApiToken", "ApiTokenQuerySet", "UserSession"]


class RoleGrant(models.Model):
    """A user holds a role at an organisation (and, by default, everything below it)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="grants",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    include_descendants = models.BooleanField(_("and below"), default=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("role grant")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="uniq_grant")
        ]

    def __str__(self):
        return f"{self.user} {self.role} @ {self.organisation_id}"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        """Tokens that authenticate: neither revoked nor expired (at `now`)."""
        now = now or timezone.now()
        return self.filter(revoked=False).filter(Q(expires__isnull=True) | Q(expires__gt=now))


class ApiToken(models.Model):
    """A bearer token. Only its hash is stored; the key is shown once, when created. Its prefix
    (the key's first 10 characters, not enough to use it) names it in lists and to revoke it.
    A token is revoked, never deleted: the row says who had access until when."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=12)
    name = models.CharField(_("name"), max_length=100, blank=True, default="")
    created = models.DateTimeField(_("created"), auto_now_add=True)
    # Written at most once a minute per token (accounts.services.token_authenticate).
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)
    expires = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        constraints = [models.UniqueConstraint(fields=["prefix"], name="uniq_token_prefix")]

    def __str__(self):
        return f"{self.prefix}… ({self.user_id})"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return not self.revoked and (self.expires is None or self.expires > now)

    @staticmethod
    def new_key() -> str:
        return "dv_" + secrets.token_urlsafe(32)

    @staticmethod
    def hash_key(key: str) -> str:
        return _hash(key)

    @staticmethod
    def prefix_of(key: str) -> str:
        return key[:10]


class UserSession(models.Model):
    """A browser signed in as a user: what the person sees under "Your sessions" and can end
    (accounts.sessions). The session itself is Django's; this row says where and when."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="browser_sessions",
        verbose_name=_("user"),
    )
    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    started = models.DateTimeField(_("signed in"), auto_now_add=True)
    # Written at most once a minute (accounts.sessions.SessionActivityMiddleware).
    last_seen = models.DateTimeField(_("last seen"))
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("browser session")

    def __str__(self):
        return f"{self.user_id} {self.started:%Y-%m-%d %H:%M}"
