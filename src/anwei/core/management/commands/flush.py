"""Django's `flush`, aware of the audit log's guard on PostgreSQL: the audit tables refuse TRUNCATE (audit
migration 0004), so flushing a database with an audit log fails — as it should in production, where nothing may
erase the log. While testing (settings.TESTING), the test runner's flush between transactional tests turns those
triggers off around its own TRUNCATE and on again."""

from typing import Any

from django.conf import settings
from django.core.management.commands.flush import Command as FlushCommand
from django.db import DEFAULT_DB_ALIAS, connections

TRUNCATE_TRIGGERS = [
    ("audit_auditentry", "audit_entry_no_truncate"),
    ("audit_audithead", "audit_head_no_truncate"),
    ("audit_auditcheckpoint", "audit_checkpoint_no_truncate"),
]


class Command(FlushCommand):
    def handle(self, **options: Any) -> None:
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor != "postgresql" or not settings.TESTING:
            super().handle(**options)
            return
        present = self._present(connection)
        self._switch(connection, present, "DISABLE")
        try:
            super().handle(**options)
        finally:
            self._switch(connection, present, "ENABLE")

    @staticmethod
    def _present(connection: Any) -> list[tuple[str, str]]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname = ANY(%s)", [[t for _, t in TRUNCATE_TRIGGERS]])
            names = {row[0] for row in cursor.fetchall()}
        return [(table, trigger) for table, trigger in TRUNCATE_TRIGGERS if trigger in names]

    @staticmethod
    def _switch(connection: Any, triggers: list[tuple[str, str]], how: str) -> None:
        with connection.cursor() as cursor:
            for table, trigger in triggers:
                cursor.execute(f"ALTER TABLE {table} {how} TRIGGER {trigger}")
