"""Enrolments keep the person's gender and ethnicity as recorded when they enrolled, for the
training report's aggregates (docs/decisions/0022); existing rows take them from the member or
the admission case now."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def _fill(apps, schema_editor):
    Enrolment = apps.get_model("training", "Enrolment")
    Member = apps.get_model("members", "Member")
    sources = [("member_id", Member)]
    try:  # training runs without the admission app
        Candidate = apps.get_model("admission", "Candidate")
    except LookupError:
        Candidate = None
    tables = schema_editor.connection.introspection.table_names()
    if Candidate is not None and Candidate._meta.db_table in tables:
        sources.append(("candidate_id", Candidate))
    for column, model in sources:
        person = model.objects.filter(pk=OuterRef(column))
        Enrolment.objects.filter(**{f"{column}__isnull": False}).update(
            gender=Subquery(person.values("gender")[:1]),
            ethnicity=Subquery(person.values("ethnicity")[:1]),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="enrolment",
            name="ethnicity",
            field=models.CharField(blank=True, editable=False, max_length=2),
        ),
        migrations.AddField(
            model_name="enrolment",
            name="gender",
            field=models.CharField(blank=True, editable=False, max_length=1),
        ),
        migrations.RunPython(_fill, migrations.RunPython.noop),
    ]
