"""JSON API for reports: file (`POST /api/v1/incidents`), list, read, change the cyber level, attach files."""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from anwei.audit import services as audit
from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.core.pagination import Paginated
from anwei.core.schema import IsoDateTime, SingleLine
from anwei.directory.models import Person, Unit

from . import api_tasks, contacts, filing, policies, rules, selectors, services
from .models import Attachment, Contact, Incident

router = Router(tags=["incidents"])
router.add_router("/tasks", api_tasks.router)  # the tasks given to units: /api/v1/incidents/tasks/{task_id}


class ClockOut(Schema):
    id: int
    code: str
    name: str
    body: str
    due_at: IsoDateTime | None
    met_at: IsoDateTime | None
    met_by: str
    met_how: str
    state: str


class IncidentOut(Schema):
    id: int
    reference: str
    category: str
    category_name: str
    restricted: bool
    drill: bool  # 演練: filed by an exercise, not a real report
    title: str
    description: str
    unit_id: int | None
    reporter_id: int | None
    reporter_name: str
    plan_id: int | None
    aware_at: datetime
    occurred_at: IsoDateTime | None
    location: str
    severity: str
    cyber_level: int | None
    measures_taken: str
    support_needed: str
    status: str
    recovered_at: IsoDateTime | None
    closed_at: IsoDateTime | None
    clocks: list[ClockOut]

    @staticmethod
    def resolve_category_name(obj: Incident) -> str:
        return obj.category_info.name

    @staticmethod
    def resolve_reporter_name(obj: Incident) -> str:
        """通報人: the reporter named, else the person who filed it."""
        return str(getattr(obj.reported_by, "name", "") or "")

    @staticmethod
    def resolve_clocks(obj: Incident) -> list[dict[str, object]]:
        return [
            {
                "id": c.deadline.pk,
                "code": c.deadline.code,
                "name": c.deadline.name,
                "body": c.deadline.body,
                "due_at": c.deadline.due_at,
                "met_at": c.deadline.met_at,
                "met_by": c.deadline.met_by,
                "met_how": c.deadline.met_how,
                "state": c.state,
            }
            for c in selectors.clocks(obj)
        ]


class IncidentIn(Schema):
    model_config = {"extra": "forbid"}

    category: str = Field(max_length=30)
    title: SingleLine = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=20000)
    unit_id: int | None = None
    reporter_id: int | None = None
    aware_at: IsoDateTime | None = None
    occurred_at: IsoDateTime | None = None
    location: SingleLine = Field("", max_length=200)
    severity: str | None = None
    cyber_level: int | None = Field(None, ge=1, le=4)
    measures_taken: str = Field("", max_length=20000)
    support_needed: str = Field("", max_length=20000)


class LevelIn(Schema):
    model_config = {"extra": "forbid"}

    cyber_level: int = Field(ge=1, le=4)
    reason: SingleLine = Field("", max_length=500)


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    sha256: str
    content_type: str
    uploaded_at: datetime


class RecordedContactIn(Schema):
    model_config = {"extra": "forbid"}

    clock: int | None = None
    # a body the rules named without a clock (the police told of a liquor report): its must-call ends the same way
    body: str = Field("", max_length=40)
    channel: Literal["phone", "platform", "fax", "in_person"]
    reached_at: IsoDateTime | None = None
    person_reached: str = Field(min_length=1, max_length=120)
    reference: str = Field("", max_length=80)


class RecordedContactOut(Schema):
    id: int
    clock: int | None = Field(None, alias="deadline_id")
    body: str
    channel: str
    reached_at: datetime
    person_reached: str
    reference: str


class CategoryOut(Schema):
    code: str
    name_zh: str
    name_en: str
    default_severity: str
    restricted: bool


def _load(request: HttpRequest, incident_id: int) -> Incident:
    incident: Incident = policies.incidents.get_visible(request.user, incident_id)
    if incident.restricted:
        audit.record(actor=request.user, action=audit.Action.VIEW, obj=incident, object_repr=incident.reference)
    return incident


