"""Generated volumes (`gen-data`, core.seeding): N reports in an agency (the demo agency by default), spread over the
last `--days` days, mostly closed, numbered per ROC year after the existing ones; bulk_create in batches."""

from datetime import datetime, timedelta

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from anwei.core.rocdate import roc_year
from anwei.core.seeding import GenerationRun
from anwei.directory.models import Agency, Person, Unit

from . import rules
from .models import Incident, ReferenceCounter

BATCH = 5000
TITLES = ["疑似釣魚郵件", "機房門禁異常", "公文誤寄", "民眾反映詐騙電話", "可疑人士徘徊", "系統異常登入", "文件遺失"]


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365 * 3)
    parser.add_argument("--agency", default="hualien", help="Agency code (the demo agency by default).")


def prepare(run: GenerationRun) -> None:
    agency = Agency.objects.filter(code=run.options["agency"]).first()
    if agency is None:
        raise CommandError(f"No agency with the code {run.options['agency']!r}.")
    run.found["agency"] = agency


def generate(run: GenerationRun) -> str:
    count = run.options["incidents"]
    made = incidents(run, run.found["agency"], count, run.options["days"], run.now)
    plan = run.found.get("plan")  # plans.gendata ran first: the period's reports belong to its plan
    if plan is None:
        return f"{made:,} reports"
    linked = Incident.objects.filter(agency=plan.agency_id, aware_at__gte=plan.period_start, plan__isnull=True)
    return f"{made:,} reports ({linked.update(plan=plan):,} in the plan period)"


def incidents(run: GenerationRun, agency: Agency, count: int, days: int, now: datetime) -> int:
    rng = run.random("incidents")
    units = list(Unit.objects.filter(agency=agency, active=True).values_list("pk", flat=True))
    people: list[int | None] = [*Person.objects.filter(agency=agency).values_list("pk", flat=True)] or [None]
    categories = [c for c in rules.CATEGORIES.values() if not c.restricted]
    counters: dict[int, int] = {c.year: c.last for c in ReferenceCounter.objects.filter(agency=agency).order_by("year")}
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
