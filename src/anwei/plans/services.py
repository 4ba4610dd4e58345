"""Writes for plans, each in one transaction with its audit entry: creating a plan (by hand, from an imported
outline or by cloning last year's), its lifecycle draft → approved (核定, by the agency head) → active → closed,
amendments as versions, tasks and their progress, evidence and the contact list. `actor=None` is the system
(demo data, management commands); every other actor is checked against the policies."""

import re
from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.audit import services as audit
from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.core.rocdate import ROC_OFFSET, local
from anwei.directory.models import Agency, Person, Unit

from . import outline as outline_mapping
from . import policies, versions
from .models import Evidence, Plan, PlanContact, PlanVersion, ProgressNote, Task

PLAN_FIELDS = ["title", "basis", "purpose", "missions", "coordination", "period_start", "period_end"]
TASK_FIELDS = ["number", "text", "due_at", "recurrence", "status"]
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024


def _require(actor: Any, policy: Any, action: str, obj: Any = None) -> None:
    if actor is not None and not policy.can(actor, action, obj):
        raise NotAllowed()


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


@transaction.atomic
def create_plan(
    *,
    actor: Any,
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


@transaction.atomic
def update_draft(
    *,
    actor: Any,
    plan: Plan,
    task_texts: dict[int, str] | None = None,
    new_tasks: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> Plan:
    """Change a plan that is still a draft; an approved plan changes only by amendment."""
    _require(actor, policies.plans, "plans.manage", plan)
    if plan.status != Plan.Status.DRAFT:
        raise BusinessRuleError(_("An approved plan is changed by an amendment, with a reason."))
    _apply_fields(actor, plan, fields)
    _apply_task_texts(actor, plan, task_texts or {})
    for new in new_tasks or []:
        _create_task(actor=actor, plan=plan, **new)
    return plan


def _apply_task_texts(actor: Any, plan: Plan, task_texts: dict[int, str]) -> bool:
    changed = False
    for task_id, text in task_texts.items():
        task = plan.tasks.filter(pk=task_id).first()
        if task is None:
            raise BusinessRuleError(_("That task is not part of this plan."), field="tasks")
        if not text.strip():
            raise BusinessRuleError(_("Write what is to be done."), field=f"task_{task_id}")
        if task.text != text.strip():
            before = audit.snapshot(task, ["text"])
            task.text = text.strip()
            task.save(update_fields=["text", "updated_at"])
            audit.record_update(actor=actor, obj=task, before=before)
            changed = True
    return changed


def _apply_fields(actor: Any, plan: Plan, fields: dict[str, Any]) -> dict[str, list[Any]]:
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise BusinessRuleError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    before = audit.snapshot(plan, PLAN_FIELDS)
    for name, value in fields.items():
        setattr(plan, name, value)
    _check_period(plan.period_start, plan.period_end)
    plan.save()
    audit.record_update(actor=actor, obj=plan, before=before)
    return audit.changes_between(before, audit.snapshot(plan, PLAN_FIELDS))


@transaction.atomic
def approve_plan(*, actor: Any, plan: Plan) -> Plan:
    """The agency head approves (核定) a draft; the plan as approved is version 1."""
    _require(actor, policies.plans, "plans.approve", plan)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != Plan.Status.DRAFT:
        raise BusinessRuleError(_("Only a draft can be approved."), field="status")
    before = audit.snapshot(plan, ["status", "approved_by_id", "approved_at"])
    plan.status = Plan.Status.APPROVED
    plan.approved_by = actor if getattr(actor, "is_authenticated", False) else None
    plan.approved_at = timezone.now()
    plan.version = 1
    plan.save()
    PlanVersion.objects.create(
        plan=plan, number=1, content=versions.snapshot(plan), reason=_("Approved"), created_by=plan.approved_by
    )
    audit.record_update(actor=actor, obj=plan, before=before)
    return plan


def _transition(actor: Any, plan: Plan, allowed: tuple[str, ...], to: str) -> Plan:
    _require(actor, policies.plans, "plans.manage", plan)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status not in allowed:
        raise BusinessRuleError(_("The plan cannot go from this status to that one."), field="status")
    before = audit.snapshot(plan, ["status"])
    plan.status = to
    plan.save(update_fields=["status", "updated_at"])
    audit.record_update(actor=actor, obj=plan, before=before)
    return plan


@transaction.atomic
def activate_plan(*, actor: Any, plan: Plan) -> Plan:
    return _transition(actor, plan, (Plan.Status.APPROVED,), Plan.Status.ACTIVE)


@transaction.atomic
def close_plan(*, actor: Any, plan: Plan) -> Plan:
    return _transition(actor, plan, (Plan.Status.APPROVED, Plan.Status.ACTIVE), Plan.Status.CLOSED)


@transaction.atomic
def amend_plan(
    *,
    actor: Any,
    plan: Plan,
    reason: str,
    fields: dict[str, Any] | None = None,
    task_texts: dict[int, str] | None = None,
    new_tasks: list[dict[str, Any]] | None = None,
) -> PlanVersion:
    """如有未盡事宜得隨時修正: change an approved or active plan — its sections, the wording of its tasks, new
    tasks ({"parent", "number", "text", "responsible_units", ...}) — as a new version with the reason, who and
    when; every change is in the audit log."""
    _require(actor, policies.plans, "plans.manage", plan)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if not plan.is_live:
        raise BusinessRuleError(_("Only an approved or active plan is amended; edit a draft directly."))
    if not reason.strip():
        raise BusinessRuleError(_("Say why the plan is amended."), field="reason")
    changed = bool(_apply_fields(actor, plan, fields or {}))
    changed = _apply_task_texts(actor, plan, task_texts or {}) or changed
    for new in new_tasks or []:
        _create_task(actor=actor, plan=plan, **new)
        changed = True
    if not changed:
        raise BusinessRuleError(_("Nothing was changed."))
    plan.version += 1
    plan.save(update_fields=["version", "updated_at"])
    who = actor if getattr(actor, "is_authenticated", False) else None
    version = PlanVersion.objects.create(
        plan=plan, number=plan.version, content=versions.snapshot(plan), reason=reason.strip(), created_by=who
    )
    audit.record(actor=actor, action="amend", obj=plan, changes={"version": plan.version, "reason": reason.strip()})
    return version


def _shift_years(moment: datetime, years: int) -> datetime:
    value = local(moment)
    try:
        return value.replace(year=value.year + years)
    except ValueError:  # 29 February
        return value.replace(year=value.year + years, day=28)


def _next_title(title: str, start: datetime, years: int) -> str:
    old = local(start).year - ROC_OFFSET
    return re.sub(rf"(?<!\d){old}(?=\s*年)", str(old + years), title)


@transaction.atomic
def clone_plan(*, actor: Any, plan: Plan, years: int = 1, title: str = "") -> Plan:
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


# --- tasks ---------------------------------------------------------------------------------------------------


@transaction.atomic
def add_task(
    *,
    actor: Any,
    plan: Plan,
    text: str,
    number: str = "",
    parent: Task | None = None,
    responsible_units: list[Unit] | None = None,
    cooperating_units: list[Unit] | None = None,
    due_at: datetime | None = None,
    recurrence: str = "",
    position: int | None = None,
) -> Task:
    """A task of a draft plan; an approved plan gets new tasks by amendment."""
    _require(actor, policies.plans, "plans.manage", plan)
    if plan.status != Plan.Status.DRAFT:
        raise BusinessRuleError(_("An approved plan is changed by an amendment, with a reason."))
    return _create_task(
        actor=actor,
        plan=plan,
        text=text,
        number=number,
        parent=parent,
        responsible_units=responsible_units,
        cooperating_units=cooperating_units,
        due_at=due_at,
        recurrence=recurrence,
        position=position,
    )


def _create_task(
    *,
    actor: Any,
    plan: Plan,
    text: str,
    number: str = "",
    parent: Task | None = None,
    responsible_units: list[Unit] | None = None,
    cooperating_units: list[Unit] | None = None,
    due_at: datetime | None = None,
    recurrence: str = "",
    position: int | None = None,
) -> Task:
    if parent is not None and parent.plan_id != plan.pk:
        raise BusinessRuleError(_("The parent task belongs to another plan."), field="parent")
    for unit in [*(responsible_units or []), *(cooperating_units or [])]:
        if unit.agency_id != plan.agency_id:
            raise BusinessRuleError(_("The unit belongs to another agency."), field="responsible_units")
    if not text.strip():
        raise BusinessRuleError(_("Write what is to be done."), field="text")
    if position is None:
        position = Task.objects.filter(plan=plan, parent=parent).count() + 1
    task = Task.objects.create(
        plan=plan,
        parent=parent,
        number=number.strip(),
        text=text.strip(),
        due_at=due_at,
        recurrence=recurrence,
        position=position,
    )
    task.responsible_units.set(responsible_units or [])
    task.cooperating_units.set(cooperating_units or [])
    audit.record_create(actor=actor, obj=task)
    return task


@transaction.atomic
def set_task_units(
    *, actor: Any, task: Task, responsible_units: list[Unit], cooperating_units: list[Unit] | None = None
) -> Task:
    _require(actor, policies.plans, "plans.manage", task.plan)
    before = {
        "responsible_units": sorted(u.pk for u in task.responsible_units.all()),
        "cooperating_units": sorted(u.pk for u in task.cooperating_units.all()),
    }
    task.responsible_units.set(responsible_units)
    task.cooperating_units.set(cooperating_units or [])
    after = {
        "responsible_units": sorted(u.pk for u in responsible_units),
        "cooperating_units": sorted(u.pk for u in cooperating_units or []),
    }
    diff = audit.changes_between(before, after)
    if diff:
        audit.record(actor=actor, action="update", obj=task, changes=diff)
    return task


@transaction.atomic
def schedule_task(*, actor: Any, task: Task, due_at: datetime | None, recurrence: str = "") -> Task:
    """Set when a task is due and whether it recurs (e.g. daily during the holidays)."""
    _require(actor, policies.plans, "plans.manage", task.plan)
    if recurrence not in Task.Recurrence.values:
        raise BusinessRuleError(_("Choose how often the task recurs."), field="recurrence")
    before = audit.snapshot(task, ["due_at", "recurrence"])
    task.due_at, task.recurrence = due_at, recurrence
    task.save(update_fields=["due_at", "recurrence", "updated_at"])
    audit.record_update(actor=actor, obj=task, before=before)
    return task


@transaction.atomic
def update_task(
    *,
    actor: Any,
    task: Task,
    status: str,
    note: str = "",
    due_at: datetime | str | None = "keep",
    recurrence: str | None = None,
) -> ProgressNote:
    """A unit reports progress on its task: the new status, what was done, optionally the due date."""
    _require(actor, policies.tasks, "plans.task_update", task)
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.plan.status == Plan.Status.CLOSED:
        raise BusinessRuleError(_("The plan is closed."))
    if status not in Task.Status.values:
        raise BusinessRuleError(_("Choose a status."), field="status")
    before = audit.snapshot(task, ["status", "due_at", "recurrence"])
    task.status = status
    if due_at != "keep":
        task.due_at = due_at  # type: ignore[assignment]
    if recurrence is not None:
        task.recurrence = recurrence
    task.save()
    author = actor if getattr(actor, "is_authenticated", False) else None
    progress = ProgressNote.objects.create(task=task, author=author, text=note.strip(), status=status)
    entry = audit.record_update(actor=actor, obj=task, before=before)
    if entry is None and note.strip():
        audit.record(actor=actor, action="update", obj=task, changes={"note": note.strip()[:500]})
    return progress


@transaction.atomic
def add_evidence(*, actor: Any, task: Task, upload: UploadedFile) -> Evidence:
    _require(actor, policies.tasks, "plans.task_update", task)
    if not upload.size:
        raise BusinessRuleError(_("The file is empty."), field="file")
    if upload.size > MAX_EVIDENCE_BYTES:
        raise BusinessRuleError(_("The file is larger than 20 MB."), field="file")
    name = (upload.name or "evidence")[-200:]
    evidence = Evidence.objects.create(
        task=task,
        file=upload,
        name=name,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(actor=actor, action="create", obj=evidence, changes={"task": task.pk, "name": name})
    return evidence


# --- contacts ------------------------------------------------------------------------------------------------


@transaction.atomic
def add_contact(
    *,
    actor: Any,
    plan: Plan,
    name: str,
    title: str = "",
    phones: list[dict[str, str]] | None = None,
    person: Person | None = None,
    organisation: Any = None,
    note: str = "",
) -> PlanContact:
    _require(actor, policies.plans, "plans.manage", plan)
    for linked, field in ((person, "person"), (organisation, "organisation")):
        if linked is not None and linked.agency_id != plan.agency_id:
            raise BusinessRuleError(_("This belongs to another agency."), field=field)
    contact = PlanContact.objects.create(
        plan=plan,
        position=plan.contacts.count() + 1,
        name=name.strip() or (person.name if person else ""),
        title=title,
        person=person,
        organisation=organisation,
        phones=[_clean_phone(p) for p in phones or []],
        note=note,
    )
    audit.record_create(actor=actor, obj=contact)
    return contact


@transaction.atomic
def remove_contact(*, actor: Any, contact: PlanContact) -> None:
    _require(actor, policies.plans, "plans.manage", contact.plan)
    audit.record(actor=actor, action="delete", obj=contact, changes={"name": contact.name})
    contact.delete()


def _clean_phone(phone: dict[str, Any]) -> dict[str, str]:
    return {
        "kind": str(phone.get("kind") or "office"),
        "number": str(phone.get("number") or "").strip(),
        "ext": str(phone.get("ext") or "").strip(),
    }


# --- import --------------------------------------------------------------------------------------------------


@transaction.atomic
def create_plan_from_outline(
    *, actor: Any, agency: Agency, outline: dict[str, Any], owning_unit: Unit | None = None
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
    return [activate_plan(actor=None, plan=plan) for plan in due]
