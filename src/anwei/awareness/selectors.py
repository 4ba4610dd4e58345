"""Reads for awareness work: lists narrowed by the policies, statistics per topic and unit over a plan period, and
the read receipts of an alert."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from anwei.accounts.actor import Who
from anwei.core import rocdate
from anwei.directory.models import Person
from anwei.notifications.models import Notification
from anwei.officecalendar import selectors as calendar_selectors
from anwei.officecalendar.models import OfficeDay
from anwei.plans.models import Plan

from . import policies
from .models import Activity, Attendance, Delegation, RandomCheckDraw, ReturnReport, TravelDeclaration


def activities(user: Who, *, start: date | None = None, end: date | None = None) -> QuerySet[Activity]:
    qs: QuerySet[Activity] = policies.activities.visible(user).select_related("unit", "plan")
    if start is not None:
        qs = qs.filter(held_on__gte=start)
    if end is not None:
        qs = qs.filter(held_on__lte=end)
    return qs.annotate(signed_in=Count("attendances"))


def attendance_of(activity: Activity) -> int:
    """Named sign-ins when there are any, else the head count."""
    named = activity.attendances.count()
    return named if named else (activity.attendee_count or 0)


def not_signed_in(activity: Activity) -> QuerySet[Person]:
    """The audience (or all staff) who have not signed in yet, for the organiser's list."""
    people = Person.objects.filter(agency_id=activity.agency_id, active=True).select_related("unit")
    audience = list(activity.audience_units.all())
    if audience:
        query = Q(pk__in=[])
        for unit in audience:
            query |= Q(unit__path__startswith=unit.path)
        people = people.filter(query)
    return people.exclude(pk__in=activity.attendances.values("person_id")).order_by("unit__path", "name")


def plan_dates(plan: Plan) -> tuple[date, date]:
    """The calendar days a plan period touches (its end is exclusive: 24時 ends the day before)."""
    from datetime import timedelta

    start = rocdate.local(plan.period_start).date()
    end = rocdate.local(plan.period_end - timedelta(microseconds=1)).date()
    return start, end


@dataclass
class Row:
    key: str
    label: str
    activities: int = 0
    attendance: int = 0


@dataclass
class Statistics:
    start: date
    end: date
    by_topic: list[Row] = field(default_factory=list)
    by_unit: list[Row] = field(default_factory=list)
    activities: int = 0
    attendance: int = 0
    head_count_only: int = 0  # attendance counted by head, not attributable to a unit


def statistics(user: Who, start: date, end: date) -> Statistics:
    """Activities and attendance per topic, and per unit: named attendees by their unit, activities by the units
    they were addressed to."""
    stats = Statistics(start=start, end=end)
    rows = list(activities(user, start=start, end=end).prefetch_related("audience_units"))
    topics = {value: Row(value, str(label)) for value, label in Activity.Topic.choices}
    units: dict[int, Row] = {}
    named = (
        Attendance.objects.filter(activity__in=[a.pk for a in rows])
        .values("unit_id", "unit__name")
        .annotate(n=Count("id"))
    )
    for item in named:
        uid = item["unit_id"] or 0
        units.setdefault(uid, Row(str(uid), item["unit__name"] or "—")).attendance += item["n"]
    for a in rows:
        count = a.signed_in if a.signed_in else (a.attendee_count or 0)  # type: ignore[attr-defined]  # annotated by activities()
        topics[a.topic].activities += 1
        topics[a.topic].attendance += count
        stats.activities += 1
        stats.attendance += count
        if not a.signed_in:  # type: ignore[attr-defined]  # annotated by activities()
            stats.head_count_only += count
        for unit in a.audience_units.all():
            units.setdefault(unit.pk, Row(str(unit.pk), unit.name)).activities += 1
    stats.by_topic = [r for r in topics.values() if r.activities]
    stats.by_unit = sorted(units.values(), key=lambda r: r.label)
    return stats


@dataclass
class Receipts:
    sent: int
    read: int
    acknowledged: int


def receipts(activity: Activity) -> Receipts:
    qs = Notification.objects.filter(source_type=activity._meta.label_lower, source_id=str(activity.pk))
    return Receipts(
        sent=qs.count(),
        read=qs.filter(read_at__isnull=False).count(),
        acknowledged=qs.filter(acknowledged_at__isnull=False).count(),
    )


def my_alert(activity: Activity, person_id: int | None) -> Notification | None:
    if not person_id:
        return None
    return Notification.objects.filter(
        source_type=activity._meta.label_lower, source_id=str(activity.pk), person_id=person_id
    ).first()


def declarations(user: Who) -> QuerySet[TravelDeclaration]:
    return policies.travel.visible(user).select_related("traveller", "unit", "return_report")


def due_for_ethics(user: Who) -> dict[str, Any]:
    """For the ethics office: return reports not yet filed (by due date) and upward filings not yet made."""
    scope = policies.travel.scope(user, "awareness.handle_travel")
    if scope.empty:
        return {}
    visible = TravelDeclaration.objects.filter(scope.q("unit")).select_related("traveller")
    return {
        "returns": visible.filter(return_report__isnull=True, returns_on__lt=timezone.localdate()).order_by(
            "return_due_on"
        ),
        "upward": ReturnReport.objects.filter(declaration__in=visible, upward_filed_on__isnull=True)
        .select_related("declaration__traveller")
        .order_by("upward_due_on"),
    }


def calendar_year(year: int) -> QuerySet[OfficeDay]:
    return calendar_selectors.year_days(year)


def delegations(user: Who) -> QuerySet[Delegation]:
    return policies.delegations.visible(user).select_related("unit").prefetch_related("hosts")


def delegations_for_export(user: Who) -> QuerySet[Delegation]:
    return delegations(user).annotate(n_anomalies=Count("anomalies"))


def draws(user: Who) -> QuerySet[RandomCheckDraw]:
    return policies.checks.visible(user).select_related("drawn_by")
