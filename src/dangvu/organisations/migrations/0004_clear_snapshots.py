"""Snapshots changed form (age bands instead of birth months, weekly days): drop the old ones;
`dangvu snapshots` builds them again."""

from django.db import migrations


def _clear(apps, schema_editor):
    apps.get_model("organisations", "SubtreeSnapshot").objects.all().delete()
    apps.get_model("organisations", "SnapshotMark").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("organisations", "0003_lean_counter_indexes")]

    operations = [migrations.RunPython(_clear, migrations.RunPython.noop)]
