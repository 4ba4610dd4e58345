"""The keyed chain: the head records the id of the key that MACs the next entry ("" for a chain written before
keyed MACs: its next append starts the keyed chain with a key entry, see services._append). On PostgreSQL the head's
number and a checkpoint's number may only grow: an UPDATE that lowers them is refused (a reset head)."""

from django.db import migrations, models

FUNCTION = """
CREATE OR REPLACE FUNCTION audit_seq_only_grows() RETURNS trigger AS $$
BEGIN
    IF NEW.seq < OLD.seq THEN
        RAISE EXCEPTION USING MESSAGE = 'the audit head only grows: #' || NEW.seq || ' after #' || OLD.seq
            || ' refused on ' || TG_TABLE_NAME;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""
TRIGGERS = [
    ("audit_head_only_grows", "audit_audithead"),
    ("audit_checkpoint_only_grows", "audit_auditcheckpoint"),
]


def add_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for name, table in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        schema_editor.execute(
            f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION audit_seq_only_grows()"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS audit_seq_only_grows()")


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_refuse_truncate_and_erasure")]
    operations = [
        migrations.AddField(
            model_name="audithead",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=32),
        ),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
