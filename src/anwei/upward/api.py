"""The superior's roll-up as JSON: GET /api/v1/rollup/incidents and GET /api/v1/rollup/sitreps?date=YYYY-MM-DD.
Summaries only (no restricted text); for those with roll-up scope over subordinate agencies."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from anwei.accounts.actor import actor_of
from anwei.core.errors import NotAllowed
from anwei.core.pagination import Paginated

from . import policies, selectors

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
    agency: str
    date: date
    filed_at: datetime | None
    zero_report: bool | None
    incident_count: int | None
    late: bool


@router.get("/incidents", response=list[RollupIncidentOut], summary="Subordinate agencies' reports (summaries)")
@paginate(Paginated)
def incidents(request: HttpRequest, open_only: bool = False) -> Any:
    if not policies.can_view_rollup(actor_of(request)):
        raise NotAllowed()
    return selectors.incidents(actor_of(request), open_only=open_only)


@router.get("/sitreps", response=list[RollupSitrepOut], summary="Subordinate agencies' daily situation reports")
@paginate(Paginated)
def sitreps(request: HttpRequest, date: date | None = None) -> list[dict[str, object]]:
    if not policies.can_view_rollup(actor_of(request)):
        raise NotAllowed()
    return [
        {
            "agency": row.agency.code,
            "date": row.day,
            "filed_at": row.sitrep.filed_at if row.sitrep else None,
            "zero_report": row.sitrep.zero_report if row.sitrep else None,
            "incident_count": row.sitrep.incident_count if row.sitrep else None,
            "late": row.late,
        }
        for row in selectors.sitreps(actor_of(request), date)
    ]
