"""Reads for plans: the active plan of an agency, a plan's task tree and progress per unit, overdue tasks and
recent updates, the roster and its gaps, who is on duty now, and a person's shifts."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from anwei.accounts.actor import Who
from anwei.directory.models import Agency, DutyKind, DutyShift, Person, Unit
from anwei.directory.selectors import OnDuty
from anwei.directory.selectors import on_duty as directory_on_duty

from . import policies, recurrence, versions
from .models import OccurrenceReport, Plan, PlanVersion, ProgressNote, Task

LIVE = (Plan.Status.APPROVED, Plan.Status.ACTIVE)


def active_plan(agency: Agency | int, at: datetime | None = None) -> Plan | None:
    """The approved or active plan whose period contains `at` (default now); the latest-starting one if several."""
    at = at or timezone.now()
    return (
        Plan.objects.filter(agency=agency, status__in=LIVE, period_start__lte=at, period_end__gt=at)
        .order_by("-period_start")
        .first()
    )


def plans_of(agency: Agency | int) -> QuerySet[Plan]:
    return Plan.objects.filter(agency=agency)


def plans_for(user: Who, *, status: str = "") -> QuerySet[Plan]:
    qs = policies.plans.visible(user).select_related("agency", "owning_unit")
    return qs.filter(status=status) if status else qs


def on_duty(agency: Agency, kind_code: str, at: datetime | None = None) -> OnDuty:
    """Who answers for a duty kind at `at` (the directory's roster rule; used by notification routing)."""
    return directory_on_duty(agency, kind_code, at)


# --- tasks ---------------------------------------------------------------------------------------------------


@dataclass
class Node:
    task: Task
    depth: int
    visible: bool
    children: list["Node"] = field(default_factory=list)


def task_tree(user: Who, plan: Plan) -> list[Node]:
    """The whole 執行重點 tree (its wording is the plan's, seen by everyone who sees the plan); `visible` marks the
    tasks whose status, notes and evidence this user may see."""
    visible_ids = set(policies.tasks.visible(user, plan.tasks.all()).values_list("pk", flat=True))
    tasks = list(plan.tasks.prefetch_related("responsible_units", "cooperating_units").order_by("position", "pk"))
    by_parent: dict[int | None, list[Task]] = defaultdict(list)
    for task in tasks:
        by_parent[task.parent_id].append(task)

    def build(parent: int | None, depth: int) -> list[Node]:
        return [Node(t, depth, t.pk in visible_ids, build(t.pk, depth + 1)) for t in by_parent.get(parent, [])]

    return build(None, 0)


def flatten(nodes: list[Node]) -> list[Node]:
    out: list[Node] = []
    for node in nodes:
        out.append(node)
        out.extend(flatten(node.children))
    return out


def leaf_tasks(plan: Plan) -> QuerySet[Task]:
    """The tasks proper (items without sub-items); groups like （1） 落實機密維護 only hold them."""
    return plan.tasks.filter(children__isnull=True)


@dataclass(frozen=True)
class UnitProgress:
    unit: Unit
    total: int
    done: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def progress_by_unit(user: Who, plan: Plan) -> list[UnitProgress]:
    tasks = policies.tasks.visible(user, leaf_tasks(plan)).prefetch_related("responsible_units")
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    units: dict[int, Unit] = {}
    for task in tasks:
        for unit in task.responsible_units.all():
            units[unit.pk] = unit
            counts[unit.pk][0] += 1
            counts[unit.pk][1] += int(task.is_finished)
    return [UnitProgress(units[pk], *counts[pk]) for pk in sorted(units, key=lambda pk: units[pk].path)]


def overdue_tasks(user: Who, plan: Plan, at: datetime | None = None) -> QuerySet[Task]:
    at = at or timezone.now()
    return (
        policies.tasks.visible(user, plan.tasks.all())
        .filter(due_at__lt=at)
        .exclude(status__in=[Task.Status.DONE, Task.Status.NOT_APPLICABLE])
        .order_by("due_at")
    )


def recent_updates(user: Who, plan: Plan, limit: int = 10) -> QuerySet[ProgressNote]:
    tasks = policies.tasks.visible(user, plan.tasks.all())
    return ProgressNote.objects.filter(task__in=tasks).select_related("task", "author")[:limit]


# --- recurring tasks -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OccurrenceRow:
    occurrence: recurrence.Occurrence
    report: OccurrenceReport | None
    at: datetime

    @property
    def begun(self) -> bool:
        return self.occurrence.starts_at <= self.at

    @property
    def overdue(self) -> bool:
        return self.report is None and self.occurrence.due_at <= self.at

    @property
    def late(self) -> bool:
        return self.report is not None and self.report.created_at > self.occurrence.due_at


def occurrence_rows(task: Task, at: datetime | None = None) -> list[OccurrenceRow]:
    """A recurring task's days, each with its report (if any)."""
    at = at or timezone.now()
    reports = {r.day: r for r in task.occurrence_reports.select_related("author")}
    return [OccurrenceRow(o, reports.get(o.day), at) for o in recurrence.of_task(task)]


def default_report_day(open_days: list[date]) -> str | None:
    """The day a recurring task's report form proposes: today (the office's local date) when it is open, else the
    latest open day before it."""
    today = timezone.localdate()
    earlier = [d for d in open_days if d <= today]
    return max(earlier).isoformat() if earlier else None


@dataclass(frozen=True)
class MissedOccurrence:
    task: Task
    occurrence: recurrence.Occurrence


def overdue_occurrences(user: Who, plan: Plan, at: datetime | None = None) -> list[MissedOccurrence]:
    """The days of recurring tasks (not finished) that were due by `at` and nobody reported, oldest first."""
    at = at or timezone.now()
    tasks = (
        policies.tasks.visible(user, plan.tasks.exclude(recurrence=""))
        .exclude(status__in=[Task.Status.DONE, Task.Status.NOT_APPLICABLE])
        .select_related("plan")
        .order_by("position", "pk")
    )
    reported = set(OccurrenceReport.objects.filter(task__in=tasks).values_list("task_id", "day"))
    missed = [
        MissedOccurrence(task, o)
        for task in tasks
        for o in recurrence.of_task(task)
        if o.due_at <= at and (task.pk, o.day) not in reported
    ]
    return sorted(missed, key=lambda m: (m.occurrence.due_at, m.task.position))


# --- amendment history ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionLine:
    version: PlanVersion
    changes: list[str]


def version_history(plan: Plan) -> list[VersionLine]:
    """Each version, newest first, with what it changed against the one before (who and why are on the version)."""
    ordered = list(plan.versions.select_related("created_by").order_by("number"))
    lines = [
        VersionLine(v, versions.changes(ordered[i - 1].content if i else None, v.content))
        for i, v in enumerate(ordered)
    ]
    return lines[::-1]


def progress_history(user: Who, plan: Plan, limit: int = 200) -> QuerySet[ProgressNote]:
    """Who reported what on the tasks this user may see (status before → after, and the note), newest first."""
    return recent_updates(user, plan, limit)


# --- roster --------------------------------------------------------------------------------------------------


def roster(plan: Plan, kind: DutyKind | None = None) -> QuerySet[DutyShift]:
    qs = DutyShift.objects.filter(
        kind__agency=plan.agency_id, starts_at__lt=plan.period_end, ends_at__gt=plan.period_start
    ).select_related("kind", "person", "substitute")
    if kind is not None:
        qs = qs.filter(kind=kind)
    return qs.order_by("kind__code", "starts_at")


@dataclass(frozen=True)
class Gap:
    """A stretch of the plan period when nobody answers for a duty kind."""

    kind: DutyKind
    starts_at: datetime
    ends_at: datetime
    shift: DutyShift | None = None


def _nobody(shift: DutyShift) -> bool:
    person = shift.person if shift.person and shift.person.active else None
    substitute = shift.substitute if shift.substitute and shift.substitute.active else None
    return (person is None or shift.primary_unavailable) and substitute is None


def roster_gaps(plan: Plan) -> list[Gap]:
    """Shifts with nobody on duty, and stretches of the period that no shift covers, per duty kind."""
    gaps: list[Gap] = []
    shifts_by_kind: dict[int, list[DutyShift]] = defaultdict(list)
    for shift in roster(plan):
        shifts_by_kind[shift.kind_id].append(shift)
    for kind in DutyKind.objects.filter(agency=plan.agency_id).order_by("code"):
        covered = plan.period_start
        for shift in shifts_by_kind.get(kind.pk, []):
            if shift.starts_at > covered:
                gaps.append(Gap(kind, covered, shift.starts_at))
            if _nobody(shift):
                gaps.append(
                    Gap(kind, max(shift.starts_at, plan.period_start), min(shift.ends_at, plan.period_end), shift)
                )
            covered = max(covered, shift.ends_at)
        if covered < plan.period_end:
            gaps.append(Gap(kind, covered, plan.period_end))
    return gaps


def shifts_of(person: Person) -> QuerySet[DutyShift]:
    """A person's shifts, on duty or as substitute (for the iCal feed)."""
    return (
        DutyShift.objects.filter(Q(person=person) | Q(substitute=person))
        .select_related("kind", "person", "substitute")
        .order_by("starts_at")
    )


# --- contacts ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Phone:
    kind: str
    number: str
    ext: str = ""

    @property
    def href(self) -> str:
        """tel: URI; an extension is dialled after a pause (",")."""
        digits = "".join(c for c in self.number if c.isdigit() or c == "+")
        return f"tel:{digits}{',' + self.ext if self.ext else ''}"

    @property
    def callable(self) -> bool:
        return self.kind != "fax"


@dataclass(frozen=True)
class ContactLine:
    pk: int
    name: str
    title: str
    where: str
    phones: list[Phone]
    person: Person | None
    organisation: Any


def contact_sheet(plan: Plan) -> list[ContactLine]:
    """The plan's contact list with numbers: those the plan gives, else the linked person's or organisation's."""
    lines = []
    for contact in plan.contacts.select_related("person__unit", "organisation"):
        phones = [Phone(p.get("kind", ""), p.get("number", ""), p.get("ext", "")) for p in contact.phones]
        person, org = contact.person, contact.organisation
        if not phones and person is not None:
            phones = [
                Phone(kind, number, ext)
                for kind, number, ext in (
                    ("mobile", person.mobile, ""),
                    ("office", person.office_phone, person.extension),
                    ("fax", person.fax, ""),
                )
                if number
            ]
        if not phones and org is not None:
            phones = [Phone(k, n) for k, n in (("office", org.phone), ("fax", org.fax)) if n]
        where = org.name if org else (person.unit.name if person and person.unit else "")
        lines.append(
            ContactLine(contact.pk, contact.name, contact.title, where, [p for p in phones if p.number], person, org)
        )
    return lines
