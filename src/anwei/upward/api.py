"""The superior's roll-up as JSON: GET /api/v1/rollup/incidents, GET /api/v1/rollup/sitreps?date=YYYY-MM-DD and
GET /api/v1/rollup/travel (mainland-travel filings), GET /api/v1/rollup/results (results reports' figures).
Summaries only (no restricted text); for those with roll-up scope over subordinate agencies."""

import datetime as dt
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from anwei.core.errors import NotAllowed
from anwei.core.pagination import Paginated

from . import combined, policies, selectors, travel

router = Router(tags=["rollup"])


class RollupIncidentOut(Schema):
    agency: str = Field(..., alias="agency.code")
    reference: str
    category: str
    cyber_level: int | None
    status: str
    title: str
    unit: str = Field(..., alias="unit_name")
    aware_at: datetime
    recovered_at: datetime | None
    closed_at: datetime | None


class RollupSitrepOut(Schema):
    agency: str = Field(..., alias="agency_code")
    date: dt.date = Field(..., alias="day")
    filed_at: datetime | None
    zero_report: bool | None
    incident_count: int | None
    late: bool


@router.get("/incidents", response=list[RollupIncidentOut], summary="Subordinate agencies' reports (summaries)")
@paginate(Paginated)
def incidents(request: HttpRequest, open_only: bool = False) -> Any:
    if not policies.can_view_rollup(request.user):
        raise NotAllowed()
    return selectors.incidents(request.user, open_only=open_only)


@router.get("/sitreps", response=list[RollupSitrepOut], summary="Subordinate agencies' daily situation reports")
@paginate(Paginated)
def sitreps(request: HttpRequest, date: date | None = None) -> Any:
    if not policies.can_view_rollup(request.user):
        raise NotAllowed()
    return selectors.SitrepRows(request.user, date)  # read a page at a time, not all 1,000 agencies


class RollupTravelOut(Schema):
    agency: str = Field(..., alias="agency.code")
    event: str
    destination: str
    category: str
    title: str
    traveller: str
    unit: str = Field(..., alias="unit_name")
    starts_on: date
    ends_on: date
    filed_on: date | None
    late: bool
    probed: bool
    contacted: bool
    incident_reference: str


@router.get("/travel", response=list[RollupTravelOut], summary="Subordinate agencies' mainland-travel filings")
@paginate(Paginated)
def travel_filings(request: HttpRequest, event: str | None = None) -> Any:
    """Return reports (返臺通報), declarations and visiting delegations as the rules sent them up: no purpose,
    places, account of what happened or visitors' names."""
    if not policies.can_view_rollup(request.user):
        raise NotAllowed()
    qs = travel.visible(policies.rollup_agencies(request.user))
    return qs.filter(event=event) if event else qs


class RollupResultsOut(Schema):
    agency: str
    plan_title: str
    period_start: datetime
    period_end: datetime
    figures: dict[str, Any]
    document_format: str
    withheld: str
    filed_at: datetime


@router.get("/results", response=list[RollupResultsOut], summary="Subordinate agencies' results reports (figures)")
@paginate(Paginated)
def results_filed(request: HttpRequest) -> list[dict[str, Any]]:
    """The figures of each results report sent up (reports by category, mainland travel); the document itself is
    downloaded from the roll-up board (audited)."""
    if not policies.can_view_rollup(request.user):
        raise NotAllowed()
    return [
        {
            "agency": r.agency.code,
            "plan_title": r.plan_title,
            "period_start": r.period_start,
            "period_end": r.period_end,
            "figures": r.figures,
            "document_format": r.document_format,
            "withheld": r.withheld,
            "filed_at": r.filed_at,
        }
        for r in combined.filed(request.user)
    ]
