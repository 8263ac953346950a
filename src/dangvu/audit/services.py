"""Writing audit records: every service calls these inside its own transaction."""

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from dangvu.audit.models import AuditRecord
from dangvu.core.db import insert_rows

__all__ = ["AuditEntry", "audit_record", "audit_bulk", "jsonable"]


def jsonable(value):
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


@dataclass
class AuditEntry:
    action: str
    object_type: str
    object_id: object
    object_repr: str = ""
    org_path: str = ""
    before: dict | None = None
    after: dict | None = None


def _record(actor, entry: AuditEntry) -> AuditRecord:
    return AuditRecord(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", "") or "system",
        action=entry.action,
        object_type=entry.object_type,
        object_id=str(entry.object_id),
        object_repr=(entry.object_repr or "")[:300],
        org_path=entry.org_path or "",
        before=jsonable(entry.before),
        after=jsonable(entry.after),
    )


def audit_record(*, actor, entry: AuditEntry) -> AuditRecord:
    record = _record(actor, entry)
    record.save()
    return record


_COLUMNS = (
    "time",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "org_path",
    "before",
    "after",
)


def _json(value) -> str | None:
    return None if value is None else json.dumps(jsonable(value), ensure_ascii=False)


def audit_bulk(*, actor, entries: list[AuditEntry], batch_size: int = 2000) -> int:
    """Many records at once (executemany / COPY), same content as audit_record."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    actor_name = getattr(actor, "username", "") or "system"
    return insert_rows(
        AuditRecord,
        _COLUMNS,
        (
            (
                now,
                actor_id,
                actor_name,
                e.action,
                e.object_type,
                str(e.object_id),
                (e.object_repr or "")[:300],
                e.org_path or "",
                _json(e.before),
                _json(e.after),
            )
            for e in entries
        ),
    )
