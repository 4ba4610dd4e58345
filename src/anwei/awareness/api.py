"""JSON API for awareness work: activities and sign-in, statistics, travel declarations and return reports, the
holiday calendar and visiting delegations."""

from datetime import date

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.core.pagination import Paginated
from anwei.core.schema import IsoDate
from anwei.directory.models import Unit

from . import activity_services, policies, selectors, services
from .models import ReturnReport

router = Router(tags=["awareness"])


class ActivityOut(Schema):
    id: int
    title: str
    topic: str
    form: str
    held_on: date
    unit_id: int
    plan_id: int | None
    attendee_count: int | None
    signed_in: int = 0


class ActivityIn(Schema):
    model_config = {"extra": "forbid"}

    unit_id: int
    title: str = Field(min_length=1, max_length=200)
    topic: str
    form: str
    held_on: date
    audience_unit_ids: list[int] = []
    attendee_count: int | None = Field(None, ge=0)
    materials: str = ""
    alert_body: str = ""


class AttendanceOut(Schema):
    activity_id: int
    person_id: int
    method: str


class RowOut(Schema):
    key: str
    label: str
    activities: int
    attendance: int


class StatisticsOut(Schema):
    start: date
    end: date
    activities: int
    attendance: int
    head_count_only: int
    by_topic: list[RowOut]
    by_unit: list[RowOut]


class DeclarationOut(Schema):
    id: int
    traveller_id: int
    destination: str
    category: str
    places: str
    applied_on: date
    departs_on: date
    returns_on: date
    authority: str
    rule_code: str
    rule_source: str
    required_days: int
    days_ahead: int
    latest_filing_on: date
    late: bool
    exit_approval: str
    briefing_acknowledged: bool
    return_due_on: date
    returned: bool

    @staticmethod
    def resolve_briefing_acknowledged(obj: object) -> bool:
        return getattr(obj, "briefing_acknowledged_at", None) is not None

    @staticmethod
    def resolve_returned(obj: object) -> bool:
        return ReturnReport.objects.filter(declaration_id=getattr(obj, "pk", None)).exists()


class DeclarationIn(Schema):
    model_config = {"extra": "forbid"}

    destination: str
    places: str = Field(min_length=1, max_length=200)
    purpose: str = ""
    departs_on: date
    returns_on: date
    category: str | None = None
    meets_specified_persons: bool = False
    traveller_id: int | None = None


class ReturnIn(Schema):
    model_config = {"extra": "forbid"}

    probed: bool
    contacted: bool
    details: str = ""


class ReturnOut(Schema):
    id: int
    filed_on: date
    late: bool
    upward_due_on: date
    incident_reference: str


class HolidayOut(Schema):
    day: date
    name: str
    is_workday: bool


class DelegationOut(Schema):
    id: int
    title: str
    unit_id: int
    starts_on: date
    ends_on: date


@router.get("/activities", response=list[ActivityOut])
@paginate(Paginated)
def list_activities(request: HttpRequest):  # type: ignore[no-untyped-def]
    if not policies.activities.can(request.user, "awareness.view"):
        raise NotAllowed()
    return selectors.activities(request.user)


@router.post("/activities", response={201: ActivityOut})
def create_activity(request: HttpRequest, payload: ActivityIn):  # type: ignore[no-untyped-def]
    if not policies.activities.can(request.user, "awareness.manage"):
        raise NotAllowed()
    data = payload.model_dump()
    units = Unit.objects.filter(agency_id=(getattr(request.user, "agency_id", None) or 0))
    unit = units.filter(pk=data.pop("unit_id")).first()
    if unit is None:
        raise BusinessRuleError("Unknown unit.", field="unit_id")
    audience = list(units.filter(pk__in=data.pop("audience_unit_ids")))
    activity = activity_services.create_activity(actor=request.user, unit=unit, audience_units=audience, **data)
    return Status(201, activity)


@router.post("/activities/{activity_id}/attendance", response={201: AttendanceOut})
def sign_in(request: HttpRequest, activity_id: int):  # type: ignore[no-untyped-def]
    activity = policies.activities.get_visible(request.user, activity_id)
    return Status(201, activity_services.sign_in(actor=request.user, activity=activity))


@router.get("/statistics", response=StatisticsOut)
def statistics(request: HttpRequest, start: IsoDate | None = None, end: IsoDate | None = None):  # type: ignore[no-untyped-def]
    if not policies.activities.can(request.user, "awareness.view"):
        raise NotAllowed()
    today = timezone.localdate()
    return selectors.statistics(request.user, start or today.replace(month=1, day=1), end or today)


@router.get("/travel", response=list[DeclarationOut])
@paginate(Paginated)
def list_travel(request: HttpRequest):  # type: ignore[no-untyped-def]
    return selectors.declarations(request.user)


@router.get("/travel/{declaration_id}", response=DeclarationOut)
def get_travel(request: HttpRequest, declaration_id: int):  # type: ignore[no-untyped-def]
    return policies.travel.get_visible(request.user, declaration_id)


@router.post("/travel", response={201: DeclarationOut})
def declare(request: HttpRequest, payload: DeclarationIn):  # type: ignore[no-untyped-def]
    data = payload.model_dump()
    traveller_id = data.pop("traveller_id")
    traveller = getattr(request.user, "person", None)
    if traveller_id and traveller_id != getattr(traveller, "pk", None):
        from anwei.directory.models import Person

        traveller = Person.objects.filter(
            pk=traveller_id, agency_id=(getattr(request.user, "agency_id", None) or 0)
        ).first()
    if traveller is None:
        raise NotAllowed()
    return Status(201, services.declare_travel(actor=request.user, traveller=traveller, **data))


@router.post("/travel/{declaration_id}/return", response={201: ReturnOut})
def file_return(request: HttpRequest, declaration_id: int, payload: ReturnIn):  # type: ignore[no-untyped-def]
    declaration = policies.travel.get_visible(request.user, declaration_id)
    return Status(201, services.file_return_report(actor=request.user, declaration=declaration, **payload.model_dump()))


@router.get("/holidays", response=list[HolidayOut])
def holidays(request: HttpRequest, year: int | None = Query(None, ge=1912, le=9998)):  # type: ignore[no-untyped-def]
    return list(selectors.calendar_year(year or timezone.localdate().year))


@router.get("/delegations", response=list[DelegationOut])
def delegations(request: HttpRequest):  # type: ignore[no-untyped-def]
    return list(selectors.delegations(request.user))
