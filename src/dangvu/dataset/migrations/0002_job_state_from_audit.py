"""A database generated before the job table existed keeps its state in the audit log
(actions dataset.generate, dataset.indexes_dropped, dataset.indexes_built): carry it over, so
that `dangvu generate` resumes it and `dangvu check` still names indexes left out."""

from django.db import migrations


def carry_over(apps, schema_editor):
    AuditRecord = apps.get_model("audit", "AuditRecord")
    DatasetJob = apps.get_model("dataset", "DatasetJob")
    mark = AuditRecord.objects.filter(action="dataset.generate").order_by("id").first()
    if mark is None:
        return
    last = (
        AuditRecord.objects.filter(action__in=["dataset.indexes_dropped", "dataset.indexes_built"])
        .order_by("-id")
        .first()
    )
    out = last.after["indexes"] if last is not None and last.action == "dataset.indexes_dropped" else []
    DatasetJob.objects.create(kind="generate", params=mark.after, indexes_out=out)


class Migration(migrations.Migration):
    dependencies = [("dataset", "0001_initial"), ("audit", "0001_initial")]

    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop)]
