"""JSON API for checklists, rounds, inspections, findings (with the leak flag) and corrective actions (same policies
and services as the pages)."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import StrictBool

from anwei.accounts.actor import actor_of
from anwei.core.errors import NotAllowed
from anwei.core.pagination import Paginated
from anwei.core.schema import IsoDate, IsoDateTime

from . import corrective, policies, selectors, services
from .models import ChecklistTemplate, CorrectiveAction, Finding, Inspection, Round

router = Router(tags=["inspections"])


class ChecklistItemOut(Schema):
    id: int
    order: int
    section: str
    question: str
    guidance: str
    answer_type: str
    severity: str
    minimum: Decimal | None


class TemplateOut(Schema):
    id: int
    code: str
    name: str
    description: str
    basis: str
    version: int | None = None
    items: list[ChecklistItemOut] = []

    @staticmethod
    def resolve_version(obj: ChecklistTemplate) -> int | None:
        current = obj.current
        return current.number if current else None

    @staticmethod
    def resolve_items(obj: ChecklistTemplate) -> list[Any]:
        current = obj.current
        return list(current.items.all()) if current else []


class RoundOut(Schema):
    id: int
    title: str
    plan_id: int
    unit_id: int
    template_id: int = Field(..., alias="version.template_id")
    version: int = Field(..., alias="version.number")
    starts_on: date
    ends_on: date
    recurrence: str
    dates: list[date]
    status: str
    done: int = 0
    total: int = 0


class RoundIn(Schema):
    model_config = {"extra": "forbid"}

    plan_id: int
    template_id: int
    unit_id: int
    title: str = Field(..., min_length=1, max_length=200)
    starts_on: date
    ends_on: date
    recurrence: str = Field("once", max_length=10)
    dates: list[date] = Field([], max_length=100)
    inspector_ids: list[int] = Field(..., min_length=1, max_length=50)
    joint_unit_ids: list[int] = Field([], max_length=50)
    target_ids: list[int] = Field([], max_length=2000)


class InspectionOut(Schema):
    id: int
    round_id: int
    target_id: int
    target_name: str = Field(..., alias="target.name")
    due_on: date
    status: str
    remarks: str
    saved_at: IsoDateTime | None
    submitted_at: IsoDateTime | None


class AnswerIn(Schema):
    model_config = {"extra": "forbid"}

    item_id: int
    choice: str = Field("", max_length=3)
    number: Decimal | None = None
    text: str = Field("", max_length=5000)
    note: str = Field("", max_length=500)


class AnswersIn(Schema):
    model_config = {"extra": "forbid"}

    answers: list[AnswerIn] = []
    remarks: str | None = Field(None, max_length=5000)


class FindingOut(Schema):
    id: int
    inspection_id: int
    round_id: int = Field(..., alias="inspection.round_id")
    unit_id: int
    unit_name: str = Field(..., alias="unit.name")
    question: str = Field(..., alias="item.question")
    severity: str
    description: str
    suggests_leak: bool
    leak_report_id: int | None
    action_id: int | None = None
    action_status: str | None = None
    created_at: IsoDateTime

    @staticmethod
    def resolve_action_id(obj: Finding) -> int | None:
        action = getattr(obj, "action", None)
        return action.pk if action else None

    @staticmethod
    def resolve_action_status(obj: Finding) -> str | None:
        action = getattr(obj, "action", None)
        return action.status if action else None


class LeakIn(Schema):
    model_config = {"extra": "forbid"}

    suspected: StrictBool


class ActionOut(Schema):
    id: int
    unit_id: int
    finding_id: int
    severity: str = Field(..., alias="finding.severity")
    finding: str = Field(..., alias="finding.description")
    required: str
    due_on: date
    status: str
    response: str
    verification_note: str
    times_returned: int
    closed_at: IsoDateTime | None


class ActionAnswerIn(Schema):
    model_config = {"extra": "forbid"}

    response: str = Field(..., min_length=1, max_length=5000)


class VerifyIn(Schema):
    model_config = {"extra": "forbid"}

    accept: StrictBool
    note: str = Field("", max_length=5000)
    due_on: IsoDate | None = None


@router.get("/templates", response=list[TemplateOut])
def list_templates(request: HttpRequest) -> list[ChecklistTemplate]:
    if not policies.templates.can(actor_of(request), "inspections.view"):
        raise NotAllowed()
    return list(selectors.templates(actor_of(request)))


@router.get("/templates/{template_id}", response=TemplateOut)
def get_template(request: HttpRequest, template_id: int) -> ChecklistTemplate:
    found: ChecklistTemplate = policies.templates.get_visible(actor_of(request), template_id)
    return found


@router.get("/rounds", response=list[RoundOut])
@paginate(Paginated)
def list_rounds(request: HttpRequest, status: str = ""):  # type: ignore[no-untyped-def]  # ninja's @paginate takes the queryset
    return selectors.rounds(actor_of(request), status=status[:10])


@router.post("/rounds", response={201: RoundOut})
def create_round(request: HttpRequest, payload: RoundIn) -> Status[Round]:
    round_ = services.create_round_by_ids(
        actor=actor_of(request),
        plan_id=payload.plan_id,
        unit_id=payload.unit_id,
        template_id=payload.template_id,
        title=payload.title,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        recurrence=payload.recurrence,
        dates=payload.dates,
        inspector_ids=payload.inspector_ids,
        joint_unit_ids=payload.joint_unit_ids,
        target_ids=payload.target_ids,
    )
    return Status(201, selectors.rounds(actor_of(request)).get(pk=round_.pk))


@router.get("/rounds/{round_id}", response=RoundOut)
def get_round(request: HttpRequest, round_id: int) -> Round:
    found: Round = policies.rounds.get_visible(actor_of(request), round_id, selectors.rounds(actor_of(request)))
    return found


@router.get("/rounds/{round_id}/inspections", response=list[InspectionOut])
@paginate(Paginated)
def list_inspections(request: HttpRequest, round_id: int, status: str = ""):  # type: ignore[no-untyped-def]  # ninja's @paginate takes the queryset
    round_ = policies.rounds.get_visible(actor_of(request), round_id)
    return selectors.round_inspections(round_, status=status[:10])


@router.get("/inspections/{inspection_id}", response=InspectionOut)
def get_inspection(request: HttpRequest, inspection_id: int) -> Inspection:
    found: Inspection = policies.inspections.get_visible(actor_of(request), inspection_id)
    return found


@router.patch("/inspections/{inspection_id}", response=InspectionOut)
def save_inspection(request: HttpRequest, inspection_id: int, payload: AnswersIn) -> Inspection:
    """Save a draft of some answers (the rest stay as they are)."""
    answers = {a.item_id: a.model_dump(exclude={"item_id"}, exclude_unset=True) for a in payload.answers}
    return services.save_answers_by_id(
        actor=actor_of(request), inspection_id=inspection_id, answers=answers, remarks=payload.remarks
    )


@router.post("/inspections/{inspection_id}/submit", response=InspectionOut)
def submit_inspection(request: HttpRequest, inspection_id: int) -> Inspection:
    return services.submit_inspection_by_id(actor=actor_of(request), inspection_id=inspection_id)


@router.get("/findings", response=list[FindingOut])
@paginate(Paginated)
def list_findings(request: HttpRequest, severity: str = "", round_id: int | None = None):  # type: ignore[no-untyped-def]  # ninja's @paginate takes the queryset
    """The findings the user may see: the unit its own, inspectors their rounds', the ethics office all."""
    return selectors.findings(actor_of(request), severity=severity[:10], round_id=round_id)


