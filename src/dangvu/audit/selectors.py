"""Reads of the audit log (callers decide through the access gate who may see them)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from dangvu.audit.models import AuditRecord
from dangvu.core.db import prefix_q

__all__ = [
    "audit_for_object",
    "latest_change",
    "audit_filter",
    "records_before",
    "AuditFilters",
    "READS",
    "SENSITIVE_VIEW",
    "SENSITIVE_EXPORT",
    "KINDS",
]

# Records of reads, not of changes: personal particulars shown, a record viewed, a report
# served or exported.
READS = (
    Q(action__endswith=".sensitive_view")
    | Q(action__endswith=".sensitive_export")
    | Q(action="member.view")
    | Q(action__startswith="report.")
)
# A member's particulars shown (accounts.scoping.release_sensitive: one record per response,
# about one member, or naming several in `after["ids"]`), and a member list exported with
# particulars (interchange.exports: one record about the organisation exported).
SENSITIVE_VIEW = "member.sensitive_view"
SENSITIVE_EXPORT = "member.sensitive_export"
KINDS = ("changes", "reads")


def audit_for_object(
    *, object_type: str, object_id, kind: str = "changes", limit: int = 50
) -> QuerySet[AuditRecord]:
    """The latest records about one object: its changes (kind="changes") or who read it
    (kind="views": personal particulars shown, reports served), kept apart so that reads never
    drown the history."""
    records = AuditRecord.objects.filter(object_type=object_type, object_id=str(object_id))
    records = records.filter(READS) if kind == "views" else records.exclude(READS)
    return records[:limit]


@dataclass(frozen=True)
class AuditFilters:
    """What a search of the audit trail narrows by (each empty: not narrowed).

    - `org_path`: records of this organisation's subtree (its materialised path);
    - `actor_ids`: records made by one of these users;
    - `object_type` / `object_id`: records about one kind of object, or one object;
    - `action`: one action code, or every code under a prefix ending in "." ("member.event.");
    - `date_from` / `date_to`: local days, both included;
    - `kind`: "changes" (writes) or "reads" (particulars shown, lists exported, reports)."""

    org_path: str | None = None
    actor_ids: tuple[int, ...] | None = None
    object_type: str = ""
    object_id: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None
    kind: str = ""


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_filter(records: QuerySet[AuditRecord], f: AuditFilters) -> QuerySet[AuditRecord]:
    """`records` narrowed by `f`, newest first. Each filter is served by an index: the
    organisation by (org_path, time), the person by (actor, time), the object by (object_type,
    object_id, time); the subtree is a path range (core.db.prefix_q), never a LIKE."""
    if f.org_path is not None:
        records = records.filter(prefix_q("org_path", f.org_path))
    if f.actor_ids is not None:
        records = records.filter(actor_id__in=sorted(f.actor_ids))
    if f.object_type:
        records = records.filter(object_type=f.object_type)
    if f.object_id:
        records = records.filter(object_id=str(f.object_id))
    if f.action.endswith("."):
        records = records.filter(prefix_q("action", f.action))
    elif f.action:
        records = records.filter(action=f.action)
    if f.date_from:
        records = records.filter(time__gte=_start_of(f.date_from))
    if f.date_to:
        records = records.filter(time__lt=_start_of(f.date_to + timedelta(days=1)))
    if f.kind == "changes":
        records = records.exclude(READS)
    elif f.kind == "reads":
        records = records.filter(READS)
    return records.order_by("-time", "-id")


def records_before(records: QuerySet[AuditRecord], before: int | None) -> QuerySet[AuditRecord]:
    """Keyset pages, newest first: the records after the one with id `before` in (time, id)
    order (the last one of the previous page); all of them when None."""
    if before is None:
        return records
    moment = AuditRecord.objects.filter(pk=before).values_list("time", flat=True).first()
    if moment is None:
        return records.none()
    return records.filter(Q(time__lt=moment) | Q(time=moment, pk__lt=before))


def latest_change(object_type: str, object_id) -> tuple[str, datetime] | None:
    """Who made the latest change to one object, and when (core.editing: the message of an
    edit refused because the record changed after the editor read it)."""
    row = (
        audit_for_object(object_type=object_type, object_id=object_id, limit=1)
        .values_list("actor_name", "time")
        .first()
    )
    return (row[0], row[1]) if row is not None else None
