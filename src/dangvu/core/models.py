"""Shared model machinery (no concrete models)."""

from django.db import models

__all__ = ["AppendOnlyQuerySet"]


class AppendOnlyQuerySet(models.QuerySet):
    """For tables that are the record of what happened (events, audit): rows are added, never
    changed or removed — not one by one (the model refuses) and not in bulk (this refuses)."""

    def update(self, **kwargs):
        raise RuntimeError(f"{self.model.__name__} rows are append-only")

    def delete(self):
        raise RuntimeError(f"{self.model.__name__} rows are append-only")

    def bulk_update(self, objs, fields, batch_size=None):
        raise RuntimeError(f"{self.model.__name__} rows are append-only")
