"""Writes for a plan's tasks, each in one transaction with its audit entry: what the ethics office plans (a task's
units, due date and recurrence — a new version when the plan is approved, see amendments.py), what the units
report (progress, a recurring task's day done, evidence files)."""

from datetime import date, datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, write_service
from anwei.audit import services as audit
from anwei.core.errors import BusinessRuleError
from anwei.core.uploads import inspect_upload
from anwei.directory.models import Unit

from .. import policies, recurrence
from ..models import Evidence, OccurrenceReport, Plan, ProgressNote, Task
from . import amendments

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
# what evidence is (佐證資料): scans and photos, office documents, plain text
EVIDENCE_KINDS = {"pdf", "png", "jpeg", "odt", "ods", "odp", "docx", "xlsx", "pptx", "text"}


@write_service
@transaction.atomic
def add_task(*, actor: Actor, plan: Plan, **fields: Any) -> Task:
    """A task of a draft plan (the fields of `create_task`); an approved plan gets new tasks by amendment."""
    policies.require(actor, policies.plans, "plans.manage", plan)
    if plan.status != Plan.Status.DRAFT:
        raise BusinessRuleError(_("An approved plan is changed by an amendment, with a reason."))
    return create_task(actor=actor, plan=plan, **fields)


def _check_units(plan: Plan, units: list[Unit]) -> None:
    for unit in units:
        if unit.agency_id != plan.agency_id:
            raise BusinessRuleError(_("The unit belongs to another agency."), field="responsible_units")


def _check_recurrence(value: str) -> None:
    if value not in Task.Recurrence.values:
        raise BusinessRuleError(_("Choose how often the task recurs."), field="recurrence")


