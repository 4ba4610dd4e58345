"""JSON API for the tasks a report gives to a unit: read one and answer it (and mark it done) — the same service
and checks as the task page (unit_tasks.answer_task). Only the task and the report's reference: the report itself
stays with those who may see it."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema

from anwei.accounts.actor import actor_of

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


@router.get("/{task_id}", response=IncidentTaskOut)
def get_task(request: HttpRequest, task_id: int) -> IncidentTask:
    """A task of the caller's unit (or of a report the caller handles)."""
    return policies.tasks.get_workable(actor_of(request), task_id)


@router.post("/{task_id}/answer", response=IncidentTaskOut)
def answer_task(request: HttpRequest, task_id: int, payload: TaskAnswerIn) -> IncidentTask:
    """The unit's answer (a short text), and `done: true` to mark the task done."""
    return services.answer_task(actor=actor_of(request), task_id=task_id, answer=payload.answer, done=payload.done)
