"""Reads of the audit log (callers decide through the access gate who may see them)."""

from django.db.models import Q, QuerySet

from dangvu.audit.models import AuditRecord

__all__ = ["audit_for_object", "READS"]

# Records of reads, not of changes: personal particulars shown, a record viewed, a report
# served or exported.
READS = (
    Q(action__endswith=".sensitive_view")
    | Q(action="member.view")
    | Q(action__startswith="report.")
)


def audit_for_object(
    *, object_type: str, object_id, kind: str = "changes", limit: int = 50
) -> QuerySet[AuditRecord]:
    """The latest records about one object: its changes (kind="changes") or who read it
    (kind="views": personal particulars shown, reports served), kept apart so that reads never
    drown the history."""
    records = AuditRecord.objects.filter(object_type=object_type, object_id=str(object_id))
    records = records.filter(READS) if kind == "views" else records.exclude(READS)
    return records[:limit]
