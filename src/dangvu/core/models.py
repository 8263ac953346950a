"""Shared model machinery (no concrete models)."""

from django.conf import settings
from django.db import models

__all__ = ["AppendOnlyQuerySet", "AppendOnlyModel", "person_ref"]


class AppendOnlyQuerySet(models.QuerySet):
    """For tables that are the record of what happened (events, audit): rows are added, never
    changed or removed — not one by one (the model refuses) and not in bulk (this refuses)."""

    def update(self, **kwargs):
        raise RuntimeError(f"{self.model.__name__} rows are append-only")

    def delete(self):
        raise RuntimeError(f"{self.model.__name__} rows are append-only")

    def bulk_update(self, objs, fields, batch_size=None):
        raise RuntimeError(f"{self.model.__name__} rows are append-only")


class AppendOnlyModel(models.Model):
    """The base of every record of what happened (membership events, the audit log): a row is
    written once and then never changed or deleted, neither one by one (save and delete
    refuse) nor in bulk (AppendOnlyQuerySet refuses). A wrong record is answered by another
    record (a correcting event), never by editing it."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise RuntimeError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError(f"{type(self).__name__} rows are append-only")


def person_ref() -> models.ForeignKey:
    """The person who did something (recorded, sent, signed): kept as long as the row, emptied
    if the user is ever deleted, never searched by (no index: size at national scale)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
