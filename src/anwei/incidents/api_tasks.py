"""JSON API for the tasks a report gives to a unit: read one and answer it (and mark it done) — the same service
and checks as the task page (unit_tasks.answer_task). Only the task and the report's reference: the report itself
stays with those who may see it."""

from datetime import datetime

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from . import policies, services
from .models import IncidentTask

router = Router(tags=["incidents"])


class IncidentTaskOut(Schema):
    id: int
    incident_id: int
    reference: str = Field(alias="incident.reference")
    unit: str | None = Field(None, alias="unit.name")
    title: str
    due_at: datetime | None
    served_via: str = Field(description="unit, supervisor (the supervisor above the unit) or proxy (由政風室代轉)")
    answer: str
    answered_at: datetime | None
    done_at: datetime | None


class TaskAnswerIn(Schema):
    answer: str = Field("", max_length=1000)
    done: bool = False


def _load(request: HttpRequest, task_id: int) -> IncidentTask:
    task = IncidentTask.objects.select_related("incident__unit", "unit").filter(pk=task_id).first()
    if task is None or not policies.tasks.can_work(request.user, task):
        raise Http404
    return task


@router.get("/{task_id}", response=IncidentTaskOut)
def get_task(request: HttpRequest, task_id: int) -> IncidentTask:
    """A task of the caller's unit (or of a report the caller handles)."""
    return _load(request, task_id)


@router.post("/{task_id}/answer", response=IncidentTaskOut)
def answer_task(request: HttpRequest, task_id: int, payload: TaskAnswerIn) -> IncidentTask:
    """The unit's answer (a short text), and `done: true` to mark the task done."""
    task = _load(request, task_id)
    return services.answer_task(actor=request.user, task=task, answer=payload.answer, done=payload.done)
