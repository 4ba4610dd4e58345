"""`python -m anwei audit verify` walks the keyed chain and checks it against the witness file (it needs the key
files: without them it says so and stops); `audit checkpoint` stores, signs and witnesses today's head;
`audit checkpoints` prints them; `audit rotate-key` hands the chain to a new MAC key; `audit public-key` prints the
key that verifies the witness file's signatures (for the auditors)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anwei.audit import keys, selectors, services
from anwei.audit.models import AuditCheckpoint, AuditHead


class Command(BaseCommand):
    help = "Verify the audit chain, store a checkpoint, print the checkpoints, rotate the MAC key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["verify", "checkpoint", "checkpoints", "rotate-key", "public-key"])

    def handle(self, *args: Any, what: str, **options: Any) -> None:
        try:
            self.run(what)
        except keys.KeyMissing as error:
            raise CommandError(f"audit {what} stopped: {error}; the audit keys are kept outside the database") from None

    def run(self, what: str) -> None:
        if what == "verify":
            verdict = selectors.verify()
            if not verdict.ok:
                where = f" at entry #{verdict.broken_seq}" if verdict.broken_seq else ""
                row = f" (row id {verdict.broken_id})" if verdict.broken_id else ""
                raise CommandError(
                    f"audit chain BROKEN{where}{row}: {verdict.problem}; {verdict.count} entries before it are intact"
                )
            self.stdout.write(
                f"audit chain OK: {verdict.count} entries, head {verdict.head_hash}, key {verdict.key_id or '-'}"
            )
        elif what == "checkpoint":
            cp = services.checkpoint()
            self.stdout.write(f"{cp.day.isoformat()} #{cp.seq} {cp.hash}")
        elif what == "rotate-key":
            key = services.rotate_key()
            head = AuditHead.objects.get(pk=1)
            self.stdout.write(f"new audit key {key.id} from entry #{head.seq + 1} (handed over by entry #{head.seq})")
        elif what == "public-key":
            self.stdout.write(keys.public_key_pem().strip())
        else:
            head = AuditHead.objects.get(pk=1)
            self.stdout.write(f"head #{head.seq} {head.hash}")
            for cp in AuditCheckpoint.objects.all():
                self.stdout.write(f"{cp.day.isoformat()} #{cp.seq} {cp.hash}")
