"""API for plans, their tasks, the roster ("who is on duty now") and the contact list."""

from datetime import datetime

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from anwei.accounts.actor import actor_of
from anwei.core.errors import NotAllowed
from anwei.core.pagination import Paginated
from anwei.core.schema import IsoDateTime
from anwei.directory.models import Agency, DutyShift
from anwei.directory.policies import agency_ids

from . import policies, selectors, services
from .models import Plan, Task

router = Router(tags=["plans"])


class PlanOut(Schema):
    id: int
    agency_id: int
    owning_unit_id: int
    title: str
    status: str
    version: int
    period_start: datetime
    period_end: datetime
    basis: list[str]
    purpose: str
    missions: list[str]
    coordination: str
    approved_at: IsoDateTime | None


class TaskOut(Schema):
    id: int
    plan_id: int
    parent_id: int | None
    number: str
    text: str
    position: int
    status: str
    due_at: IsoDateTime | None
    recurrence: str
    responsible_unit_ids: list[int]
    cooperating_unit_ids: list[int]

    @staticmethod
    def resolve_responsible_unit_ids(obj: Task) -> list[int]:
        return [u.pk for u in obj.responsible_units.all()]

    @staticmethod
    def resolve_cooperating_unit_ids(obj: Task) -> list[int]:
        return [u.pk for u in obj.cooperating_units.all()]


class TaskUpdateIn(Schema):
    model_config = {"extra": "forbid"}

    status: Task.Status
    note: str = ""


class NoteOut(Schema):
    id: int
    task_id: int
    status: str
    text: str
    created_at: datetime


class PhoneOut(Schema):
    kind: str
    number: str
    ext: str
    href: str


class ContactOut(Schema):
    name: str
    title: str
    where: str
    person_id: int | None
    organisation_id: int | None
    phones: list[PhoneOut]


class PersonRef(Schema):
    id: int
    name: str
    title: str
    mobile: str


class OnDutyOut(Schema):
    kind: str
    at: datetime
    person: PersonRef | None
    is_substitute: bool
    shift_id: int | None
    shift_starts_at: IsoDateTime | None
    shift_ends_at: IsoDateTime | None


class ShiftOut(Schema):
    id: int
    kind: str
    starts_at: datetime
    ends_at: datetime
    person_id: int | None
    substitute_id: int | None
    primary_unavailable: bool
    handover_note: str

    @staticmethod
    def resolve_kind(obj: DutyShift) -> str:
        return obj.kind.code


def _plan(request: HttpRequest, plan_id: int) -> Plan:
    found: Plan = policies.plans.get_visible(request.user, plan_id)
    return found


@router.get("/plans", response=list[PlanOut])
@paginate(Paginated)
# the ignore below: ninja serialises what this returns by the route's response schema
def list_plans(request: HttpRequest, status: str = ""):  # type: ignore[no-untyped-def]
    return selectors.plans_for(request.user, status=status if status in Plan.Status.values else "")


@router.get("/plans/active", response=PlanOut)
def get_active_plan(request: HttpRequest, agency_id: int | None = None) -> Plan:
    """The active plan of your agency (or of `agency_id`, if you hold a role there)."""
    ids = agency_ids(request.user)
    agency = agency_id if agency_id in ids else getattr(request.user, "agency_id", None)
    if agency not in ids:
        agency = min(ids) if ids else None
    plan = selectors.active_plan(agency) if agency else None
    if plan is None:
        raise Http404
    return plan


@router.get("/plans/{plan_id}", response=PlanOut)
def get_plan(request: HttpRequest, plan_id: int) -> Plan:
    return _plan(request, plan_id)


@router.get("/plans/{plan_id}/tasks", response=list[TaskOut])
@paginate(Paginated)
# the ignore below: ninja serialises what this returns by the route's response schema
def list_tasks(request: HttpRequest, plan_id: int):  # type: ignore[no-untyped-def]
    """The tasks of the plan that you may see (those of your units; all of them for ethics officers)."""
    plan = _plan(request, plan_id)
    return policies.tasks.visible(request.user, plan.tasks.all()).prefetch_related(
        "responsible_units", "cooperating_units"
    )


@router.get("/tasks/{task_id}", response=TaskOut)
def get_task(request: HttpRequest, task_id: int) -> Task:
    found: Task = policies.tasks.get_visible(request.user, task_id)
    return found


@router.post("/tasks/{task_id}/progress", response={201: NoteOut})
# the ignore below: ninja serialises what this returns by the route's response schema
def report_progress(request: HttpRequest, task_id: int, payload: TaskUpdateIn):  # type: ignore[no-untyped-def]
    task = policies.tasks.get_visible(request.user, task_id)
    if not policies.tasks.can(request.user, "plans.task_update", task):
        raise NotAllowed()
    note = services.update_task(actor=actor_of(request), task=task, status=payload.status, note=payload.note)
    return Status(201, note)


@router.get("/plans/{plan_id}/contacts", response=list[ContactOut])
@paginate(Paginated)
# the ignore below: ninja serialises what this returns by the route's response schema
def list_contacts(request: HttpRequest, plan_id: int):  # type: ignore[no-untyped-def]
    plan = _plan(request, plan_id)
    return [
        {
            "name": line.name,
            "title": line.title,
            "where": line.where,
            "person_id": line.person.pk if line.person else None,
            "organisation_id": line.organisation.pk if line.organisation else None,
            "phones": [{"kind": p.kind, "number": p.number, "ext": p.ext, "href": p.href} for p in line.phones],
        }
        for line in selectors.contact_sheet(plan)
    ]


@router.get("/plans/{plan_id}/roster", response=list[ShiftOut])
@paginate(Paginated)
# the ignore below: ninja serialises what this returns by the route's response schema
def list_roster(request: HttpRequest, plan_id: int, kind: str = ""):  # type: ignore[no-untyped-def]
    plan = _plan(request, plan_id)
    shifts = selectors.roster(plan)
    return shifts.filter(kind__code=kind) if kind else shifts


@router.get("/duty/{kind_code}/now", response=OnDutyOut)
# the ignore below: ninja serialises what this returns by the route's response schema
def on_duty_now(request: HttpRequest, kind_code: str, agency_id: int | None = None, at: IsoDateTime | None = None):  # type: ignore[no-untyped-def]
    """Who is on duty for a duty kind now (or at `at`): the roster's person, or the substitute when the person is
    unavailable; `person` is null when nobody is (a gap)."""
    ids = agency_ids(request.user)
    if not ids:
        raise NotAllowed()
    chosen = agency_id if agency_id is not None else getattr(request.user, "agency_id", None) or min(ids)
    if chosen not in ids:
        raise Http404
    agency = Agency.objects.get(pk=chosen)
    if not agency.duty_kinds.filter(code=kind_code).exists():
        raise Http404
    moment = at or timezone.now()
    answer = selectors.on_duty(agency, kind_code, moment)
    person = answer.person
    return {
        "kind": kind_code,
        "at": moment,
        "person": {"id": person.pk, "name": person.name, "title": person.title, "mobile": person.mobile}
        if person
        else None,
        "is_substitute": answer.is_substitute,
        "shift_id": answer.shift.pk if answer.shift else None,
        "shift_starts_at": answer.shift.starts_at if answer.shift else None,
        "shift_ends_at": answer.shift.ends_at if answer.shift else None,
    }
