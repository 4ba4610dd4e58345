"""Writes for plans, each in one transaction with its audit entry: creating a plan (by hand, from an imported
outline or by cloning last year's), its lifecycle draft → approved (核定, by the agency head) → active → closed,
amendments as versions. `Actor.system()` (or `actor=None`) is the system (demo data, management commands,
tasks); every other actor is checked against the policies."""

import re
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, write_service
from anwei.audit import services as audit
from anwei.core.errors import BusinessRuleError
from anwei.core.rocdate import ROC_OFFSET, local
from anwei.directory.models import Agency, Person, Unit

from .. import outline as outline_mapping
from .. import policies
from ..models import Plan, PlanContact, PlanVersion, Task
from . import amendments
from .contacts import add_contact
from .tasks import add_task, create_task, remove_tasks

PLAN_FIELDS = ["title", "basis", "purpose", "missions", "coordination", "period_start", "period_end"]
_require = policies.require


def _check_period(start: datetime, end: datetime) -> None:
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise BusinessRuleError(_("Give the period with its time zone."), field="period_start")
    if end <= start:
        raise BusinessRuleError(_("The period must end after it starts."), field="period_end")


def default_owning_unit(agency: Agency) -> Unit:
    """The ethics office (政風) of the agency, else its top unit."""
    units = Unit.objects.filter(agency=agency, active=True).order_by("path")
    unit = units.filter(name__endswith="政風處").first() or units.filter(name__contains="政風").first()
    unit = unit or units.filter(parent=None).first()
    if unit is None:
        raise BusinessRuleError(_("The agency has no units yet."), field="owning_unit")
    return unit


# --- plans ---------------------------------------------------------------------------------------------------


@write_service
@transaction.atomic
def create_plan(
    *,
    actor: Actor,
    agency: Agency,
    title: str,
    period_start: datetime,
    period_end: datetime,
    owning_unit: Unit | None = None,
    basis: list[str] | None = None,
    purpose: str = "",
    missions: list[str] | None = None,
    coordination: str = "",
) -> Plan:
    owning_unit = owning_unit or default_owning_unit(agency)
    if owning_unit.agency_id != agency.pk:
        raise BusinessRuleError(_("The owning unit belongs to another agency."), field="owning_unit")
    _check_period(period_start, period_end)
    plan = Plan(
        agency=agency,
        owning_unit=owning_unit,
        title=title.strip(),
        period_start=period_start,
        period_end=period_end,
        basis=basis or [],
        purpose=purpose,
        missions=missions or [],
        coordination=coordination,
    )
    _require(actor, policies.plans, "plans.manage", plan)
    if not plan.title:
        raise BusinessRuleError(_("Give the plan a title."), field="title")
    plan.save()
    audit.record_create(actor=actor, obj=plan)
    return plan


@write_service
@transaction.atomic
def update_draft(
    *,
    actor: Actor,
    plan: Plan,
    task_texts: dict[int, str] | None = None,
    new_tasks: list[dict[str, Any]] | None = None,
    remove: list[int] | None = None,
    **fields: Any,
) -> Plan:
    """Change a plan that is still a draft; an approved plan changes only by amendment."""
    _require(actor, policies.plans, "plans.manage", plan)
    if plan.status != Plan.Status.DRAFT:
        raise BusinessRuleError(_("An approved plan is changed by an amendment, with a reason."))
    _apply_fields(actor, plan, fields)
    _remove_then_reword(actor, plan, remove or [], task_texts or {})
    for new in new_tasks or []:
        create_task(actor=actor, plan=plan, **new)
    return plan


def _remove_then_reword(actor: Actor, plan: Plan, remove: list[int], task_texts: dict[int, str]) -> bool:
    """Remove tasks, then apply the new wording of those that remain (the form sends the wording of every task,
    including those removed with a parent)."""
    before = set(plan.tasks.values_list("pk", flat=True))
    removed = remove_tasks(actor=actor, plan=plan, task_ids=remove)
    gone = before - set(plan.tasks.values_list("pk", flat=True))
    reworded = _apply_task_texts(actor, plan, {k: v for k, v in task_texts.items() if k not in gone})
    return removed or reworded


