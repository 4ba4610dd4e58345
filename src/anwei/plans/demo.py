"""Demo plans: the Hualien 103 Spring-Festival plan from the seed document (its 執行重點 groups of 9, 7 and 2 items,
assigned to the demo units, approved, amended once, carried out and closed, with its roster), and a plan active
today — next in the series, drafted by cloning — so the other apps' demo records have a plan to attach to."""

import json
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone

from anwei.accounts.actor import Actor
from anwei.core.rocdate import ROC_OFFSET, TAIPEI
from anwei.directory.demo import DemoContext

from . import services
from .models import Plan, PlanVersion, ProgressNote, Task

SEED_OUTLINE = Path(__file__).parent / "fixtures" / "hualien-103-spring.json"

# task wording (start) → extra responsible units (demo unit keys), beyond what the wording names
ASSIGN = {
    "協請行政暨研考處協助強化": ["it"],
    "協請行政暨研考處加強委外": ["it"],
    "各單位請遵循各項資訊安全": ["it"],
    "遇有重大資安異常案件": ["it"],
    "協請本府建設處": ["construction"],
    "密切注意近期及春節": ["secretariat"],
}


def _load_outline() -> dict[str, Any]:
    outline: dict[str, Any] = json.loads(SEED_OUTLINE.read_text(encoding="utf-8"))
    return outline


def _assign_units(ctx: DemoContext, plan: Plan) -> None:
    for task in plan.tasks.all():
        for start, keys in ASSIGN.items():
            if task.text.startswith(start):
                units = [*task.responsible_units.exclude(pk=ctx.units["ethics"].pk), *(ctx.units[k] for k in keys)]
                services.set_task_units(
                    actor=Actor.of(ctx.admin),
                    task=task,
                    responsible_units=units,
                    cooperating_units=list(task.cooperating_units.all()),
                )


def _roster(ctx: DemoContext, plan: Plan, *, gap: bool = False) -> None:
    services.generate_roster(
        actor=Actor.of(ctx.users["ethics"]),
        plan=plan,
        kind=ctx.duty_kinds["ethics"],
        people=[ctx.people["shen"], ctx.people["tsai"], ctx.people["ethics_director"]],
    )
    shifts = services.generate_roster(
        actor=Actor.of(ctx.users["ethics"]),
        plan=plan,
        kind=ctx.duty_kinds["agency"],
        people=[ctx.people["it_staff"], ctx.people["tsai"]],
    )
    if gap:  # one night nobody has taken yet: the dashboard warns about it
        night = next(s for s in shifts if s.starts_at > timezone.now() + timedelta(days=2))
        services.assign_shift(actor=Actor.of(ctx.users["ethics"]), shift=night, person=None, substitute=None)


def load_103_spring(ctx: DemoContext) -> Plan:
    plan = services.create_plan_from_outline(
        actor=Actor.of(ctx.users["ethics"]), agency=ctx.agency, outline=_load_outline(), owning_unit=ctx.units["ethics"]
    )
    _assign_units(ctx, plan)
    plan = services.approve_plan(actor=Actor.of(ctx.users["head"]), plan=plan)
    services.activate_plan(actor=Actor.of(ctx.users["ethics"]), plan=plan)
    liquor = plan.tasks.get(text__startswith="為防範民眾飲用私劣酒")
    services.amend_plan(
        actor=Actor.of(ctx.users["ethics"]),
        plan=plan,
        reason="財政處建議會同警察機關查緝，修正執行重點文字。",
        task_texts={liquor.pk: liquor.text.replace("請本府財政處加強查緝", "請本府財政處會同警察機關加強查緝")},
    )
    _roster(ctx, plan)
    for task in plan.tasks.filter(children__isnull=True):
        services.update_task(
            actor=Actor.of(ctx.users["ethics"]), task=task, status=Task.Status.DONE, note="已依計畫辦理完畢。"
        )
    plan = services.close_plan(actor=Actor.of(ctx.users["ethics"]), plan=plan)
    _keep_seed_dates(plan)
    return plan


