"""Indexes that no search needs go (issue 20: every index is a page more written on each audited write): the
actor's and the record type's own, as (actor, seq) and (object_type, object_id) serve a search by the first column
alone; on PostgreSQL also the second indexes Django made for LIKE searches of the record type, the action and the
hash, none of which is ever searched by a part of its text. Dropped by name, so SQLite does not copy the table."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

ACTOR_INDEX = "audit_auditentry_actor_id_8ab278be"  # Django's names for the columns' own indexes
TYPE_INDEX = "audit_auditentry_object_type_00e64ac4"
TABLE = "audit_auditentry"
LIKE_INDEXES = [f"{TYPE_INDEX}_like", "audit_auditentry_action_dee621eb_like", "audit_auditentry_hash_718ebbcd_like"]


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_keyed_chain_head_only_grows"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditentry",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="who",
                    ),
                ),
                migrations.AlterField(
                    model_name="auditentry",
                    name="object_type",
                    field=models.CharField(blank=True, max_length=80, verbose_name="record type"),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    [f'DROP INDEX IF EXISTS "{name}"' for name in (ACTOR_INDEX, TYPE_INDEX, *LIKE_INDEXES)],
                    reverse_sql=[
                        f'CREATE INDEX "{ACTOR_INDEX}" ON "{TABLE}" ("actor_id")',
                        f'CREATE INDEX "{TYPE_INDEX}" ON "{TABLE}" ("object_type")',
                    ],
                ),
            ],
        ),
    ]
