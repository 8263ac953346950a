"""The counters and snapshots moved to the `stats` app (stats 0001 takes them over): their
tables stay as they are; only Django's idea of which app owns them changes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0007_counter_keys_as_primary_keys"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name="subtreecounter",
                    name="organisation",
                ),
                migrations.RemoveField(
                    model_name="subtreesnapshot",
                    name="organisation",
                ),
                migrations.DeleteModel(
                    name="SnapshotMark",
                ),
                migrations.DeleteModel(
                    name="SubtreeCounter",
                ),
                migrations.DeleteModel(
                    name="SubtreeSnapshot",
                ),
            ],
        ),
    ]
