"""Bulk plan data for benchmarks (`python -m anwei gen-data`): one plan period of `days` days ending tomorrow, with
tasks for every active unit of the agency — a daily check-in, a weekly round and a task due once — a check-in
(occurrence report) for most days of each recurring task that have come, and progress notes on every task through
the period. The agency's reports of the period are linked to the plan by incidents.gendata, which runs after this
and finds the plan in `run.found`. Seeded from the run; rows go in with bulk_create. No audit entries: this is
generated data, not anybody's work."""

import random
from datetime import datetime, timedelta
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from anwei.core.seeding import GenerationRun
from anwei.directory.models import Agency, Unit

from . import recurrence
from .models import OccurrenceReport, Plan, ProgressNote, Task

BATCH = 5000
REPORTED_SHARE = 0.95  # the other check-ins are missed: the dashboard lists them
NOTE_EVERY_DAYS = 7


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--plan-days", type=int, default=365, help="A plan period of this many days with its tasks (0: none)."
    )


def generate(run: GenerationRun) -> str:
    """gen-data's hook (core.seeding): the plan period in the agency of `--agency`."""
    agency = Agency.objects.filter(code=run.options["agency"]).first()
    if agency is None:
        raise CommandError(f"No agency with the code {run.options['agency']!r}.")
    made = plan_period(run.random("plans"), agency, run.now, run.options["plan_days"])
    if not made:
        return "no plan period"
    run.found["plan"] = made.pop("plan")
    return "a plan period (" + ", ".join(f"{n:,} {what}" for what, n in made.items()) + ")"


def plan_period(rng: random.Random, agency: Agency, now: datetime, days: int = 365) -> dict[str, Any]:
    units = list(Unit.objects.filter(agency=agency, active=True).order_by("path"))
    if days <= 0 or not units:
        return {}
    start = timezone.localtime(now - timedelta(days=days)).replace(hour=8, minute=0, second=0, microsecond=0)
    with transaction.atomic():
        plan = Plan.objects.create(
            agency=agency,
            owning_unit=min(units, key=lambda u: len(u.path)),
            title=f"產生的年度安全維護計畫（{days} 日）",
            purpose="（產生的測試資料）",
            period_start=start,
            period_end=now + timedelta(days=1),
            status=Plan.Status.ACTIVE,
            approved_at=start,
        )
        tasks = _tasks(rng, plan, units, start, now)
        reports = _checkins(rng, tasks, now)
        notes = _notes(rng, tasks, start, now)
    return {"plan": plan, "tasks": len(tasks), "check-ins": reports, "progress notes": notes}


def _tasks(rng: random.Random, plan: Plan, units: list[Unit], start: datetime, now: datetime) -> list[Task]:
    span = (now - start).total_seconds()
    tasks: list[Task] = []
    for i, unit in enumerate(units):
        kinds: list[tuple[str, str, datetime | None]] = [
            ("每日安全檢查回報", Task.Recurrence.DAILY, None),
            ("每週門禁巡查", Task.Recurrence.WEEKLY, None),
            ("年度機密維護宣導", Task.Recurrence.NONE, start + timedelta(seconds=rng.uniform(0.2, 1.1) * span)),
        ]
        for j, (text, every, due) in enumerate(kinds):
            done = due is not None and due < now and rng.random() < 0.8
            status = Task.Status.DONE if done else Task.Status.IN_PROGRESS
            tasks.append(
                Task(
                    plan=plan,
                    number=f"{i + 1}-{j + 1}",
                    text=f"{unit.name}：{text}",
                    position=i * 3 + j,
                    recurrence=every,
                    due_at=due,
                    status=status,
                )
            )
    Task.objects.bulk_create(tasks, batch_size=BATCH)
    through = Task.responsible_units.through
    through.objects.bulk_create(
        [through(task_id=t.pk, unit_id=units[t.position // 3].pk) for t in tasks], batch_size=BATCH
    )
    return tasks


def _checkins(rng: random.Random, tasks: list[Task], now: datetime) -> int:
    rows: list[OccurrenceReport] = []
    when: dict[Any, datetime] = {}
    for task in tasks:
        if not task.recurrence:
            continue
        for o in recurrence.of_task(task):
            if o.due_at <= now and rng.random() < REPORTED_SHARE:
                rows.append(OccurrenceReport(task=task, day=o.day, note="已檢查，無異常"))
                when.setdefault(o.day, max(o.starts_at, o.due_at - timedelta(hours=2)))
    OccurrenceReport.objects.bulk_create(rows, batch_size=BATCH)
    plan_id = tasks[0].plan_id
    for day, at in when.items():  # created_at is set on insert: put each check-in on its own day
        OccurrenceReport.objects.filter(task__plan_id=plan_id, day=day).update(created_at=at)
    return len(rows)


def _notes(rng: random.Random, tasks: list[Task], start: datetime, now: datetime) -> int:
    rows: list[ProgressNote] = []
    stamps: list[datetime] = []
    for task in tasks:
        at = start + timedelta(hours=rng.randrange(24, 24 * NOTE_EVERY_DAYS))
        while at < now:
            rows.append(ProgressNote(task=task, text="依計畫辦理中", status=Task.Status.IN_PROGRESS))
            stamps.append(at)
            at += timedelta(days=NOTE_EVERY_DAYS, minutes=rng.randrange(-600, 600))
    made = ProgressNote.objects.bulk_create(rows, batch_size=BATCH)
    by_day: dict[Any, list[int]] = {}
    for note, at in zip(made, stamps, strict=True):
        day_end = timezone.localtime(at).replace(hour=17, minute=0, second=0, microsecond=0)
        by_day.setdefault(min(day_end, now), []).append(note.pk)
    for at, pks in by_day.items():  # created_at is set on insert: spread the notes over the period
        ProgressNote.objects.filter(pk__in=pks).update(created_at=at)
    return len(rows)
