"""The superior's roll-up reads: the board (each subordinate's sitrep of the day, open major reports and their
clocks) and the lists behind the API."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, overload

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from anwei.accounts.actor import Who
from anwei.core.dbrouter import rollup_db
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

    @property
    def agency_code(self) -> str:
        return self.agency.code

    @property
    def filed_at(self) -> datetime | None:
        return self.sitrep.filed_at if self.sitrep is not None else None

    @property
    def zero_report(self) -> bool | None:
        return self.sitrep.zero_report if self.sitrep is not None else None

    @property
    def incident_count(self) -> int | None:
        return self.sitrep.incident_count if self.sitrep is not None else None


@dataclass(frozen=True)
class SitrepCounts:
    total: int
    filed: int
    late: int
    missing: int
    waiting: int


def agencies(user: Who) -> QuerySet[Agency]:
    """The subordinate agencies in the user's roll-up scope (the scope itself is decided on the primary; the rows
    are read where `rollup_db` says, the replica when there is one)."""
    return Agency.objects.using(rollup_db()).filter(pk__in=policies.rollup_agencies(user)).order_by("code", "pk")


class SitrepRows(Sequence[SitrepRow]):
    """Each subordinate's sitrep of `day`, in agency-code order, read a slice at a time: a page of 100 of 1,000
    agencies costs two queries for those 100, whatever the size of the roll-up tables."""

    def __init__(self, user: Who, day: date | None = None, now: datetime | None = None) -> None:
        self.now = now or timezone.now()
        self.day = day or rules.sitrep_day(self.now)
        self.due_at = rules.sitrep_due(self.day)
        self.db = rollup_db()
        self.scope = policies.rollup_scope(user, using=self.db)
        self.agency_ids = self.scope  # a subquery, not a list of 1,000 ids
        self.queryset = self.scope.order_by("code", "pk")
        self.total: int | None = None

    def __len__(self) -> int:
        if self.total is None:
            self.total = self.scope.count()
        return self.total

    @overload
    def __getitem__(self, index: int) -> SitrepRow: ...
    @overload
    def __getitem__(self, index: slice) -> list[SitrepRow]: ...
    def __getitem__(self, index: int | slice) -> SitrepRow | list[SitrepRow]:
        if isinstance(index, int):
            return self.rows(list(self.queryset[index : index + 1]))[0]
        return self.rows(list(self.queryset[index]))

    def rows(self, page: list[Agency]) -> list[SitrepRow]:
        filed = {
            s.agency_id: s
            for s in RollupSitrep.objects.using(self.db).filter(day=self.day, agency_id__in=[a.pk for a in page])
        }
        return [SitrepRow(a, self.day, self.due_at, filed.get(a.pk), self.now) for a in page]

    def counts(self) -> SitrepCounts:
        """How many filed on time, late, missing or not yet due: one aggregate over the day's rows."""
        found = RollupSitrep.objects.using(self.db).filter(day=self.day, agency__in=self.agency_ids)
        got = found.aggregate(filed=Count("pk"), late=Count("pk", filter=Q(late=True)))
        unfiled = len(self) - got["filed"]
        past_due = self.now > self.due_at
        return SitrepCounts(
            total=len(self),
            filed=got["filed"] - got["late"],
            late=got["late"],
            missing=unfiled if past_due else 0,
            waiting=0 if past_due else unfiled,
        )

    def missing(self) -> list[SitrepRow]:
        """The agencies with no sitrep once the deadline has passed (nothing before it): one query."""
        if self.now <= self.due_at:
            return []
        filed = RollupSitrep.objects.using(self.db).filter(day=self.day, agency_id=OuterRef("pk"))
        return [SitrepRow(a, self.day, self.due_at, None, self.now) for a in self.queryset.exclude(Exists(filed))]


def sitreps(user: Who, day: date | None = None, now: datetime | None = None) -> list[SitrepRow]:
    rows = SitrepRows(user, day, now)
    return rows[:]


def incidents(
    user: Who, open_only: bool = False, agency_ids: QuerySet[Agency] | None = None
) -> QuerySet[RollupIncident]:
    """The summaries of the agencies in the user's roll-up scope (or of `agency_ids`, ids or a subquery of them
    already within it), latest first."""
    db = rollup_db()
    ids = policies.rollup_scope(user, using=db) if agency_ids is None else agency_ids
    qs = RollupIncident.objects.using(db).filter(agency__in=ids).select_related("agency")
    if open_only:
        qs = qs.filter(closed_at__isnull=True).exclude(status="closed")
    return qs.order_by("-aware_at", "pk")


def open_clocks(incident: RollupIncident) -> list[dict[str, Any]]:
    return [c for c in incident.clocks if isinstance(c, dict) and not c.get("met_at") and c.get("due_at")]


def next_due(incident: RollupIncident) -> datetime | None:
    """The soonest deadline of the report that is not met yet (its clocks as the subordinate last sent them)."""
    found = [parse_datetime(str(c["due_at"])) for c in open_clocks(incident)]
    return min((d for d in found if d is not None), default=None)


def statistics(user: Who, agency_ids: list[int] | None = None) -> list[dict[str, Any]]:
    """Reports sent up, by agency and category (rows of agency name, category code, open and total); of the given
    agencies in the user's roll-up scope (a page of the board), or of all of them."""
    ids = policies.rollup_agencies(user)
    if agency_ids is not None:
        wanted = set(agency_ids)
        ids = [pk for pk in ids if pk in wanted]
    rows = (
        RollupIncident.objects.using(rollup_db())
        .filter(agency_id__in=ids)
        .values("agency__name", "category")
        .annotate(total=Count("pk"), open=Count("pk", filter=Q(closed_at__isnull=True) & ~Q(status="closed")))
        .order_by("agency__name", "category")
    )
    return [dict(row) for row in rows]


OPEN = Q(closed_at__isnull=True) & ~Q(status="closed")


def category_totals(user: Who, agency_ids: QuerySet[Agency] | None = None) -> list[dict[str, Any]]:
    """Open reports of all the agencies in the user's roll-up scope, by category: a row per category, read through
    the partial index of open summaries — not a count over every summary ever sent up, which grows without end."""
    db = rollup_db()
    ids = policies.rollup_scope(user, using=db) if agency_ids is None else agency_ids
    rows = (
        RollupIncident.objects.using(db)
        .filter(OPEN, agency__in=ids)
        .values("category")
        .annotate(open=Count("pk"))
        .order_by("category")
    )
    return [dict(row) for row in rows]


def agency_totals(agency_ids: list[int]) -> dict[int, dict[str, int]]:
    """Reports sent up by each of the given agencies (a page of the board, already within the user's scope)."""
    rows = (
        RollupIncident.objects.using(rollup_db())
        .filter(agency_id__in=agency_ids)
        .values("agency_id")
        .annotate(total=Count("pk"), open=Count("pk", filter=OPEN))
        .order_by()
    )
    return {row["agency_id"]: {"total": row["total"], "open": row["open"]} for row in rows}
