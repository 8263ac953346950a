"""Since 1/7/2025 a commune-level party committee is counted as a grassroots party organisation
(stats.counted.grassroots_type_of): add it to the grassroots counters of itself and its
ancestors, and drop the month-start snapshots (they counted organisations the old way; reports
count from the periods until `dangvu snapshots` rebuilds them)."""

from django.db import migrations

STEPLEN = 4


def forwards(apps, schema_editor):
    Organisation = apps.get_model("organisations", "Organisation")
    Counter = apps.get_model("stats", "SubtreeCounter")
    Snapshot = apps.get_model("stats", "SubtreeSnapshot")
    Mark = apps.get_model("stats", "SnapshotMark")
    communes = Organisation.objects.filter(kind="commune", valid_to__isnull=True)
    ids_by_path = {}
    deltas = {}
    for path, gtype in communes.values_list("path", "grassroots_type"):
        chain = [path[:i] for i in range(STEPLEN, len(path) + 1, STEPLEN)]
        for prefix in chain:
            if prefix not in ids_by_path:
                ids_by_path[prefix] = (
                    Organisation.objects.filter(path=prefix).values_list("id", flat=True).first()
                )
            org_id = ids_by_path[prefix]
            if org_id is None:
                continue
            for key in (("grassroots", "total"), ("grassroots_type", gtype or "commune")):
                deltas[(org_id, *key)] = deltas.get((org_id, *key), 0) + 1
    for (org_id, dim, value), n in sorted(deltas.items()):
        row = Counter.objects.filter(organisation_id=org_id, dim=dim, value=value).first()
        if row is None:
            Counter.objects.create(organisation_id=org_id, dim=dim, value=value, count=n)
        else:
            Counter.objects.filter(organisation_id=org_id, dim=dim, value=value).update(
                count=row.count + n
            )
    Snapshot.objects.all().delete()
    Mark.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("stats", "0002_signed_reports"), ("organisations", "0008_counters_move_to_stats")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
