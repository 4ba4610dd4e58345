"""Reads for inspections, always narrowed by the policies."""

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from anwei.accounts.actor import Actor, Who
from anwei.directory.models import Unit

from . import policies
from .models import ChecklistTemplate, CorrectiveAction, Finding, Inspection, Round, Severity
from .rules import rules_on


def templates(user: Who) -> QuerySet[ChecklistTemplate]:
    return policies.templates.visible(user).prefetch_related("versions")


def rounds(user: Who, *, status: str = "") -> QuerySet[Round]:
    qs: QuerySet[Round] = policies.rounds.visible(user).select_related("plan", "unit", "version__template")
    if status:
        qs = qs.filter(status=status)
    return qs.annotate(
        total=Count("inspections", distinct=True),
        done=Count("inspections", filter=Q(inspections__status=Inspection.Status.DONE), distinct=True),
    )


@dataclass(frozen=True)
class Summary:
    done: int
    total: int
    by_severity: list[tuple[str, Any, int]]  # (code, label, count)
    findings: int
    corrected: int
    open: int
    overdue: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def summary(round_: Round) -> Summary:
    inspections = round_.inspections.aggregate(
        total=Count("pk"), done=Count("pk", filter=Q(status=Inspection.Status.DONE))
    )
    findings = Finding.objects.filter(inspection__round=round_)
    counts = dict(findings.values_list("severity").annotate(n=Count("pk")))
    actions = CorrectiveAction.objects.filter(finding__inspection__round=round_)
    today = timezone.localdate()
    return Summary(
        done=inspections["done"],
        total=inspections["total"],
        by_severity=[(code, label, counts.get(code, 0)) for code, label in reversed(Severity.choices)],
        findings=sum(counts.values()),
        corrected=actions.filter(status=CorrectiveAction.Status.CLOSED).count(),
        open=actions.exclude(status=CorrectiveAction.Status.CLOSED).count(),
        overdue=actions.filter(status=CorrectiveAction.Status.OPEN, due_on__lt=today).count(),
    )


def round_inspections(round_: Round, *, status: str = "", q: str = "") -> QuerySet[Inspection]:
    qs = round_.inspections.select_related("target").annotate(n_findings=Count("findings"))
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(target__name__icontains=q) | Q(target__code__icontains=q))
    return qs.order_by("due_on", "target__path")


def my_inspections(user: Who) -> QuerySet[Inspection]:
    """Inspections the user is named to carry out, not yet done, in open rounds."""
    return (
        Inspection.objects.filter(round__inspectors=Actor.of(user).user_id, round__status=Round.Status.OPEN)
        .exclude(status=Inspection.Status.DONE)
        .select_related("round", "target")
        .order_by("due_on", "round", "target__path")
    )


def findings(user: Who, *, severity: str = "", round_id: int | None = None) -> QuerySet[Finding]:
    qs = policies.findings.visible(user).select_related("unit", "item", "inspection__round", "action")
    if severity:
        qs = qs.filter(severity=severity)
    if round_id is not None:
        qs = qs.filter(inspection__round_id=round_id)
    return qs


def actions(user: Who, *, status: str = "", unit: Unit | None = None) -> QuerySet[CorrectiveAction]:
    qs = policies.actions.visible(user).select_related("unit", "finding__item", "finding__inspection__round")
    if status == "overdue":
        qs = qs.filter(status=CorrectiveAction.Status.OPEN, due_on__lt=timezone.localdate())
    elif status:
        qs = qs.filter(status=status)
    if unit is not None:
        qs = qs.filter(unit=unit)
    return qs


def target_history(user: Who, unit: Unit) -> QuerySet[Inspection]:
    visible: QuerySet[Inspection] = policies.inspections.visible(user)
    return (
        visible.filter(target=unit)
        .select_related("round__version__template")
        .annotate(n_findings=Count("findings"))
        .order_by("-due_on", "-pk")
    )


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class CadenceRow:
    unit: Unit
    last_done: date | None
    next_due: date | None  # None: never inspected, due now
    today: date

    @property
    def overdue(self) -> bool:
        return self.next_due is None or self.next_due < self.today


def cadence(user: Who, *, today: date | None = None) -> list[CadenceRow]:
    """When each department (處) the user may see is next due for its confidentiality inspection (at least every
    six months, DOMAIN §3)."""
    today = today or timezone.localdate()
    scope = policies.rounds.scope(user, "inspections.view")
    return cadence_rows(Unit.objects.filter(scope.q(""), active=True, kind=Unit.Kind.DEPARTMENT), today)


def cadence_rows(units: QuerySet[Unit], today: date) -> list[CadenceRow]:
    rules = rules_on(today)
    units = units.order_by("path")
    last = dict(
        Inspection.objects.filter(
            target__in=units,
            status=Inspection.Status.DONE,
            round__version__template__code=rules.confidentiality_template,
        )
        .values("target")
        .annotate(last=Max("submitted_at"))
        .values_list("target", "last")
    )
    rows = []
    for unit in units:
        at = last.get(unit.pk)
        done = timezone.localtime(at).date() if at else None
        due = add_months(done, rules.confidentiality_every_months) if done else None
        rows.append(CadenceRow(unit, done, due, today))
    return sorted(rows, key=lambda r: (r.next_due or date.min, r.unit.path))
