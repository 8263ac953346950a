from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dangvu.core.models import AppendOnlyModel

__all__ = ["AuditRecord"]


class AuditRecord(AppendOnlyModel):
    """One change (or sensitive read) made through a service: who, when, what, before/after.

    Append-only: written in the same transaction as the change it records; never updated or
    deleted by the application.
    """

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=40)
    object_id = models.CharField(_("object id"), max_length=40)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    org_path = models.CharField(_("organisation path"), max_length=255, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["-time", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "time"]),
            # The audit trail's pages (audittrail): an organisation's subtree and one person's
            # acts, newest first (docs/decisions/0028).
            models.Index(fields=["org_path", "time"], name="audit_org_path_time"),
            models.Index(fields=["actor", "time"], name="audit_actor_time"),
        ]

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"
