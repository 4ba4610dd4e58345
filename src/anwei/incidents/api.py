"""JSON API for reports: file (`POST /api/v1/incidents`), list, read, change the cyber level, attach files."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, File, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from anwei.accounts.actor import actor_of
from anwei.audit import services as audit
from anwei.core.errors import BusinessRuleError
from anwei.core.pagination import Paginated
from anwei.core.schema import IsoDateTime, PlainSchema, SingleLine

from . import api_tasks, contacts, filing, policies, rules, selectors, services
from .models import Attachment, Contact, Incident

router = Router(tags=["incidents"])
router.add_router("/tasks", api_tasks.router)  # the tasks given to units: /api/v1/incidents/tasks/{task_id}


class ClockOut(PlainSchema):
    id: int
    code: str
    name: str
    body: str
    due_at: IsoDateTime | None
    met_at: IsoDateTime | None
    met_by: str
    met_how: str
    state: str


class IncidentOut(PlainSchema):
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

    @classmethod
    def of(cls, incident: Incident) -> dict[str, object]:
        """The answer for a report as one dict — the fields read from the report, the resolvers above for the rest —
        validated without ninja's per-field getter (PlainSchema; the filing's answer, issue 20)."""
        out = {name: getattr(incident, name) for name in _READ_FIELDS}
        out["category_name"] = cls.resolve_category_name(incident)
        out["reporter_name"] = cls.resolve_reporter_name(incident)
        out["clocks"] = cls.resolve_clocks(incident)
        return out


_READ_FIELDS = tuple(name for name in IncidentOut.model_fields if not hasattr(IncidentOut, f"resolve_{name}"))


class IncidentIn(PlainSchema):
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
    incident: Incident = policies.incidents.get_visible(actor_of(request), incident_id)
    if incident.restricted:
        audit.record(actor=actor_of(request), action=audit.Action.VIEW, obj=incident, object_repr=incident.reference)
    return incident


@router.get("/categories", response=list[CategoryOut])
def list_categories(request: HttpRequest) -> list[rules.Category]:
    return list(rules.CATEGORIES.values())


@router.get("", response=list[IncidentOut])
@paginate(Paginated)
# the ignore below: ninja serialises what this returns by the route's response schema
def list_incidents(request: HttpRequest, category: str = "", status: str = "open"):  # type: ignore[no-untyped-def]
    return selectors.board(actor_of(request), category=category[:30], status=status[:10])


@router.post("", response={201: IncidentOut})
def file_incident(request: HttpRequest, payload: IncidentIn) -> Status[dict[str, object]]:
    """File a report: the same service, checks and rules as the page (unit and reporter by key, checked there)."""
    with _fields_as_keys():
        incident = services.file_report(
            actor=actor_of(request),
            category=payload.category,
            title=payload.title,
            description=payload.description,
            unit=payload.unit_id,
            reporter=payload.reporter_id,
            aware_at=payload.aware_at,
            occurred_at=payload.occurred_at,
            severity=payload.severity,
            cyber_level=payload.cyber_level,
            location=payload.location,
            measures_taken=payload.measures_taken,
            support_needed=payload.support_needed,
        )
    return Status(201, IncidentOut.of(filing.with_clocks(incident)))


@contextmanager
def _fields_as_keys(**names: str) -> Iterator[None]:
    """The service names the records it was given (`unit`); the API's caller sent their keys (`unit_id`)."""
    renamed = {"unit": "unit_id", "reporter": "reporter_id", **names}
    try:
        yield
    except BusinessRuleError as exc:
        if exc.field in renamed:
            exc.field = renamed[exc.field]
        raise


@router.get("/{incident_id}", response=IncidentOut)
def get_incident(request: HttpRequest, incident_id: int) -> Incident:
    return _load(request, incident_id)


@router.post("/{incident_id}/level", response=IncidentOut)
def change_level(request: HttpRequest, incident_id: int, payload: LevelIn) -> Incident:
    _load(request, incident_id)  # a restricted report's reading is audited, as ever
    return services.change_level(
        actor=actor_of(request), incident_id=incident_id, cyber_level=payload.cyber_level, reason=payload.reason
    )


@router.post("/{incident_id}/contacts", response={201: RecordedContactOut})
def record_contact(request: HttpRequest, incident_id: int, payload: RecordedContactIn) -> Status[Contact]:
    """A body reached by a person — phone, the national platform's web form, fax, in person — for one clock of the
    report (`clock`), or for a body the rules named without a clock (`body`, e.g. "org:police"): meets the clock
    (if still open) and closes that body's must-call. The same service as the page."""
    _load(request, incident_id)  # a restricted report's reading is audited, as ever
    contact = contacts.record_contact(
        actor=actor_of(request),
        incident_id=incident_id,
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
    _load(request, incident_id)  # a restricted report's reading is audited, as ever
    with _fields_as_keys(attachments="files"):
        stored = services.add_attachments(actor=actor_of(request), incident_id=incident_id, uploads=files)
    return Status(201, stored)
