"""The superior's roll-up reads: the board (each subordinate's sitrep of the day, open major reports and their
clocks) and the lists behind the API."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from anwei.accounts.actor import Who
from anwei.directory.models import Agency

from . import policies, rules
from .models import RollupIncident, RollupSitrep


@dataclass(frozen=True)
class SitrepRow:
    agency: Agency
    day: date
    due_at: datetime
    sitrep: RollupSitrep | None
    now: datetime

    @property
    def filed(self) -> bool:
        return self.sitrep is not None

    @property
    def late(self) -> bool:
        """Filed after its deadline, or not filed and the deadline has passed."""
        return self.sitrep.late if self.sitrep is not None else self.now > self.due_at

    @property
    def state(self) -> str:
        if self.sitrep is None:
            return "missing" if self.late else "waiting"
        return "late" if self.sitrep.late else "filed"


def agencies(user: Who) -> QuerySet[Agency]:
    return Agency.objects.filter(pk__in=policies.rollup_agencies(user)).order_by("code")


def sitreps(user: Who, day: date | None = None, now: datetime | None = None) -> list[SitrepRow]:
    now = now or timezone.now()
    day = day or rules.sitrep_day(now)
    due = rules.sitrep_due(day)
    rows = list(agencies(user))
    filed = {s.agency_id: s for s in RollupSitrep.objects.filter(day=day, agency__in=[a.pk for a in rows])}
    return [SitrepRow(a, day, due, filed.get(a.pk), now) for a in rows]


def incidents(user: Who, open_only: bool = False) -> QuerySet[RollupIncident]:
    qs = RollupIncident.objects.filter(agency_id__in=policies.rollup_agencies(user)).select_related("agency")
    if open_only:
        qs = qs.filter(closed_at__isnull=True).exclude(status="closed")
    return qs.order_by("-aware_at", "pk")


def open_clocks(incident: RollupIncident) -> list[dict[str, Any]]:
    return [c for c in incident.clocks if isinstance(c, dict) and not c.get("met_at") and c.get("due_at")]


def next_due(incident: RollupIncident) -> datetime | None:
    """The soonest deadline of the report that is not met yet (its clocks as the subordinate last sent them)."""
    found = [parse_datetime(str(c["due_at"])) for c in open_clocks(incident)]
    return min((d for d in found if d is not None), default=None)


def statistics(user: Who) -> list[dict[str, Any]]:
    """Reports sent up, by agency and category (rows of agency name, category code, open and total)."""
    rows = (
        RollupIncident.objects.filter(agency_id__in=policies.rollup_agencies(user))
        .values("agency__name", "category")
        .annotate(total=Count("pk"), open=Count("pk", filter=Q(closed_at__isnull=True) & ~Q(status="closed")))
        .order_by("agency__name", "category")
    )
    return [dict(row) for row in rows]
