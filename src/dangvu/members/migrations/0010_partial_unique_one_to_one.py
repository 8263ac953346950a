"""PostgreSQL: the one-to-one columns that are almost always empty get partial unique indexes.

`MembershipEvent.corrects` (set on correction events only) and `Member.user` (set for the few
members who sign in) are unique when set. Django's unique constraint indexes every row,
NULLs included: on the 1M generated set about 15 B/member for the events alone. A unique
index restricted to the rows that hold a value enforces the same rule. Django's state keeps
the one-to-one fields (their accessors); a later AlterField on either should redo this.
SQLite declares those constraints inside the table and keeps them (its size is well within
the target).
"""

from django.db import migrations

COLUMNS = [
    ("members_membershipevent", "corrects_id"),
    ("members_member", "user_id"),
]


def _partial(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table, column in COLUMNS:
            cursor.execute(
                "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass "
                "AND contype = 'u' AND conkey = ARRAY[(SELECT attnum FROM pg_attribute "
                "WHERE attrelid = %s::regclass AND attname = %s)]::smallint[]",
                [table, table, column],
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            cursor.execute(
                f'CREATE UNIQUE INDEX "{table}_{column}_uniq" ON "{table}" ("{column}") '
                f'WHERE "{column}" IS NOT NULL'
            )


def _full(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table, column in COLUMNS:
            cursor.execute(f'DROP INDEX IF EXISTS "{table}_{column}_uniq"')
            cursor.execute(
                f'ALTER TABLE "{table}" ADD CONSTRAINT "{table}_{column}_key" UNIQUE ("{column}")'
            )


class Migration(migrations.Migration):
    dependencies = [("members", "0009_event_organisation_unindexed")]

    operations = [migrations.RunPython(_partial, _full)]
