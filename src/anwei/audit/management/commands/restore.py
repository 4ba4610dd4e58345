"""`python -m anwei restore SRC`: restore a backup into an empty database and media folder, then check counts,
files and the audit chain (see audit.backup)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anwei.audit import backup
from anwei.core.errors import BusinessRuleError


class Command(BaseCommand):
    help = "Restore a backup made by `backup` into an empty database, and verify it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=Path, help="the backup folder")

    def handle(self, *args: Any, source: Path, **options: Any) -> None:
        try:
            report = backup.restore(source)
        except BusinessRuleError as exc:
            raise CommandError(str(exc.message)) from exc
        if report.problems:
            raise CommandError("restored, but it does not match the backup:\n" + "\n".join(report.problems))
        self.stdout.write(
            f"restored from {report.folder}: {len(report.counts)} tables and {len(report.files) - 1} files match "
            f"the manifest; audit chain OK, head #{report.audit_seq} {report.audit_head}"
        )
