"""Cells keep no rollup counter rows (docs/decisions/0003): drop the ones already stored."""

from django.db import migrations

CELL_KINDS = ("cell", "grassroots_cell")


def drop_cell_counters(apps, schema_editor):
    Organisation = apps.get_model("organisations", "Organisation")
    SubtreeCounter = apps.get_model("organisations", "SubtreeCounter")
    cells = Organisation.objects.filter(kind__in=CELL_KINDS).values("id")
    SubtreeCounter.objects.filter(organisation_id__in=cells).delete()


class Migration(migrations.Migration):
    dependencies = [("organisations", "0005_snapshot_mark_day")]

    operations = [migrations.RunPython(drop_cell_counters, migrations.RunPython.noop)]