@write_service
def create_task(
    *,
    actor: Actor,
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
    """The write itself, inside a service's transaction (add_task, an amendment, an import)."""
    if parent is not None and parent.plan_id != plan.pk:
        raise BusinessRuleError(_("The parent task belongs to another plan."), field="parent")
    _check_units(plan, [*(responsible_units or []), *(cooperating_units or [])])
    _check_recurrence(recurrence)
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


@write_service
def remove_tasks(*, actor: Actor, plan: Plan, task_ids: list[int]) -> bool:
    """Remove tasks (and the items under them) from the plan, inside an amendment or a draft edit. A task with
    progress reports or evidence is kept: its record stays, and it is marked not applicable instead."""
    changed = False
    for task_id in task_ids:
        task = plan.tasks.filter(pk=task_id).first()
        if task is None:
            continue  # already gone with a removed parent
        family = [task.pk, *_descendants(task)]
        records = (ProgressNote, Evidence, OccurrenceReport)
        if any(model.objects.filter(task__in=family).exists() for model in records):
            raise BusinessRuleError(
                _("%(task)s has progress reports or evidence: mark it not applicable instead of removing it.")
                % {"task": task.number or task.text[:20]},
                field="remove_tasks",
            )
        audit.record(
            actor=actor,
            action="delete",
            obj=task,
            changes={"number": task.number, "text": task.text, "with": len(family) - 1},
        )
        task.delete()
        changed = True
    return changed


def _descendants(task: Task) -> list[int]:
    out: list[int] = []
    level = [task.pk]
    while level:
        level = list(Task.objects.filter(parent__in=level).values_list("pk", flat=True))
        out.extend(level)
    return out


def _set_units(actor: Actor, task: Task, responsible: list[Unit], cooperating: list[Unit]) -> bool:
    _check_units(task.plan, [*responsible, *cooperating])
    before = {
        "responsible_units": sorted(u.pk for u in task.responsible_units.all()),
        "cooperating_units": sorted(u.pk for u in task.cooperating_units.all()),
    }
    after = {
        "responsible_units": sorted(u.pk for u in responsible),
        "cooperating_units": sorted(u.pk for u in cooperating),
    }
    diff = audit.changes_between(before, after)
    if not diff:
        return False
    task.responsible_units.set(responsible)
    task.cooperating_units.set(cooperating)
    task.save(update_fields=["updated_at"])
    audit.record(actor=actor, action="update", obj=task, changes=diff)
    return True


def _schedule(actor: Actor, task: Task, due_at: datetime | None, recurrence: str) -> bool:
    _check_recurrence(recurrence)
    before = audit.snapshot(task, ["due_at", "recurrence"])
    task.due_at, task.recurrence = due_at, recurrence
    task.save(update_fields=["due_at", "recurrence", "updated_at"])
    return audit.record_update(actor=actor, obj=task, before=before) is not None


def _planned(actor: Actor, task: Task, reason: str, change: Any) -> Task:
    """Run `change(task) -> changed?` on a task of a plan the actor manages; a new version when the plan is live."""
    policies.require(actor, policies.plans, "plans.manage", task.plan)
    plan = amendments.lock(task.plan)
    versioned = amendments.needs_version(plan, reason)
    task = Task.objects.select_related("plan").get(pk=task.pk)
    changed = change(task)
    if versioned:
        if not changed:
            raise BusinessRuleError(_("Nothing was changed."))
        amendments.new_version(actor=actor, plan=plan, reason=reason)
    return task


@write_service
@transaction.atomic
def set_task_units(
    *,
    actor: Actor,
    task: Task,
    responsible_units: list[Unit],
    cooperating_units: list[Unit] | None = None,
    reason: str = "",
) -> Task:
    return _planned(
        actor, task, reason, lambda t: _set_units(actor, t, list(responsible_units), list(cooperating_units or []))
    )


@write_service
@transaction.atomic
def schedule_task(*, actor: Actor, task: Task, due_at: datetime | None, recurrence: str = "", reason: str = "") -> Task:
    """Set when a task is due and whether it recurs (e.g. daily during the holidays)."""
    return _planned(actor, task, reason, lambda t: _schedule(actor, t, due_at, recurrence))


@write_service
@transaction.atomic
def replan_task(
    *,
    actor: Actor,
    task: Task,
    responsible_units: list[Unit],
    cooperating_units: list[Unit],
    due_at: datetime | None,
    recurrence: str,
    reason: str = "",
) -> Task:
    """Units, due date and recurrence of a task at once (the task page's form): one version for the lot."""

    def change(t: Task) -> bool:
        units = _set_units(actor, t, list(responsible_units), list(cooperating_units))
        return _schedule(actor, t, due_at, recurrence) or units

    return _planned(actor, task, reason, change)


@write_service
@transaction.atomic
def update_task(*, actor: Actor, task: Task, status: str, note: str = "") -> ProgressNote:
    """A unit reports progress on its task: the new status and what was done (辦理情形)."""
    policies.require(actor, policies.tasks, "plans.task_update", task)
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.plan.status == Plan.Status.CLOSED:
        raise BusinessRuleError(_("The plan is closed."))
    if status not in Task.Status.values:
        raise BusinessRuleError(_("Choose a status."), field="status")
    before = audit.snapshot(task, ["status"])
    previous = task.status
    task.status = status
    task.save()
    author = actor.user
    progress = ProgressNote.objects.create(
        task=task, author=author, text=note.strip(), status=status, previous_status=previous
    )
    entry = audit.record_update(actor=actor, obj=task, before=before)
    if entry is None and note.strip():
        audit.record(actor=actor, action="update", obj=task, changes={"note": note.strip()[:500]})
    return progress


@write_service
@transaction.atomic
def report_occurrence(
    *, actor: Actor, task: Task, day: date, note: str = "", at: datetime | None = None
) -> OccurrenceReport:
    """A recurring task was done on one of its days (the report may come late; it is dated when it is made)."""
    policies.require(actor, policies.tasks, "plans.task_update", task)
    task = Task.objects.select_for_update().select_related("plan").get(pk=task.pk)
    if task.plan.status == Plan.Status.CLOSED:
        raise BusinessRuleError(_("The plan is closed."))
    occurrence = recurrence.on_day(task, day)
    if occurrence is None:
        raise BusinessRuleError(_("The task is not due on that day."), field="day")
    if occurrence.starts_at > (at or timezone.now()):
        raise BusinessRuleError(_("That day has not begun yet."), field="day")
    if task.occurrence_reports.filter(day=day).exists():
        raise BusinessRuleError(_("That day was already reported."), field="day")
    report = OccurrenceReport.objects.create(
        task=task,
        day=day,
        note=note.strip(),
        author=actor.user,
    )
    audit.record_create(actor=actor, obj=report)
    return report


@write_service
@transaction.atomic
def add_evidence(*, actor: Actor, task: Task, upload: "UploadedFile[bytes]") -> Evidence:
    """An evidence file, judged by its content (anwei.core.uploads): of a kind evidence is, not a ZIP bomb, at most
    20 MB, stored under a safe name."""
    policies.require(actor, policies.tasks, "plans.task_update", task)
    inspected = inspect_upload(upload, allowed=EVIDENCE_KINDS, max_bytes=MAX_EVIDENCE_BYTES)
    name = inspected.name if inspected.name != "upload" else "evidence"
    upload.name = name
    evidence = Evidence.objects.create(
        task=task,
        file=upload,
        name=name,
        uploaded_by=actor.user,
    )
    audit.record(
        actor=actor,
        action="create",
        obj=evidence,
        changes={
            "task": task.pk,
            "name": name,
            "kind": inspected.kind,
            "size": inspected.size,
            "sha256": inspected.sha256,
        },
    )
    return evidence
