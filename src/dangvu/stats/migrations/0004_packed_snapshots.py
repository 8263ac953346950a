"""Snapshots as one packed row per subtree and day (docs/decisions/0016). The old rows and
marks are dropped, not converted: snapshots are a cache of counts from the periods; reports
count from the periods until the next `dangvu snapshots` (nightly) writes them again."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('organisations', '0008_counters_move_to_stats'),
        ('stats', '0003_commune_committees_are_grassroots'),
    ]

    operations = [
        migrations.DeleteModel(name='SnapshotMark'),
        migrations.DeleteModel(name='SubtreeSnapshot'),
        migrations.CreateModel(
            name='SubtreeSnapshot',
            fields=[
                ('pk', models.CompositePrimaryKey('organisation', 'day', blank=True, editable=False, primary_key=True, serialize=False)),
                ('day', models.DateField()),
                ('figures', models.BinaryField()),
                ('organisation', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organisations.organisation')),
            ],
            options={
                'indexes': [models.Index(fields=['day'], name='subtree_snapshot_day')],
            },
        ),
    ]