def same_lines(text: str) -> str:
    """Text as stored: one kind of line ending (a browser's textarea sends CRLF), no blank edges."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _apply_task_texts(actor: Actor, plan: Plan, task_texts: dict[int, str]) -> bool:
    changed = False
    for task_id, text in task_texts.items():
        task = plan.tasks.filter(pk=task_id).first()
        if task is None:
            raise BusinessRuleError(_("That task is not part of this plan."), field="tasks")
        text = same_lines(text)
        if not text:
            raise BusinessRuleError(_("Write what is to be done."), field=f"task_{task_id}")
        if same_lines(task.text) != text:
            before = audit.snapshot(task, ["text"])
            task.text = text
            task.save(update_fields=["text", "updated_at"])
            audit.record_update(actor=actor, obj=task, before=before)
            changed = True
    return changed


def _apply_fields(actor: Actor, plan: Plan, fields: dict[str, Any]) -> dict[str, list[Any]]:
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise BusinessRuleError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    before = audit.snapshot(plan, PLAN_FIELDS)
    for name, value in fields.items():
        if isinstance(value, str) and same_lines(value) == same_lines(getattr(plan, name) or ""):
            continue  # the same text, whatever line endings the browser sent (a textarea posts CRLF)
        setattr(plan, name, same_lines(value) if isinstance(value, str) else value)
    _check_period(plan.period_start, plan.period_end)
    plan.save()
    audit.record_update(actor=actor, obj=plan, before=before)
    return audit.changes_between(before, audit.snapshot(plan, PLAN_FIELDS))


@write_service
@transaction.atomic
def approve_plan(*, actor: Actor, plan: Plan) -> Plan:
    """The agency head approves (核定) a draft; the plan as approved is version 1."""
    _require(actor, policies.plans, "plans.approve", plan)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status not in policies.STEPS["approve"].start:
        raise BusinessRuleError(_("Only a draft can be approved."), field="status")
    before = audit.snapshot(plan, ["status", "approved_by_id", "approved_at"])
    plan.status = Plan.Status.APPROVED
    plan.approved_by = actor.user
    plan.approved_at = timezone.now()
    plan.version = 1
    plan.save()
    amendments.first_version(actor=actor, plan=plan)
    audit.record_update(actor=actor, obj=plan, before=before)
    return plan


def _transition(actor: Actor, plan: Plan, step: str, to: str) -> Plan:
    _require(actor, policies.plans, policies.STEPS[step].action, plan)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status not in policies.STEPS[step].start:
        raise BusinessRuleError(_("The plan cannot go from this status to that one."), field="status")
    before = audit.snapshot(plan, ["status"])
    plan.status = to
    plan.save(update_fields=["status", "updated_at"])
    audit.record_update(actor=actor, obj=plan, before=before)
    return plan


@write_service
@transaction.atomic
def activate_plan(*, actor: Actor, plan: Plan) -> Plan:
    return _transition(actor, plan, "activate", Plan.Status.ACTIVE)


@write_service
@transaction.atomic
def close_plan(*, actor: Actor, plan: Plan) -> Plan:
    return _transition(actor, plan, "close", Plan.Status.CLOSED)


@write_service
@transaction.atomic
def amend_plan(
    *,
    actor: Actor,
    plan: Plan,
    reason: str,
    fields: dict[str, Any] | None = None,
    task_texts: dict[int, str] | None = None,
    new_tasks: list[dict[str, Any]] | None = None,
    remove: list[int] | None = None,
) -> PlanVersion:
    """如有未盡事宜得隨時修正: change an approved or active plan — its sections, the wording of its tasks, new
    tasks ({"parent", "number", "text", "responsible_units", ...}), tasks removed (ids; a task with progress or
    evidence is kept) — as a new version with the reason, who and when; every change is in the audit log."""
    _require(actor, policies.plans, "plans.manage", plan)
    plan = amendments.lock(plan)
    if not plan.is_live:
        raise BusinessRuleError(_("Only an approved or active plan is amended; edit a draft directly."))
    amendments.needs_version(plan, reason)
    changed = bool(_apply_fields(actor, plan, fields or {}))
    changed = _remove_then_reword(actor, plan, remove or [], task_texts or {}) or changed
    for new in new_tasks or []:
        create_task(actor=actor, plan=plan, **new)
        changed = True
    if not changed:
        raise BusinessRuleError(_("Nothing was changed."))
    return amendments.new_version(actor=actor, plan=plan, reason=reason)


def _shift_years(moment: datetime, years: int) -> datetime:
    value = local(moment)
    try:
        return value.replace(year=value.year + years)
    except ValueError:  # 29 February
        return value.replace(year=value.year + years, day=28)


def _next_title(title: str, start: datetime, years: int) -> str:
    old = local(start).year - ROC_OFFSET
    return re.sub(rf"(?<!\d){old}(?=\s*年)", str(old + years), title)


@write_service
@transaction.atomic
def clone_plan(*, actor: Actor, plan: Plan, years: int = 1, title: str = "") -> Plan:
    """Next year's plan from this one (e.g. 104年春安 from 103年): dates shifted, tasks reset, a draft."""
    _require(actor, policies.plans, "plans.manage", plan)
    clone = create_plan(
        actor=actor,
        agency=plan.agency,
        owning_unit=plan.owning_unit,
        title=title or _next_title(plan.title, plan.period_start, years),
        period_start=_shift_years(plan.period_start, years),
        period_end=_shift_years(plan.period_end, years),
        basis=list(plan.basis),
        purpose=plan.purpose,
        missions=list(plan.missions),
        coordination=plan.coordination,
    )
    clone.cloned_from = plan
    clone.save(update_fields=["cloned_from"])
    mapping: dict[int, Task] = {}
    for task in _tree_order(plan):
        copy = Task.objects.create(
            plan=clone,
            parent=mapping.get(task.parent_id) if task.parent_id else None,
            number=task.number,
            text=task.text,
            position=task.position,
            due_at=_shift_years(task.due_at, years) if task.due_at else None,
            recurrence=task.recurrence,
        )
        copy.responsible_units.set(task.responsible_units.all())
        copy.cooperating_units.set(task.cooperating_units.all())
        mapping[task.pk] = copy
    for contact in plan.contacts.all():
        PlanContact.objects.create(
            plan=clone,
            position=contact.position,
            name=contact.name,
            title=contact.title,
            person=contact.person,
            organisation=contact.organisation,
            phones=contact.phones,
            note=contact.note,
        )
    audit.record(actor=actor, action="clone", obj=clone, changes={"from": plan.pk, "tasks": len(mapping)})
    return clone


