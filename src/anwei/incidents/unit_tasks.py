"""Tasks a report gives to a unit (press release, liquor check, …): assigned by the rules or by a handler, told
to whoever answers for the unit (accounts.selectors.who_serves: its people, else the supervisor above it, else the
ethics office as its proxy, marked so on the task), answered and marked done by them on the task page; the
handler sees the answer and the time done on the report's page and timeline. Each write in one transaction with
its audit entry."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, write_service
from anwei.accounts.selectors import Served, Via, who_serves
from anwei.audit import services as audit
from anwei.core import rocdate
from anwei.core.errors import BusinessRuleError
from anwei.directory.models import Unit
from anwei.notifications import services as notifications

from . import messages, policies, services
from .models import Incident, IncidentTask, TimelineEntry

ANSWER_MAX = 1000  # a task's answer: a short text


@write_service
@transaction.atomic
def assign_task(
    *, actor: Actor, incident_id: int, unit: Unit | None, title: str, due_at: datetime | None = None
) -> IncidentTask:
    """A handler gives a task to a unit of the report's agency."""
    incident = services.handled(actor, incident_id)
    return give_task(incident=incident, unit=unit, title=title, due_at=due_at, actor=actor)


def give_task(
    *, incident: Incident, unit: Unit | None, title: str, due_at: datetime | None = None, actor: Actor | None = None
) -> IncidentTask:
    """Write the task (the routing's, without an actor; or a handler's, checked by assign_task)."""
    title = (title or "").strip()
    if not title:
        raise BusinessRuleError(_("Describe the task."), field="title")
    if unit is not None and unit.agency_id != incident.agency_id:
        raise BusinessRuleError(_("The unit belongs to another agency."), field="unit")
    served = who_serves(unit) if unit is not None else None
    task = IncidentTask.objects.create(
        incident=incident, unit=unit, title=title[:200], due_at=due_at, served_via=served.via if served else ""
    )
    audit.record(actor=actor, action=audit.Action.CREATE, obj=task, object_repr=f"{incident.reference} {task.title}")
    data: dict[str, Any] = {"task": task.pk, "unit": str(unit) if unit else ""}
    text = task.title
    if served is not None and served.proxied:
        data["via"] = served.via
        text = f"{task.title}（{unit}，{served.via_label}）"
    services.timeline_entry(incident, TimelineEntry.Kind.TASK, actor, text, **data)
    if served is not None:
        _tell_unit(task, served)
    return task


def task_url(task: IncidentTask) -> str:
    return reverse("incidents:task_detail", args=[task.pk])


def _tell_unit(task: IncidentTask, served: Served) -> None:
    """Tell whoever answers for the task's unit (its people, else the supervisor above it, else the ethics office
    as its proxy — then the message says so). Only the task and the report's reference: the report itself stays
    with those who may see it."""
    incident, unit = task.incident, served.unit
    if served.via == Via.UNIT:
        subject = _("[%(ref)s] Task for your unit: %(task)s") % {"ref": incident.reference, "task": task.title}
    else:
        subject = _("[%(ref)s] Task for %(unit)s (%(via)s): %(task)s") % {
            "ref": incident.reference,
            "unit": unit.name,
            "via": served.via_label,
            "task": task.title,
        }
    due = _("Due %(when)s.") % {"when": rocdate.format_datetime(task.due_at)} if task.due_at else ""
    body = " ".join(part for part in [_("Open the task in Anwei to answer it and mark it done."), due] if part)
    if served.via == Via.PROXY:
        body += " " + _("%(unit)s has no one with an account: pass the task on to the unit and record its answer.") % {
            "unit": unit.name
        }
    if not served.users:
        nobody = _("No one to notify for: %(names)s") % {"names": unit.name}
        services.timeline_entry(incident, TimelineEntry.Kind.NOTE, None, nobody)
        return
    notifications.notify(
        people=served.users,
        subject=messages.drill_marked(incident, subject),
        body=messages.drill_marked(incident, body),
        source=incident,
        key=f"incident:{incident.pk}:task:{task.pk}",
        url=task_url(task),
    )


@write_service
@transaction.atomic
def answer_task(*, actor: Actor, task_id: int, answer: str, done: bool = False) -> IncidentTask:
    """The unit's answer (a short text), and optionally: done. By whoever answers for the unit or handles the
    report; the handler sees both on the report's page and timeline."""
    task = policies.tasks.get_workable(actor, task_id)
    task = IncidentTask.objects.select_for_update().get(pk=task.pk)
    answer = (answer or "").strip()
    if not answer and not done:
        raise BusinessRuleError(_("Write the answer."), field="answer")
    if len(answer) > ANSWER_MAX:
        raise BusinessRuleError(_("Keep the answer under %(n)s characters.") % {"n": ANSWER_MAX}, field="answer")
    if task.done_at is not None and answer:
        raise BusinessRuleError(_("This task is already done."))
    if answer:
        before = {"answer": task.answer}
        task.answer, task.answered_at, task.answered_by = answer, timezone.now(), actor.user
        task.save(update_fields=["answer", "answered_at", "answered_by"])
        audit.record(actor=actor, action=audit.Action.UPDATE, obj=task, changes={"answer": [before["answer"], answer]})
        services.timeline_entry(
            task.incident,
            TimelineEntry.Kind.NOTE,
            actor,
            _("Answer to task %(task)s: %(answer)s") % {"task": task.title, "answer": answer},
            task=task.pk,
        )
    if done:
        task = _complete(actor, task)
    return task


@write_service
@transaction.atomic
def complete_task(*, actor: Actor, task_id: int) -> IncidentTask:
    """Mark a task done: by whoever answers for the unit or handles the report."""
    return _complete(actor, policies.tasks.get_workable(actor, task_id))


def _complete(actor: Actor, task: IncidentTask) -> IncidentTask:
    if task.done_at is None:
        task.done_at, task.done_by = timezone.now(), actor.user
        task.save(update_fields=["done_at", "done_by"])
        audit.record(actor=actor, action=audit.Action.UPDATE, obj=task, changes={"done": [False, True]})
        services.timeline_entry(task.incident, TimelineEntry.Kind.TASK_DONE, actor, task.title, task=task.pk)
    return task