@router.get("/findings/{finding_id}", response=FindingOut)
def get_finding(request: HttpRequest, finding_id: int) -> Finding:
    found: Finding = policies.findings.get_visible(actor_of(request), finding_id, selectors.findings(actor_of(request)))
    return found


@router.post("/findings/{finding_id}/leak", response=FindingOut)
def flag_leak(request: HttpRequest, finding_id: int, payload: LeakIn) -> Finding:
    """Mark (or unmark) a finding as suggesting a leak; marking files a `leak` report linked to it where the user
    may file reports for the unit."""
    finding = corrective.set_leak_suspected_by_id(
        actor=actor_of(request), finding_id=finding_id, suspected=payload.suspected
    )
    return selectors.findings(actor_of(request)).get(pk=finding.pk)


@router.get("/actions", response=list[ActionOut])
@paginate(Paginated)
def list_actions(request: HttpRequest, status: str = ""):  # type: ignore[no-untyped-def]  # ninja's @paginate takes the queryset
    return selectors.actions(actor_of(request), status=status[:10])


@router.get("/actions/{action_id}", response=ActionOut)
def get_action(request: HttpRequest, action_id: int) -> CorrectiveAction:
    found: CorrectiveAction = policies.actions.get_visible(actor_of(request), action_id)
    return found


@router.post("/actions/{action_id}/answer", response=ActionOut)
def answer_action(request: HttpRequest, action_id: int, payload: ActionAnswerIn) -> CorrectiveAction:
    return corrective.answer_action_by_id(actor=actor_of(request), action_id=action_id, response=payload.response)


@router.post("/actions/{action_id}/verify", response=ActionOut)
def verify_action(request: HttpRequest, action_id: int, payload: VerifyIn) -> CorrectiveAction:
    return corrective.verify_action_by_id(
        actor=actor_of(request), action_id=action_id, accept=payload.accept, note=payload.note, due_on=payload.due_on
    )
