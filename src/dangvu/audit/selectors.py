from dangvu.audit.models import AuditRecord

__all__ = ["audit_for_object"]


def audit_for_object(*, object_type: str, object_id, limit: int = 50):
    return AuditRecord.objects.filter(object_type=object_type, object_id=str(object_id))[:limit]
