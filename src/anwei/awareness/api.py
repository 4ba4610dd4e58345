"""JSON API for awareness work: activities and sign-in, statistics, travel declarations (briefing, exit approval),
return reports and their upward filing, random checks, the holiday calendar, and visiting delegations with their
anomalies. The same services and policies as the pages."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from ninja.params.functions import Query  # the typed function behind ninja.Query(...)
from pydantic import StrictBool

from anwei.accounts.actor import actor_of
from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.core.pagination import Paginated
from anwei.core.schema import IsoDate
from anwei.officecalendar.models import OfficeDay

from . import auditing, policies, selectors, services
from .models import RandomCheckDraw, ReturnReport, TravelDeclaration

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
    derived_category: str
    category_reason: str
    calendar_missing_years: list[int]
    warnings: list[str] = []

    @staticmethod
    def resolve_warnings(obj: TravelDeclaration) -> list[str]:
        """Why the dates may be wrong: "[holidays of 民國X年 not entered]"."""
        text = services.calendar_warning(obj.calendar_missing_years)
        return [text] if text else []

    @staticmethod
    def resolve_briefing_acknowledged(obj: TravelDeclaration) -> bool:
        return obj.briefing_acknowledged_at is not None

    @staticmethod
    def resolve_returned(obj: TravelDeclaration) -> bool:
        return ReturnReport.objects.filter(declaration_id=obj.pk).exists()


class DeclarationIn(Schema):
    model_config = {"extra": "forbid"}

    destination: str
    places: str = Field(min_length=1, max_length=200)
    purpose: str = ""
    departs_on: date
    returns_on: date
    category: str | None = None
    category_reason: str = Field("", max_length=500)
    meets_specified_persons: StrictBool = False
    traveller_id: int | None = None


class ExitDecisionIn(Schema):
    model_config = {"extra": "forbid"}

    approve: StrictBool


class UpwardIn(Schema):
    model_config = {"extra": "forbid"}

    filed_on: IsoDate | None = None


class ReturnIn(Schema):
    model_config = {"extra": "forbid"}

    probed: StrictBool
    contacted: StrictBool
    details: str = ""


class ReturnOut(Schema):
    id: int
    filed_on: date
    late: bool
    upward_due_on: date
    upward_filed_on: date | None
    incident_reference: str


class HolidayOut(Schema):
    day: date
    name: str
    is_workday: bool


class HolidayIn(Schema):
    model_config = {"extra": "forbid"}

    day: IsoDate
    name: str = Field(min_length=1, max_length=80)
    is_workday: StrictBool = False


class DelegationOut(Schema):
    id: int
    title: str
    unit_id: int
    starts_on: date
    ends_on: date
    host_ids: list[int] = []

    @staticmethod
    def resolve_host_ids(obj: Any) -> list[int]:
        return [p.pk for p in obj.hosts.all()]


class DelegationIn(Schema):
    model_config = {"extra": "forbid"}

    unit_id: int
    title: str = Field(min_length=1, max_length=200)
    starts_on: IsoDate
    ends_on: IsoDate
    host_ids: list[int] = Field([], max_length=100)
    itinerary: str = Field("", max_length=5000)
    visitors: str = Field("", max_length=5000)


class AnomalyIn(Schema):
    model_config = {"extra": "forbid"}

    description: str = Field(min_length=1, max_length=5000)


class AnomalyOut(Schema):
    id: int
    delegation_id: int
    incident_reference: str


class ExcludedOut(Schema):
    id: int
    name: str
    reason: str


class DrawOut(Schema):
    id: int
    drawn_at: datetime
    seed: str
    rate: float
    rule_source: str
    eligible: int
    selected: list[int]
    selected_names: list[str]
    excluded: list[ExcludedOut]

    @staticmethod
    def resolve_eligible(obj: RandomCheckDraw) -> int:
        return len(obj.eligible)


class DrawIn(Schema):
    model_config = {"extra": "forbid"}

    seed: str = Field("", max_length=64)


@router.get("/activities", response=list[ActivityOut])
@paginate(Paginated)
# the ignore below: ninja serialises what this returns by the route's response schema
def list_activities(request: HttpRequest):  # type: ignore[no-untyped-def]
    if not policies.activities.can(actor_of(request), "awareness.view"):
        raise NotAllowed()
    return selectors.activities(actor_of(request))


@router.post("/activities", response={201: ActivityOut})
# the ignore below: ninja serialises what this returns by the route's response schema
def create_activity(request: HttpRequest, payload: ActivityIn):  # type: ignore[no-untyped-def]
    return Status(201, services.create_activity(actor=actor_of(request), **payload.model_dump()))


@router.post("/activities/{activity_id}/attendance", response={201: AttendanceOut})
# the ignore below: ninja serialises what this returns by the route's response schema
def sign_in(request: HttpRequest, activity_id: int):  # type: ignore[no-untyped-def]
    return Status(201, services.sign_in(actor=actor_of(request), activity_id=activity_id))


@router.get("/statistics", response=StatisticsOut)
# the ignore below: ninja serialises what this returns by the route's response schema
def statistics(request: HttpRequest, start: IsoDate | None = None, end: IsoDate | None = None):  # type: ignore[no-untyped-def]
    if not policies.activities.can(actor_of(request), "awareness.view"):
        raise NotAllowed()
    today = timezone.localdate()
    return selectors.statistics(actor_of(request), start or today.replace(month=1, day=1), end or today)


@router.get("/travel", response=list[DeclarationOut])
@paginate(Paginated)
# the ignore below: ninja serialises what this returns by the route's response schema
def list_travel(request: HttpRequest):  # type: ignore[no-untyped-def]
    auditing.record_listing(actor=actor_of(request), via="api")
    return selectors.declarations(actor_of(request))


@router.get("/travel/{declaration_id}", response=DeclarationOut)
# the ignore below: ninja serialises what this returns by the route's response schema
def get_travel(request: HttpRequest, declaration_id: int):  # type: ignore[no-untyped-def]
    declaration = policies.travel.get_visible(actor_of(request), declaration_id)
    auditing.record_view(actor=actor_of(request), declaration=declaration, via="api")
    return declaration


@router.post("/travel", response={201: DeclarationOut})
# the ignore below: ninja serialises what this returns by the route's response schema
def declare(request: HttpRequest, payload: DeclarationIn):  # type: ignore[no-untyped-def]
    return Status(201, services.declare_travel(actor=actor_of(request), **payload.model_dump()))


@router.post("/travel/{declaration_id}/return", response={201: ReturnOut})
# the ignore below: ninja serialises what this returns by the route's response schema
def file_return(request: HttpRequest, declaration_id: int, payload: ReturnIn):  # type: ignore[no-untyped-def]
    return Status(
        201,
        services.file_return_report(actor=actor_of(request), declaration_id=declaration_id, **payload.model_dump()),
    )


@router.post("/travel/{declaration_id}/briefing", response=DeclarationOut)
# the ignore below: ninja serialises what this returns by the route's response schema
def acknowledge_briefing(request: HttpRequest, declaration_id: int):  # type: ignore[no-untyped-def]
    """The traveller acknowledges the pre-trip risk briefing (once; again changes nothing)."""
    return services.acknowledge_briefing(actor=actor_of(request), declaration_id=declaration_id)


@router.post("/travel/{declaration_id}/exit", response=DeclarationOut)
# the ignore below: ninja serialises what this returns by the route's response schema
def decide_exit(request: HttpRequest, declaration_id: int, payload: ExitDecisionIn):  # type: ignore[no-untyped-def]
    """Approve or refuse the exit of a traveller with national-secret duties (the agency head or ethics office)."""
    return services.decide_exit(actor=actor_of(request), declaration_id=declaration_id, approve=payload.approve)


@router.post("/travel/{declaration_id}/upward", response=ReturnOut)
# the ignore below: ninja serialises what this returns by the route's response schema
def file_upward(request: HttpRequest, declaration_id: int, payload: UpwardIn):  # type: ignore[no-untyped-def]
    """The ethics office records that it filed the return report upward (today unless `filed_on` says)."""
    return services.file_upward(actor=actor_of(request), declaration_id=declaration_id, filed_on=payload.filed_on)


@router.get("/checks", response=list[DrawOut])
@paginate(Paginated)
# the ignore below: ninja serialises what this returns by the route's response schema
def list_checks(request: HttpRequest):  # type: ignore[no-untyped-def]
    if not policies.checks.can(actor_of(request), "awareness.view_checks"):
        raise NotAllowed()
    return selectors.draws(actor_of(request))


@router.post("/checks", response={201: DrawOut})
# the ignore below: ninja serialises what this returns by the route's response schema
def draw_check(request: HttpRequest, payload: DrawIn):  # type: ignore[no-untyped-def]
    """Draw about 2 % of eligible junior staff of the user's agency; give a seed to make the draw reproducible."""
    draw = services.draw_random_check(actor=actor_of(request), seed=payload.seed.strip())
    return Status(201, draw)


