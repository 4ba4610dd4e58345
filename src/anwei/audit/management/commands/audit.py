"""`python -m anwei audit verify` walks the chain; `audit checkpoint` stores today's head; `audit head` prints it."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anwei.audit import selectors, services
from anwei.audit.models import AuditCheckpoint, AuditHead


class Command(BaseCommand):
    help = "Verify the audit chain, store a checkpoint or print the checkpoints."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["verify", "checkpoint", "checkpoints"])

    def handle(self, *args: Any, what: str, **options: Any) -> None:
        if what == "verify":
            verdict = selectors.verify()
            if not verdict.ok:
                raise CommandError(
                    f"audit chain BROKEN at entry #{verdict.broken_seq} (row id {verdict.broken_id}): "
                    f"{verdict.problem}; {verdict.count} entries before it are intact"
                )
            self.stdout.write(f"audit chain OK: {verdict.count} entries, head {verdict.head_hash}")
        elif what == "checkpoint":
            cp = services.checkpoint()
            self.stdout.write(f"{cp.day.isoformat()} #{cp.seq} {cp.hash}")
        else:
            head = AuditHead.objects.get(pk=1)
            self.stdout.write(f"head #{head.seq} {head.hash}")
            for cp in AuditCheckpoint.objects.all():
                self.stdout.write(f"{cp.day.isoformat()} #{cp.seq} {cp.hash}")
