"""`python -m anwei backup DEST`: the database and the uploaded files, with a manifest of hashes (see audit.backup)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anwei.audit import backup
from anwei.core.errors import BusinessRuleError


class Command(BaseCommand):
    help = "Back up the database (SQLite online backup or pg_dump) and the uploaded files into a new folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("destination", type=Path, help="a new or empty folder")

    def handle(self, *args: Any, destination: Path, **options: Any) -> None:
        try:
            report = backup.backup(destination)
        except BusinessRuleError as exc:
            raise CommandError(str(exc.message)) from exc
        rows = sum(report.counts.values())
        self.stdout.write(
            f"backup written to {report.folder}: {report.engine}, {len(report.counts)} tables, {rows} rows, "
            f"{len(report.files) - 1} files, audit head #{report.audit_seq} {report.audit_head}"
        )