# The 103 plan happened in 103 (2014): its records carry dates of their own time, not the day the demo was loaded
# (the audit log keeps the real times of the demo's writes). Approved the week before the period (the seed gives no
# date; assumed), amended a week into it, each task reported done on the period's last day.
SEED_DRAFTED = datetime(2014, 1, 10, 9, tzinfo=TAIPEI)
SEED_APPROVED = datetime(2014, 1, 17, 10, tzinfo=TAIPEI)
SEED_AMENDED = datetime(2014, 1, 28, 15, tzinfo=TAIPEI)
SEED_REPORTED = datetime(2014, 2, 14, 17, tzinfo=TAIPEI)
SEED_CLOSED = datetime(2014, 2, 17, 10, tzinfo=TAIPEI)


def _keep_seed_dates(plan: Plan) -> None:
    Plan.objects.filter(pk=plan.pk).update(approved_at=SEED_APPROVED, created_at=SEED_DRAFTED, updated_at=SEED_CLOSED)
    for version in PlanVersion.objects.filter(plan=plan):
        at = SEED_APPROVED if version.number == 1 else SEED_AMENDED
        PlanVersion.objects.filter(pk=version.pk).update(created_at=at)
    ProgressNote.objects.filter(task__plan=plan).update(created_at=SEED_REPORTED)
    Task.objects.filter(plan=plan).update(updated_at=SEED_REPORTED)
    plan.refresh_from_db()


def load_current(ctx: DemoContext, spring: Plan) -> Plan:
    """A plan whose period contains today: from ten days ago 08:00 to 50 days ahead, cloned from the 103 plan."""
    today = timezone.localdate()
    start = datetime.combine(today - timedelta(days=10), time(8), tzinfo=TAIPEI)
    end = datetime.combine(today + timedelta(days=51), time(0), tzinfo=TAIPEI)
    roc = today.year - ROC_OFFSET
    plan = services.clone_plan(actor=Actor.of(ctx.users["ethics"]), plan=spring, years=today.year - 2014)
    services.update_draft(
        actor=Actor.of(ctx.users["ethics"]),
        plan=plan,
        title=f"花蓮縣政府{roc}年度歲末年終暨春節期間公務機密暨機關安全維護執行計畫",
        period_start=start,
        period_end=end,
    )
    leaves = list(plan.tasks.filter(children__isnull=True).order_by("parent__position", "position"))
    for index, task in enumerate(leaves):
        services.schedule_task(
            actor=Actor.of(ctx.users["ethics"]),
            task=task,
            due_at=start + timedelta(days=5 + 3 * index),
            recurrence=task.recurrence,
        )
    plan = services.approve_plan(actor=Actor.of(ctx.users["head"]), plan=plan)
    plan = services.activate_plan(actor=Actor.of(ctx.users["ethics"]), plan=plan)
    _roster(ctx, plan, gap=True)
    updates = [
        ("ethics", leaves[0], Task.Status.DONE, "已於科務會議宣導保密規定，並以電子郵件提醒全體同仁。"),
        (
            "staff",
            next(t for t in leaves if t.text.startswith("協請行政暨研考處協助強化")),
            Task.Status.IN_PROGRESS,
            "已完成機房門禁與監視設備檢查，資安宣導簡報排定下週。",
        ),
        (
            "supervisor",
            next(t for t in leaves if t.text.startswith("協請本府建設處")),
            Task.Status.IN_PROGRESS,
            "已函請各工地加強水、火、電安全管制。",
        ),
    ]
    for user, task, status, note in updates:
        services.update_task(actor=Actor.of(ctx.users[user]), task=task, status=status, note=note)
    return plan


def load(ctx: DemoContext) -> None:
    spring = load_103_spring(ctx)
    load_current(ctx, spring)
