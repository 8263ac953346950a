"""The counted dimension "retired_exempted" (3-BTCTW: of the retired, those exempted from work
and activities; decision 0017) for the members already recorded: its counter rows counted
once here, as the writers keep them from now on; and the snapshots dropped, as they were
taken without it (reports count from the periods until `dangvu snapshots` writes them
again). The other new dimensions need nothing: every record already there holds their empty
value, which is not counted."""

from collections import Counter

from django.db import migrations

STEPLEN = 4  # organisations.models.STEPLEN, as it was when this was written
IN_PARTY = ("official", "probationary")
CELLS = ("cell", "grassroots_cell")


def count_retired_exempted(apps, schema_editor):
    Member = apps.get_model("members", "Member")
    Organisation = apps.get_model("organisations", "Organisation")
    SubtreeCounter = apps.get_model("stats", "SubtreeCounter")
    SubtreeSnapshot = apps.get_model("stats", "SubtreeSnapshot")
    SubtreeCounter.objects.filter(dim="retired_exempted").delete()
    by_cell = Counter(
        Member.objects.filter(status__in=IN_PARTY, occupation="retired", exempted=True)
        .values_list("org_path", flat=True)
        .iterator(chunk_size=10000)
    )
    totals: Counter = Counter()
    for path, n in by_cell.items():
        for end in range(STEPLEN, len(path) + 1, STEPLEN):
            totals[path[:end]] += n
    ids = dict(
        Organisation.objects.filter(path__in=list(totals), valid_to__isnull=True)
        .exclude(kind__in=CELLS)
        .values_list("path", "id")
    )
    SubtreeCounter.objects.bulk_create(
        [
            SubtreeCounter(organisation_id=ids[path], dim="retired_exempted", value="yes", count=n)
            for path, n in sorted(totals.items())
            if path in ids
        ],
        batch_size=2000,
    )
    SubtreeSnapshot.objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0015_member_cell_by_path'),
        ('organisations', '0008_counters_move_to_stats'),
        ('stats', '0004_packed_snapshots'),
    ]

    operations = [
        migrations.RunPython(count_retired_exempted, migrations.RunPython.noop, elidable=True),
    ]
