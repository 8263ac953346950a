"""Drop the empty periods (valid_to = valid_from) that two events of one member on the same day
left: they cover no day, so no report, counter or snapshot changes, but each later event of
that day copied them again (16 events made 10,930 rows for one member)."""

from django.db import migrations


def drop_empty_periods(apps, schema_editor):
    period = apps.get_model("members", "MemberPeriod")
    table = schema_editor.connection.ops.quote_name(period._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE valid_to IS NOT NULL AND valid_to <= valid_from"
        )


class Migration(migrations.Migration):
    dependencies = [("members", "0015_member_cell_by_path")]

    operations = [migrations.RunPython(drop_empty_periods, migrations.RunPython.noop)]