@router.get("/categories", response=list[CategoryOut])
def list_categories(request: HttpRequest) -> list[rules.Category]:
    return list(rules.CATEGORIES.values())


@router.get("", response=list[IncidentOut])
@paginate(Paginated)
def list_incidents(request: HttpRequest, category: str = "", status: str = "open"):  # type: ignore[no-untyped-def]
    return selectors.board(request.user, category=category[:30], status=status[:10])


@router.post("", response={201: IncidentOut})
def file_incident(request: HttpRequest, payload: IncidentIn) -> Status[Incident]:
    if not policies.incidents.can(request.user, "incidents.file"):
        raise NotAllowed()
    scope = policies.incidents.scope(request.user, "incidents.file")
    unit = None
    if payload.unit_id is not None:
        unit = Unit.objects.filter(pk=payload.unit_id, active=True).first()
        if unit is None or not scope.covers(unit):
            raise BusinessRuleError(_("Choose a unit you may report for."), field="unit_id")
    reporter = None
    if payload.reporter_id is not None:
        reporter = Person.objects.filter(pk=payload.reporter_id, active=True).first()
        if reporter is None:
            raise BusinessRuleError(_("Unknown reporter."), field="reporter_id")
    agency = unit.agency if unit else getattr(request.user, "agency", None)
    if agency is None:
        raise BusinessRuleError(_("Choose a unit."), field="unit_id")
    try:
        incident = services.file_report(
            actor=request.user,
            agency=agency,
            category=payload.category,
            title=payload.title,
            description=payload.description,
            unit=unit,
            reporter=reporter,
            aware_at=payload.aware_at,
            occurred_at=payload.occurred_at,
            severity=payload.severity,
            cyber_level=payload.cyber_level,
            location=payload.location,
            measures_taken=payload.measures_taken,
            support_needed=payload.support_needed,
        )
    except BusinessRuleError as exc:
        if exc.field in ("unit", "reporter"):
            exc.field = f"{exc.field}_id"
        raise
    return Status(201, filing.with_clocks(incident))


@router.get("/{incident_id}", response=IncidentOut)
def get_incident(request: HttpRequest, incident_id: int) -> Incident:
    return _load(request, incident_id)


@router.post("/{incident_id}/level", response=IncidentOut)
def change_level(request: HttpRequest, incident_id: int, payload: LevelIn) -> Incident:
    incident = _load(request, incident_id)
    if not policies.incidents.can(request.user, "incidents.handle", incident):
        raise NotAllowed()
    services.change_level(actor=request.user, incident=incident, cyber_level=payload.cyber_level, reason=payload.reason)
    return incident


@router.post("/{incident_id}/contacts", response={201: RecordedContactOut})
def record_contact(request: HttpRequest, incident_id: int, payload: RecordedContactIn) -> Status[Contact]:
    """A body reached by a person — phone, the national platform's web form, fax, in person — for one clock of the
    report (`clock`), or for a body the rules named without a clock (`body`, e.g. "org:police"): meets the clock
    (if still open) and closes that body's must-call. The same service as the page."""
    incident = _load(request, incident_id)
    contact = contacts.record_contact(
        actor=request.user,
        incident=incident,
        clock=payload.clock,
        body=payload.body,
        channel=payload.channel,
        reached_at=payload.reached_at,
        person_reached=payload.person_reached,
        reference=payload.reference,
    )
    return Status(201, contact)


@router.post("/{incident_id}/attachments", response={201: list[AttachmentOut]})
def add_attachments(
    request: HttpRequest, incident_id: int, files: File[list[UploadedFile]]
) -> Status[list[Attachment]]:
    """Attach files (multipart, field `files`, one or more) to a report: its filer or those who handle it. The same
    checks as the form: the type read from the content, the size limit, the SHA-256 recorded; all or none kept."""
    incident = _load(request, incident_id)
    try:
        stored = services.add_attachments(actor=request.user, incident=incident, uploads=files)
    except BusinessRuleError as exc:
        if exc.field == "attachments":
            exc.field = "files"
        raise
    return Status(201, stored)
