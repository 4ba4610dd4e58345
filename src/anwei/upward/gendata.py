"""A national world for benchmarks (`python -m anwei gen-data --national`): ~1,000 subordinate agencies under one
superior, each linked to it (`Link`) with a top unit and ~100 staff (100,000 people in all), a year of daily
situation reports per agency on the roll-up side and 100,000 report summaries. Bulk inserts, in batches; the same
seed gives the same rows (apart from "now", the link secrets and the primary keys). Test data only."""

import random
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import models, transaction
from django.utils import timezone

from anwei.core.rocdate import roc_year
from anwei.core.seeding import GenerationRun
from anwei.directory.models import Agency, Person, Unit
from anwei.incidents.rules import CATEGORIES

from . import rules
from .models import Link, RollupIncident, RollupSitrep

BATCH = 5000
COUNTIES = ["臺北", "新北", "桃園", "臺中", "臺南", "高雄", "基隆", "新竹", "嘉義", "苗栗", "彰化", "南投", "雲林"]
KINDS = ["區公所", "戶政事務所", "地政事務所", "衛生所", "國民中學", "國民小學", "清潔隊", "圖書館", "稅務分局"]
SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周"
GIVEN = "怡君淑芬志明俊傑家豪雅婷宗翰欣怡冠宇佳穎承恩詩涵"
TITLES = ["科員", "專員", "科長", "技士", "辦事員", "課員"]
REPORT_TITLES = ["資安事件：主機異常連線", "公文誤寄", "機房門禁異常", "疑似釣魚郵件", "系統遭植入惡意程式"]


def _bulk[M: models.Model](model: type[M], rows: list[M]) -> list[M]:
    made: list[M] = []
    for start in range(0, len(rows), BATCH):
        made += model._default_manager.bulk_create(rows[start : start + BATCH])
    return made


