"""The rollup counters and snapshots, taken over from `organisations` with their tables
(organisations_*): no table is created or changed."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('organisations', '0008_counters_move_to_stats'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
        migrations.CreateModel(
            name='SubtreeCounter',
            fields=[
                ('pk', models.CompositePrimaryKey('organisation', 'dim', 'value', blank=True, editable=False, primary_key=True, serialize=False)),
                ('dim', models.CharField(max_length=20)),
                ('value', models.CharField(max_length=30)),
                ('count', models.BigIntegerField(default=0)),
                ('organisation', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organisations.organisation')),
            ],
            options={
                'db_table': 'organisations_subtreecounter',
            },
        ),
        migrations.CreateModel(
            name='SubtreeSnapshot',
            fields=[
                ('pk', models.CompositePrimaryKey('organisation', 'day', 'dim', 'value', blank=True, editable=False, primary_key=True, serialize=False)),
                ('day', models.DateField()),
                ('dim', models.CharField(max_length=20)),
                ('value', models.CharField(max_length=30)),
                ('count', models.BigIntegerField(default=0)),
                ('organisation', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organisations.organisation')),
            ],
            options={
                'db_table': 'organisations_subtreesnapshot',
            },
        ),
        migrations.CreateModel(
            name='SnapshotMark',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organisations.organisation')),
            ],
            options={
                'db_table': 'organisations_snapshotmark',
                'indexes': [models.Index(fields=['day'], name='snapshot_mark_day')],
                'constraints': [models.UniqueConstraint(fields=('organisation', 'day'), name='uniq_snapshot_mark')],
            },
        ),
                ],
        ),
    ]
