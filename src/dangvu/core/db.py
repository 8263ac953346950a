"""Database helpers that differ by engine."""

from django.db import connection

__all__ = ["refresh_planner_statistics"]


def refresh_planner_statistics(*models) -> None:
    """After a bulk load, tell PostgreSQL's planner how big the tables have become.

    Autovacuum does it eventually, but only after commit: until then a large load inside one
    transaction is planned as if the tables were empty (nested loops over seq scans: seconds
    instead of milliseconds for a report). SQLite plans from its indexes and needs nothing.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