def national(
    *,
    superior: Agency,
    agencies: int = 1000,
    staff: int = 100_000,
    days: int = 365,
    summaries: int = 100_000,
    seed: int = 16,
    now: datetime | None = None,
) -> dict[str, int]:
    """Build the world under `superior`; returns how many rows of each kind were made."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    now = now or timezone.now()
    with transaction.atomic():
        subordinates = _agencies(rng, superior, agencies)
        tops = _top_units(subordinates)
        people = _people(rng, subordinates, tops, staff)
        _links(subordinates)
    sitreps = _sitreps(rng, subordinates, days, now)
    incidents = _summaries(rng, subordinates, summaries, days, now)
    return {"agencies": len(subordinates), "people": people, "sitreps": sitreps, "summaries": incidents}


def _agencies(rng: random.Random, superior: Agency, count: int) -> list[Agency]:
    taken = set(Agency.objects.filter(code__startswith="nat-").values_list("code", flat=True))
    rows = []
    for i in range(count):
        code = f"nat-{i + 1:04d}"
        if code in taken:
            continue
        name = f"{rng.choice(COUNTIES)}{rng.choice(KINDS)}（第{i + 1}）"
        rows.append(Agency(code=code, name=name, superior=superior))
    return _bulk(Agency, rows)


def _top_units(agencies: list[Agency]) -> dict[int, Unit]:
    made = _bulk(Unit, [Unit(agency=a, name="政風室", kind=Unit.Kind.DEPARTMENT) for a in agencies])
    if made and made[0].pk is None:  # a backend that does not return keys from a bulk insert
        made = list(Unit.objects.filter(agency__in=agencies, parent__isnull=True, path=""))
    for unit in made:
        unit.path = f"/{unit.pk}/"
    Unit.objects.bulk_update(made, ["path"], batch_size=BATCH)
    return {u.agency_id: u for u in made}


def _people(rng: random.Random, agencies: list[Agency], tops: dict[int, Unit], count: int) -> int:
    rows: list[Person] = []
    per_agency = max(1, count // max(1, len(agencies)))
    made = 0
    for agency in agencies:
        for n in range(per_agency):
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            rows.append(
                Person(
                    agency=agency,
                    unit=tops[agency.pk],
                    name=name,
                    title=rng.choice(TITLES),
                    email=f"p{n + 1}@{agency.code}.example.gov.tw",
                    duty_eligible=n < 10,
                )
            )
        if len(rows) >= BATCH:
            made += len(Person.objects.bulk_create(rows))
            rows = []
    return made + len(Person.objects.bulk_create(rows))


def _links(agencies: list[Agency]) -> None:
    rows = [
        Link(agency=a, name=f"{a.name}政風室", key=secrets.token_hex(8), secret=secrets.token_urlsafe(32))
        for a in agencies
    ]
    _bulk(Link, rows)


def _sitreps(rng: random.Random, agencies: list[Agency], days: int, now: datetime) -> int:
    """Every agency's sitrep for each of the last `days` days (the day the board waits for included), about one
    in twenty after its deadline; most are 零通報."""
    last = rules.sitrep_day(now)
    dues = {last - timedelta(days=d): rules.sitrep_due(last - timedelta(days=d)) for d in range(days)}
    made = 0
    rows: list[RollupSitrep] = []
    for day, due in dues.items():
        for agency in agencies:
            late = rng.random() < 0.05
            count = 0 if rng.random() < 0.9 else rng.randrange(1, 4)
            filed_at = (
                due + timedelta(minutes=rng.randrange(1, 600))
                if late
                else due - timedelta(minutes=rng.randrange(1, 55))
            )
            rows.append(
                RollupSitrep(
                    agency=agency,
                    day=day,
                    filed_at=min(filed_at, now),
                    zero_report=count == 0,
                    incident_count=count,
                    late=late,
                )
            )
            if len(rows) >= BATCH:
                made += len(RollupSitrep.objects.bulk_create(rows))
                rows = []
    return made + len(RollupSitrep.objects.bulk_create(rows))


def _summaries(rng: random.Random, agencies: list[Agency], count: int, days: int, now: datetime) -> int:
    """Report summaries as the rules send them up, spread over the agencies and the last `days` days; about 2 in
    100 still open, with their clocks."""
    categories = [c.code for c in CATEGORIES.values()]
    numbers: dict[tuple[int, int], int] = {}
    rows: list[RollupIncident] = []
    made = 0
    for i in range(count):
        agency = agencies[i % len(agencies)]
        aware_at = now - timedelta(seconds=rng.randrange(days * 86400))
        year = roc_year(timezone.localtime(aware_at).date())
        numbers[agency.pk, year] = number = numbers.get((agency.pk, year), 0) + 1
        category = rng.choice(categories)
        closed = rng.random() >= 0.02
        clocks: list[dict[str, Any]] = (
            []
            if closed
            else [{"kind": "report", "due_at": (aware_at + timedelta(hours=1)).isoformat(), "met_at": None}]
        )
        rows.append(
            RollupIncident(
                agency=agency,
                reference=f"{year}-{number:05d}",
                category=category,
                cyber_level=rng.randrange(1, 5) if category == "cyber" else None,
                status="closed" if closed else "open",
                title=rng.choice(REPORT_TITLES),
                unit_name="政風室",
                aware_at=aware_at,
                closed_at=min(aware_at + timedelta(days=1), now) if closed else None,
                clocks=clocks,
                updated_at=now,
            )
        )
        if len(rows) >= BATCH:
            made += len(RollupIncident.objects.bulk_create(rows))
            rows = []
    return made + len(RollupIncident.objects.bulk_create(rows))


# gen-data's hooks (core.seeding): `--national` builds this world instead of the other apps' volumes.
EXCLUSIVE_OPTION = "national"


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--national",
        action="store_true",
        help="Instead: a national world under --agency: --agencies subordinate agencies, --staff people, "
        "a year of daily sitreps each (at most --days), --summaries report summaries.",
    )
    parser.add_argument("--agencies", type=int, default=1000)
    parser.add_argument("--staff", type=int, default=100_000)
    parser.add_argument("--summaries", type=int, default=100_000)


def generate(run: GenerationRun) -> str:
    superior = Agency.objects.filter(code=run.options["agency"]).first()
    if superior is None:
        raise CommandError(f"No agency with the code {run.options['agency']!r}.")
    world = national(
        superior=superior,
        agencies=run.options["agencies"],
        staff=run.options["staff"],
        days=min(run.options["days"], 365),
        summaries=run.options["summaries"],
        seed=run.seed,
        now=run.now,
    )
    return ", ".join(f"{n:,} {what}" for what, n in world.items())
