"""P4: audit-chain entries verified per second, over a chain built in a scratch SQLite database."""

import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import Figure

ENTRIES = int(os.environ.get("BENCH_AUDIT_ENTRIES", "200000"))


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anwei.settings")
        import django

        django.setup()
        from django.core.management import call_command

        from anwei.audit.chain import FIELDS, GENESIS, entry_hash
        from anwei.audit.models import AuditEntry, AuditHead
        from anwei.audit.selectors import verify

        call_command("migrate", verbosity=0)
        start = datetime(2014, 1, 21, 14, tzinfo=UTC)
        prev, batch = GENESIS, []
        for seq in range(1, ENTRIES + 1):
            values = dict.fromkeys(FIELDS, "")
            values.update(
                seq=seq,
                at=start + timedelta(seconds=seq),
                actor_id=None,
                action="update",
                object_type="incidents.incident",
                object_id=str(seq % 997),
                changes={"status": ["a", "b"]},
                ip="127.0.0.1",
                prev_hash=prev,
            )
            digest = entry_hash(values)
            batch.append(AuditEntry(hash=digest, **values))
            prev = digest
            if len(batch) == 5000:
                AuditEntry.objects.bulk_create(batch)
                batch = []
        AuditEntry.objects.bulk_create(batch)
        AuditHead.objects.update_or_create(pk=1, defaults={"seq": ENTRIES, "hash": prev})
        began = time.perf_counter()
        verdict = verify()
        rate = verdict.count / (time.perf_counter() - began)
        assert verdict.ok, verdict.problem
    return [
        Figure(
            "P4",
            "audit verification",
            rate,
            "entries/s",
            "≥ 500,000/s",
            rate >= 500_000,
            f"`audit.selectors.verify()` over a chain of {ENTRIES:,} generated entries in SQLite (one process).",
        ),
    ]
