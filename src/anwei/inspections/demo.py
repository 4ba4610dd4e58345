"""Demo data: the standard checklists, and in the active demo plan (or else the latest plan) a round of the school
computer-security checklist over the county schools with the education network centre, one school done with a
finding; and a holiday lock check over the departments. No plan: checklists only."""

from typing import Any

from anwei.accounts.actor import Actor
from anwei.directory.demo import DemoContext
from anwei.plans.models import Plan
from anwei.plans.selectors import active_plan

from . import services
from .models import ChecklistTemplate


def load(ctx: DemoContext) -> None:
    ethics = ctx.users.get("ethics")
    services.install_standard_templates(actor=Actor.of(ctx.admin or ethics))
    plan = active_plan(ctx.agency) or Plan.objects.filter(agency=ctx.agency).order_by("-period_start").first()
    if plan is None or plan.status == Plan.Status.CLOSED or ethics is None:
        return
    first, _last = services.plan_dates(plan)
    schools = [u for key, u in ctx.units.items() if key.startswith("school_")]
    actor = Actor.of(ethics)
    round_ = services.create_round(
        actor=actor,
        plan=plan,
        unit=ctx.units["ethics"],
        template=ChecklistTemplate.objects.get(code="school-computer"),
        title="縣屬國民中小學電腦資訊機密維護檢查",
        starts_on=first,
        ends_on=first,
        inspectors=[ethics],
        joint_units=[ctx.units["edu_net"]],
        targets=schools,
    )
    inspection = round_.inspections.order_by("target__path").first()
    if inspection is not None:
        answers: dict[int, dict[str, Any]] = {}
        for item in round_.version.items.all():
            if item.answer_type == "yes_no":
                answers[item.pk] = {"choice": "yes"}
            elif item.answer_type == "number":
                answers[item.pk] = {"number": "8"}
        password_item = round_.version.items.order_by("order").first()
        if password_item is not None:
            answers[password_item.pk] = {"choice": "no", "note": "教務處電腦螢幕旁張貼校務系統密碼"}
        services.save_answers(actor=actor, inspection=inspection, answers=answers)
        services.submit_inspection(actor=actor, inspection=inspection)
    departments = [
        ctx.units[k] for k in ("rd", "construction", "finance", "secretariat", "education") if k in ctx.units
    ]
    services.create_round(
        actor=actor,
        plan=plan,
        unit=ctx.units["ethics"],
        template=ChecklistTemplate.objects.get(code="holiday-lock"),
        title="春節連續假日公文上鎖檢查",
        starts_on=first,
        ends_on=first,
        inspectors=[ethics, ctx.users["duty"]] if "duty" in ctx.users else [ethics],
        targets=departments,
    )
