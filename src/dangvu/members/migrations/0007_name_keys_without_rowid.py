"""SQLite: the name keys as a WITHOUT ROWID table, clustered on (key, member).

Django creates a rowid table plus a unique index holding the same two columns again; without
the rowid the keys are stored once, in key order (about 80 bytes per member less at national
size). PostgreSQL keeps Django's table: a heap and its primary-key index are its only form.
A later AlterField on this model would make Django rebuild the table with a rowid: redo this
then.
"""

from django.db import migrations


def _without_rowid(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            'CREATE TABLE "members_membernamekey_new" ('
            '"key" varchar(150) NOT NULL, '
            '"member_id" bigint NOT NULL REFERENCES "members_member" ("id") '
            "DEFERRABLE INITIALLY DEFERRED, "
            'PRIMARY KEY ("key", "member_id")) WITHOUT ROWID'
        )
        cursor.execute(
            'INSERT INTO "members_membernamekey_new" ("key", "member_id") '
            'SELECT "key", "member_id" FROM "members_membernamekey" ORDER BY "key", "member_id"'
        )
        cursor.execute('DROP TABLE "members_membernamekey"')
        cursor.execute('ALTER TABLE "members_membernamekey_new" RENAME TO "members_membernamekey"')


class Migration(migrations.Migration):
    dependencies = [("members", "0006_period_day_indexes")]

    operations = [migrations.RunPython(_without_rowid, migrations.RunPython.noop)]
