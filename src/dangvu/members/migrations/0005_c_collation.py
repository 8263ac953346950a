"""PostgreSQL: bytewise collation for the columns searched by prefix ranges."""

from django.db import migrations

# Columns compared by prefix ranges (core.db.prefix_q): bytewise ("C") collation on PostgreSQL,
# so that "~" sorts after every path and name character and a range is an index scan; the
# pattern-ops indexes Django adds for LIKE on those columns become useless and are dropped.
C_COLUMNS = [
    ("members_member", "name_folded", 150),
    ("members_member", "org_path", 255),
    ("members_membernamekey", "key", 150),
    ("organisations_organisation", "path", 255),
    ("organisations_organisation", "name_folded", 255),
    ("organisations_organisationversion", "path", 255),
]


def _c_collation(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table, column, length in C_COLUMNS:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexname LIKE %s",
                [table, "%_like"],
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
            cursor.execute(
                f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE varchar({length}) COLLATE "C"'
            )


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0004_lean_indexes"),
        ("organisations", "0001_initial"),
    ]

    operations = [migrations.RunPython(_c_collation, migrations.RunPython.noop)]
