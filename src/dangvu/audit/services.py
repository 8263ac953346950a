"""Writing audit records: every service calls these inside its own transaction."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from dangvu.audit.models import AuditRecord

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


def audit_bulk(*, actor, entries: list[AuditEntry], batch_size: int = 2000) -> int:
    AuditRecord.objects.bulk_create([_record(actor, e) for e in entries], batch_size=batch_size)
    return len(entries)
