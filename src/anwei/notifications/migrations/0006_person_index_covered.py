"""The recipient's own index goes (issue 20): the (person, read_at) index serves a search by person alone, and
every index is a page more written on each filing. Dropped by name, so SQLite does not copy the table."""

import django.db.models.deletion
from django.db import migrations, models

PERSON_INDEX = "notifications_notification_person_id_ec9b6507"  # Django's name for the foreign key's own index


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0003_agency_superior"),
        ("notifications", "0005_local_mailbox"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="notification",
                    name="person",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to="directory.person",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{PERSON_INDEX}"',
                    reverse_sql=f'CREATE INDEX "{PERSON_INDEX}" ON "notifications_notification" ("person_id")',
                ),
            ],
        ),
    ]
