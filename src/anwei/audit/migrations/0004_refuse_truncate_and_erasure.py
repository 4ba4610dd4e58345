"""On PostgreSQL the row trigger of 0002 refuses UPDATE and DELETE of audit entries, but TRUNCATE fires no row
trigger: a statement-level BEFORE TRUNCATE trigger refuses it. The chain's head and the daily checkpoints may be
updated (every append moves the head; a checkpoint is re-stored the same day) but never deleted or truncated:
without them a truncated tail would go unnoticed. Django's `flush` (the test suite's, between transactional tests)
turns the TRUNCATE triggers off for its own statement only while testing: see anwei.core.management.commands.flush."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION audit_refuse_erasure() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = 'the audit log is append-only: ' || TG_OP || ' refused on ' || TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""
# (trigger, table, when): the names are used by the flush command too (TRUNCATE_TRIGGERS)
TRIGGERS = [
    ("audit_entry_no_truncate", "audit_auditentry", "BEFORE TRUNCATE", "STATEMENT"),
    ("audit_head_no_delete", "audit_audithead", "BEFORE DELETE", "ROW"),
    ("audit_head_no_truncate", "audit_audithead", "BEFORE TRUNCATE", "STATEMENT"),
    ("audit_checkpoint_no_delete", "audit_auditcheckpoint", "BEFORE DELETE", "ROW"),
    ("audit_checkpoint_no_truncate", "audit_auditcheckpoint", "BEFORE TRUNCATE", "STATEMENT"),
]


def add_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for name, table, when, level in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        schema_editor.execute(
            f"CREATE TRIGGER {name} {when} ON {table} FOR EACH {level} EXECUTE FUNCTION audit_refuse_erasure()"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, _when, _level in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS audit_refuse_erasure()")


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_changes_stored_canonical")]
    operations = [migrations.RunPython(add_triggers, drop_triggers)]
