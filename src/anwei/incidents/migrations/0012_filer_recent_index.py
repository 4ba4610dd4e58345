"""The filer's reports indexed with their time (issue 20): the filing rate counts a filer's reports since a moment in
the statement that takes the reference number; with an index on the filer alone every earlier report of his was
read on every filing. The filer's own index goes (the new one begins with the filer) — dropped by name, so SQLite
does not copy the whole table to change the column's index flag."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FILER_INDEX = "incidents_incident_filed_by_id_0a8f089f"  # Django's name for the foreign key's own index


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0011_incident_drill"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="incident",
                    name="filed_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{FILER_INDEX}"',
                    reverse_sql=f'CREATE INDEX "{FILER_INDEX}" ON "incidents_incident" ("filed_by_id")',
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(fields=["filed_by", "created_at"], name="incident_filer_recent"),
        ),
    ]
