"""The one engine-specific query of the audit log: the records whose JSON `after` names an id
in one of its lists (a page that showed several members' particulars writes ONE record naming
them: accounts.scoping.release_sensitive). PostgreSQL tests containment (jsonb @>); SQLite
reads the list with json_each. Both look at the rows the caller's other filters leave."""

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from dangvu.audit.models import AuditRecord

__all__ = ["naming"]


def naming(records: QuerySet[AuditRecord], key: str, value: int) -> QuerySet[AuditRecord]:
    """The records of `records` whose `after[key]` is a list holding `value`."""
    if not key.isidentifier():
        raise ValueError(f"not a JSON key: {key!r}")
    if connection.vendor == "postgresql":
        return records.filter(after__contains={key: [value]})
    table = connection.ops.quote_name(AuditRecord._meta.db_table)
    holds = RawSQL(
        f"EXISTS (SELECT 1 FROM json_each({table}.\"after\", '$.{key}') WHERE value = %s)",
        (value,),
        output_field=BooleanField(),
    )
    return records.alias(_names=holds).filter(_names=True)
