"""The agency's own index goes (issue 20): the (agency, status) index serves a search by agency alone, and every
index is a page more written on each filing. Dropped by name, so SQLite does not copy the table."""

import django.db.models.deletion
from django.db import migrations, models

AGENCY_INDEX = "incidents_incident_agency_id_e06d59d6"  # Django's name for the foreign key's own index


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0003_agency_superior"),
        ("incidents", "0012_filer_recent_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="incident",
                    name="agency",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="incidents",
                        to="directory.agency",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{AGENCY_INDEX}"',
                    reverse_sql=f'CREATE INDEX "{AGENCY_INDEX}" ON "incidents_incident" ("agency_id")',
                ),
            ],
        ),
    ]