@router.get("/holidays", response=list[HolidayOut])
def holidays(request: HttpRequest, year: int | None = Query(None, ge=1912, le=9998)) -> list[OfficeDay]:
    return list(selectors.calendar_year(year or timezone.localdate().year))


def _calendar_day(day: date) -> date:
    if not 1912 <= day.year <= 9998:
        raise BusinessRuleError(_("Give a date between 1912 and 9998."), field="day")
    return day


@router.post("/holidays", response=HolidayOut)
# the ignore below: ninja serialises what this returns by the route's response schema
def set_holiday(request: HttpRequest, payload: HolidayIn):  # type: ignore[no-untyped-def]
    """Enter or change a day of the office calendar (a holiday, or a make-up working day)."""
    return services.set_calendar_day(
        actor=actor_of(request),
        day=_calendar_day(payload.day),
        name=payload.name,
        is_workday=payload.is_workday,
        source=_("edited"),
    )


@router.delete("/holidays/{day}", response={204: None})
# the ignore below: ninja serialises what this returns by the route's response schema
def remove_holiday(request: HttpRequest, day: str):  # type: ignore[no-untyped-def]
    try:
        parsed = _calendar_day(date.fromisoformat(day))
    except ValueError as exc:
        raise BusinessRuleError(_("Give the date as YYYY-MM-DD."), field="day") from exc
    services.remove_calendar_day(actor=actor_of(request), day=parsed)
    return Status(204, None)


@router.get("/delegations", response=list[DelegationOut])
# the ignore below: ninja serialises what this returns by the route's response schema
def delegations(request: HttpRequest):  # type: ignore[no-untyped-def]
    return list(selectors.delegations(actor_of(request)))


@router.post("/delegations", response={201: DelegationOut})
# the ignore below: ninja serialises what this returns by the route's response schema
def create_delegation(request: HttpRequest, payload: DelegationIn):  # type: ignore[no-untyped-def]
    return Status(201, services.create_delegation(actor=actor_of(request), **payload.model_dump()))


@router.post("/delegations/{delegation_id}/anomalies", response={201: AnomalyOut})
# the ignore below: ninja serialises what this returns by the route's response schema
def report_anomaly(request: HttpRequest, delegation_id: int, payload: AnomalyIn):  # type: ignore[no-untyped-def]
    """An anomaly observed during the visit: filed as a `mainland-visitor` report to the investigation authority."""
    anomaly = services.report_anomaly(
        actor=actor_of(request), delegation_id=delegation_id, description=payload.description
    )
    return Status(201, anomaly)