def _tree_order(plan: Plan) -> list[Task]:
    """Tasks parents-first in the plan's order."""
    by_parent: dict[int | None, list[Task]] = {}
    for task in plan.tasks.order_by("position", "pk"):
        by_parent.setdefault(task.parent_id, []).append(task)
    ordered: list[Task] = []

    def walk(parent: int | None) -> None:
        for task in by_parent.get(parent, []):
            ordered.append(task)
            walk(task.pk)

    walk(None)
    return ordered


# --- import --------------------------------------------------------------------------------------------------


@write_service
@transaction.atomic
def create_plan_from_outline(
    *, actor: Actor, agency: Agency, outline: dict[str, Any], owning_unit: Unit | None = None
) -> Plan:
    """A draft plan from an imported document's outline (the JSON of `import-plan --json`): 依據/目的/任務/協調配合
    become the plan's sections, the 執行 items its task tree (units named in a task's text are matched to the
    agency's units; 協請 marks cooperating units), and 通信聯絡 its contact list."""
    mapped = outline_mapping.read(outline)
    plan = create_plan(
        actor=actor,
        agency=agency,
        owning_unit=owning_unit,
        title=mapped.title,
        period_start=mapped.period_start,
        period_end=mapped.period_end,
        basis=mapped.basis,
        purpose=mapped.purpose,
        missions=mapped.missions,
        coordination=mapped.coordination,
    )
    units = list(Unit.objects.filter(agency=agency, active=True))

    def add(items: list[dict[str, Any]], parent: Task | None) -> None:
        for position, item in enumerate(items, start=1):
            text = str(item.get("text") or "").strip()
            responsible, cooperating = outline_mapping.units_in(text, units, plan.owning_unit)
            task = add_task(
                actor=actor,
                plan=plan,
                parent=parent,
                number=str(item.get("number") or ""),
                text=text or str(item.get("number") or "—"),
                responsible_units=responsible,
                cooperating_units=cooperating,
                recurrence=outline_mapping.recurrence_in(text),
                position=position,
            )
            add(item.get("children") or [], task)

    add(mapped.tasks, None)
    people = list(Person.objects.filter(agency=agency, active=True))
    for contact in mapped.contacts:
        add_contact(
            actor=actor,
            plan=plan,
            name=contact["name"] or contact.get("title") or "—",
            title=contact.get("title", ""),
            phones=contact.get("phones") or [],
            person=outline_mapping.person_named(contact["name"], people),
        )
    return plan


def start_due_plans(at: datetime | None = None) -> list[Plan]:
    """Put into effect every approved plan whose period has begun (the system acts; each change is audited)."""
    at = at or timezone.now()
    due = Plan.objects.filter(status=Plan.Status.APPROVED, period_start__lte=at, period_end__gt=at)
    return [activate_plan(actor=Actor.system("plans.start_due_plans"), plan=plan) for plan in due]


@write_service
@transaction.atomic
def record_export(*, actor: Actor, what: str, plan: Plan | None = None, filters: dict[str, Any] | None = None) -> None:
    """A download of a list (CSV) on the audit log: which list, of which plan, with which filters."""
    changes: dict[str, Any] = {"list": what, **({"filters": filters} if filters else {})}
    if plan is not None:
        audit.record(actor=actor, action="export", obj=plan, changes=changes)
    else:
        audit.record(actor=actor, action="export", object_type="plans.plan", changes=changes)
