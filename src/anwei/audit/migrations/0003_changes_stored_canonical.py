"""`changes` is written in the canonical form (sorted keys, no spaces, UTF-8) from now on. The column stays as it is
(SQLite text, PostgreSQL jsonb): only the Python encoder changes, so nothing is rebuilt and old rows keep their text
(the verifier re-writes a stored text that is not canonical before hashing it, as it always did)."""

import anwei.audit.chain
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_head_and_append_only"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditentry",
                    name="changes",
                    field=models.JSONField(
                        blank=True, default=dict, encoder=anwei.audit.chain.CanonicalEncoder, verbose_name="changes"
                    ),
                ),
            ],
        ),
    ]
