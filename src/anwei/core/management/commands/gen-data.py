"""`python -m anwei gen-data [--incidents N] [--audit N] [--seed S]`: bulk volumes for benchmarks, reproducibly.

Loads the demo data first when the database is empty, then adds N reports to the demo agency (spread over the
last `--days` days, mostly closed, numbered per ROC year after the existing ones) and N audit entries appended to
the chain from its current head — MACed exactly as `audit.services.record` does, so `audit verify` passes — and a
plan period of `--plan-days` days with its tasks, check-ins and progress notes (`plans.gendata`).
Everything goes in with bulk_create, in batches. The same seed and the same starting database give the same rows
(apart from the time they were generated, which sets "now")."""

import random
from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from anwei.audit import keys
from anwei.audit.chain import canonical, mac_function
from anwei.audit.models import AuditEntry, AuditHead
from anwei.core.rocdate import roc_year
from anwei.directory.models import Agency, Person, Unit
from anwei.incidents import rules
from anwei.incidents.models import Incident, ReferenceCounter
from anwei.plans import gendata as plans_gendata

BATCH = 5000
TITLES = ["疑似釣魚郵件", "機房門禁異常", "公文誤寄", "民眾反映詐騙電話", "可疑人士徘徊", "系統異常登入", "文件遺失"]
ACTIONS = [AuditEntry.Action.UPDATE, AuditEntry.Action.CREATE, AuditEntry.Action.VIEW, AuditEntry.Action.LOGIN]


class Command(BaseCommand):
    help = "Generate bulk reports and audit entries for benchmarks (seeded, reproducible)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--incidents", type=int, default=100_000)
        parser.add_argument("--audit", type=int, default=1_000_000)
        parser.add_argument("--days", type=int, default=365 * 3)
        parser.add_argument("--seed", type=int, default=103)
        parser.add_argument("--agency", default="hualien", help="Agency code (the demo agency by default).")
        parser.add_argument(
            "--plan-days", type=int, default=365, help="A plan period of this many days with its tasks (0: none)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not Agency.objects.exists():
            call_command("demo", stdout=StringIO())
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            raise CommandError(f"No agency with the code {options['agency']!r}.")
        rng = random.Random(options["seed"])  # noqa: S311 - reproducible test data, not secrets
        now = timezone.now()
        made = self.incidents(rng, agency, options["incidents"], options["days"], now)
        entries = self.audit(rng, options["audit"], now)
        plan = plans_gendata.generate(rng, agency, now, options["plan_days"])  # after the reports: it links them
        self.stdout.write(self.style.SUCCESS(f"Generated {made:,} reports and {entries:,} audit entries."))
        if plan:
            self.stdout.write(self.style.SUCCESS(f"Generated a plan period: {plan}."))

    def incidents(self, rng: random.Random, agency: Agency, count: int, days: int, now: datetime) -> int:
        units = list(Unit.objects.filter(agency=agency, active=True).values_list("pk", flat=True))
        people: list[int | None] = [*Person.objects.filter(agency=agency).values_list("pk", flat=True)] or [None]
        categories = [c for c in rules.CATEGORIES.values() if not c.restricted]
        counters: dict[int, int] = {
            c.year: c.last for c in ReferenceCounter.objects.filter(agency=agency).order_by("year")
        }
        stamps = sorted(now - timedelta(seconds=rng.randrange(days * 86400)) for _ in range(count))
        batch: list[Incident] = []
        for i, aware_at in enumerate(stamps):
            year = roc_year(timezone.localtime(aware_at).date())
            counters[year] = number = counters.get(year, 0) + 1
            category = rng.choice(categories)
            closed = rng.random() < 0.97 and aware_at < now - timedelta(days=2)
            batch.append(
                Incident(
                    agency=agency,
                    year=year,
                    number=number,
                    reference=f"{year}-{number:04d}",
                    category=category.code,
                    title=f"{rng.choice(TITLES)} #{i + 1}",
                    description="（產生的測試資料）",
                    unit_id=rng.choice(units),
                    reporter_id=rng.choice(people),
                    aware_at=aware_at,
                    occurred_at=aware_at - timedelta(minutes=rng.randrange(600)),
                    severity=category.default_severity,
                    status=Incident.Status.CLOSED if closed else Incident.Status.OPEN,
                    closed_at=aware_at + timedelta(days=1) if closed else None,
                    outcome="結案" if closed else "",
                    created_at=aware_at,
                )
            )
            if len(batch) == BATCH:
                Incident.objects.bulk_create(batch)
                batch = []
        Incident.objects.bulk_create(batch)
        for year, last in counters.items():
            ReferenceCounter.objects.update_or_create(agency=agency, year=year, defaults={"last": last})
        return count

    def audit(self, rng: random.Random, count: int, now: datetime) -> int:
        with transaction.atomic():
            head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1)
            start = (now - timedelta(seconds=count)).astimezone(UTC)
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
        return count
