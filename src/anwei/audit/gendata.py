"""Generated volumes (`gen-data`, core.seeding): N audit entries appended to the chain from its current head — MACed
exactly as `services.record` does, so `audit verify` passes; bulk_create in batches, in one transaction."""

from datetime import UTC, timedelta
from typing import Any

from django.core.management.base import CommandParser
from django.db import transaction

from anwei.core.seeding import GenerationRun

from . import keys
from .chain import canonical, mac_function
from .models import AuditEntry, AuditHead

BATCH = 5000
ACTIONS = [AuditEntry.Action.UPDATE, AuditEntry.Action.CREATE, AuditEntry.Action.VIEW, AuditEntry.Action.LOGIN]


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("--audit", type=int, default=1_000_000)


def generate(run: GenerationRun) -> str:
    rng, count = run.random("audit"), run.options["audit"]
    with transaction.atomic():
        head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1)
        start = (run.now - timedelta(seconds=count)).astimezone(UTC)
        prev, seq, batch = head.hash, head.seq, []
        if head.seq == 0:
            head.key_id = keys.mac_key().id
        mac = mac_function(keys.mac_keys()[head.key_id].secret if head.key_id else None)
        for i in range(count):
            seq += 1
            oid = str(rng.randrange(1, 100_000))
            values: dict[str, Any] = {
                "seq": seq,
                "at": start + timedelta(seconds=i, microseconds=rng.randrange(1_000_000)),
                "actor_id": None,
                "actor_label": rng.choice(["ethics", "staff", "duty", "admin"]),
                "action": str(rng.choice(ACTIONS)),
                "object_type": "incidents.incident",
                "object_id": oid,
                "object_repr": f"產生 {oid}",
                "changes": {"status": ["open", "closed"]},
                "ip": "127.0.0.1",
                "request_id": "",
                "prev_hash": prev,
            }
            prev = mac(canonical(values))
            batch.append(AuditEntry(hash=prev, **values))
            if len(batch) == BATCH:
                AuditEntry.objects.bulk_create(batch)
                batch = []
        AuditEntry.objects.bulk_create(batch)
        head.seq, head.hash = seq, prev
        head.save(update_fields=["seq", "hash", "key_id"])
    return f"{count:,} audit entries"
