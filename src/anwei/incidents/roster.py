"""What routing reads for every report, read once per process and kept until something changes (issue 20): the
routing rules, each agency's role holders, outside contacts, duty shifts around now, live plans and units (the
registered contact channels are in notifications.outbox). Valid under one cache generation (anwei.core.generation):
a change to any of these rows sets a new one in its own transaction, so every process reloads at its next request.
Duty shifts are kept for a window of hours from when they were read; a moment before it is read from the
database."""

from datetime import datetime, timedelta

from django.utils import timezone

from anwei.accounts.models import RoleAssignment, User
from anwei.core import generation
from anwei.directory.models import Agency, DutyKind, DutyShift, ExternalContact, Organisation, Person, Unit
from anwei.directory.selectors import OnDuty, duty_of, on_duty
from anwei.plans.models import Plan

from .models import RoutingRule

WINDOW = timedelta(hours=6)
MARGIN = timedelta(minutes=10)

_cache = generation.Cache()
generation.watch(
    RoutingRule, RoleAssignment, User, Person, Unit, Agency, ExternalContact, Organisation, DutyKind, DutyShift
)
generation.watch(Plan)


def _agency_id(agency: Agency | int) -> int:
    return agency if isinstance(agency, int) else int(agency.pk)


def rules() -> list[RoutingRule]:
    """The active routing rules, in order."""
    result: list[RoutingRule] = _cache.get(
        "rules", lambda: list(RoutingRule.objects.filter(active=True).order_by("id"))
    )
    return result


def role_holders(agency: Agency | int) -> list[RoleAssignment]:
    """The agency's role assignments of active users with a person (person and unit loaded), in order."""
    agency_id = _agency_id(agency)

    def load() -> list[RoleAssignment]:
        return list(
            RoleAssignment.objects.filter(unit__agency_id=agency_id, user__is_active=True, user__person__isnull=False)
            .select_related("user__person", "unit")
            .order_by("pk")
        )

    result: list[RoleAssignment] = _cache.get(("roles", agency_id), load)
    return result


def org_contacts(agency: Agency | int) -> list[ExternalContact]:
    agency_id = _agency_id(agency)

    def load() -> list[ExternalContact]:
        qs = ExternalContact.objects.filter(organisation__agency_id=agency_id).select_related("organisation")
        return list(qs.order_by("pk"))

    result: list[ExternalContact] = _cache.get(("orgs", agency_id), load)
    return result


def _read_shifts(agency_id: int, at: datetime) -> tuple[datetime, datetime, list[DutyShift]]:
    start, end = at - MARGIN, at + WINDOW
    shifts = DutyShift.objects.filter(kind__agency_id=agency_id, starts_at__lt=end, ends_at__gt=start)
    return start, end, list(shifts.select_related("kind", "person__user", "substitute__user").order_by("pk"))


def duty(agency: Agency, kind_code: str, at: datetime | None = None) -> OnDuty:
    """directory.selectors.on_duty from the cached roster: the shift covering `at` (half-open), the latest-starting
    one where shifts overlap. A moment before the cached window is read from the database; one after it moves the
    window."""
    at = at or timezone.now()
    key = ("shifts", agency.pk)
    start, end, shifts = _cache.get(key, lambda: _read_shifts(agency.pk, at))
    if at < start:
        return on_duty(agency, kind_code, at)
    if at >= end:
        start, end, shifts = _cache.values[key] = _read_shifts(agency.pk, at)
    covering = [s for s in shifts if s.kind.code == kind_code and s.starts_at <= at < s.ends_at]
    return duty_of(max(covering, key=lambda s: (s.starts_at, s.pk), default=None))


def active_plan(agency: Agency | int, at: datetime | None = None) -> Plan | None:
    """plans.selectors.active_plan from the cached live plans of the agency."""
    from anwei.plans.selectors import LIVE

    agency_id = _agency_id(agency)
    at = at or timezone.now()
    live: list[Plan] = _cache.get(
        ("plans", agency_id), lambda: list(Plan.objects.filter(agency_id=agency_id, status__in=LIVE))
    )
    current = [p for p in live if p.period_start <= at < p.period_end]
    return max(current, key=lambda p: p.period_start, default=None)


def units_by_code(agency: Agency | int) -> dict[str, Unit]:
    agency_id = _agency_id(agency)
    result: dict[str, Unit] = _cache.get(
        ("units", agency_id), lambda: {u.code: u for u in Unit.objects.filter(agency_id=agency_id, active=True)}
    )
    return result


def forget() -> None:
    _cache.clear()
