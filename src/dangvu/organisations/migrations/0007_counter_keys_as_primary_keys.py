"""Counters and snapshots keyed by their natural keys, without a surrogate id.

SubtreeCounter (organisation, dim, value) and SubtreeSnapshot (organisation, day, dim, value)
were written and read only by those keys; the id column and its primary-key index were dead
weight on about one row per member (PostgreSQL) and doubled the key on SQLite (a rowid table
plus a unique index holding the same columns). Each table is rebuilt with the key as its
primary key, WITHOUT ROWID on SQLite (clustered on the key). Django cannot alter a primary key
into a composite one, so the database work is done here and the state follows.
"""

from django.db import migrations, models

TABLES = {
    "organisations_subtreecounter": (
        '"organisation_id" bigint NOT NULL REFERENCES "organisations_organisation" ("id") '
        'DEFERRABLE INITIALLY DEFERRED, "dim" varchar(20) NOT NULL, '
        '"value" varchar(30) NOT NULL, "count" bigint NOT NULL, '
        'PRIMARY KEY ("organisation_id", "dim", "value")',
        '"organisation_id", "dim", "value", "count"',
    ),
    "organisations_subtreesnapshot": (
        '"organisation_id" bigint NOT NULL REFERENCES "organisations_organisation" ("id") '
        'DEFERRABLE INITIALLY DEFERRED, "day" date NOT NULL, "dim" varchar(20) NOT NULL, '
        '"value" varchar(30) NOT NULL, "count" bigint NOT NULL, '
        'PRIMARY KEY ("organisation_id", "day", "dim", "value")',
        '"organisation_id", "day", "dim", "value", "count"',
    ),
}


def _rebuild(apps, schema_editor):
    suffix = " WITHOUT ROWID" if schema_editor.connection.vendor == "sqlite" else ""
    with schema_editor.connection.cursor() as cursor:
        for table, (columns, names) in TABLES.items():
            cursor.execute(f'CREATE TABLE "{table}_new" ({columns}){suffix}')
            cursor.execute(
                f'INSERT INTO "{table}_new" ({names}) SELECT {names} FROM "{table}" '
                f"ORDER BY {names}"
            )
            cursor.execute(f'DROP TABLE "{table}"')
            cursor.execute(f'ALTER TABLE "{table}_new" RENAME TO "{table}"')
            if schema_editor.connection.vendor == "postgresql":
                cursor.execute(f'ALTER INDEX "{table}_new_pkey" RENAME TO "{table}_pkey"')


class Migration(migrations.Migration):
    dependencies = [("organisations", "0006_no_counters_for_cells")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(_rebuild, migrations.RunPython.noop)],
            state_operations=[
                migrations.RemoveConstraint(model_name="subtreecounter", name="uniq_counter_key"),
                migrations.RemoveConstraint(model_name="subtreesnapshot", name="uniq_snapshot_key"),
                migrations.RemoveField(model_name="subtreecounter", name="id"),
                migrations.RemoveField(model_name="subtreesnapshot", name="id"),
                migrations.AddField(
                    model_name="subtreecounter",
                    name="pk",
                    field=models.CompositePrimaryKey(
                        "organisation",
                        "dim",
                        "value",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                migrations.AddField(
                    model_name="subtreesnapshot",
                    name="pk",
                    field=models.CompositePrimaryKey(
                        "organisation",
                        "day",
                        "dim",
                        "value",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
            ],
        )
    ]
