"""Writes for a plan's duty roster (值勤表), on top of the directory's DutyKind/DutyShift: shifts generated over
the plan period (day and night by default), who is on duty and who substitutes, and the handover notes. Each write
is in one transaction with its audit entry. Who is on duty at a moment is `directory.selectors.on_duty`."""

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from itertools import pairwise

from django.db import transaction
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, write_service
from anwei.audit import services as audit
from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.core.rocdate import TAIPEI, local
from anwei.directory import services as directory
from anwei.directory.models import DutyKind, DutyShift, Person

from .. import policies
from ..models import Plan

DAY_AND_NIGHT = (8, 20)  # shifts change at 08:00 and 20:00 Taipei time


def _require(actor: Actor, action: str, plan: Plan) -> None:
    if not actor.is_system and not policies.plans.can(actor, action, plan):
        raise NotAllowed()


def shift_bounds(
    start: datetime, end: datetime, change_hours: Sequence[int] = DAY_AND_NIGHT
) -> list[tuple[datetime, datetime]]:
    """[start, end) cut at each change hour (local time): a period from 22:00 gives a first shift 22:00–08:00."""
    if not change_hours or any(not 0 <= h < 24 for h in change_hours):
        raise BusinessRuleError(_("Shift changes are hours from 0 to 23."), field="change_hours")
    cuts = []
    day = local(start).date()
    while True:
        for hour in sorted(set(change_hours)):
            moment = datetime.combine(day, time(hour), tzinfo=TAIPEI)
            if start < moment < end:
                cuts.append(moment)
        if datetime.combine(day, time(0), tzinfo=TAIPEI) >= end:
            break
        day += timedelta(days=1)
    points = [local(start), *cuts, local(end)]
    return list(pairwise(points))


@write_service
@transaction.atomic
def generate_roster(
    *,
    actor: Actor,
    plan: Plan,
    kind: DutyKind,
    people: Sequence[Person],
    change_hours: Sequence[int] = DAY_AND_NIGHT,
) -> list[DutyShift]:
    """Shifts over the whole plan period for one duty kind, people taking turns in the order given (each one's
    substitute is the next in turn). An empty list of people gives shifts with nobody: gaps to fill."""
    _require(actor, "plans.roster_edit", plan)
    if kind.agency_id != plan.agency_id:
        raise BusinessRuleError(_("The duty kind belongs to another agency."), field="kind")
    if DutyShift.objects.filter(kind=kind, starts_at__lt=plan.period_end, ends_at__gt=plan.period_start).exists():
        raise BusinessRuleError(_("This duty already has shifts in the plan period."), field="kind")
    people = list(people)
    shifts = []
    for index, (starts_at, ends_at) in enumerate(shift_bounds(plan.period_start, plan.period_end, change_hours)):
        person = people[index % len(people)] if people else None
        substitute = people[(index + 1) % len(people)] if len(people) > 1 else None
        shifts.append(
            directory.add_shift(
                actor=actor, kind=kind, starts_at=starts_at, ends_at=ends_at, person=person, substitute=substitute
            )
        )
    return shifts


def _plan_of(shift: DutyShift) -> Plan | None:
    return (
        Plan.objects.filter(agency=shift.kind.agency_id, period_start__lt=shift.ends_at, period_end__gt=shift.starts_at)
        .order_by("-period_start")
        .first()
    )


def _check_shift_rights(actor: Actor, shift: DutyShift, action: str) -> None:
    if actor.is_system:
        return
    plan = _plan_of(shift)
    if plan is None or not policies.plans.can(actor, action, plan):
        raise NotAllowed()


@write_service
@transaction.atomic
def assign_shift(
    *,
    actor: Actor,
    shift: DutyShift,
    person: Person | None,
    substitute: Person | None = None,
    primary_unavailable: bool = False,
) -> DutyShift:
    _check_shift_rights(actor, shift, "plans.roster_edit")
    for who, field in ((person, "person"), (substitute, "substitute")):
        if who is not None and who.agency_id != shift.kind.agency_id:
            raise BusinessRuleError(_("This person belongs to another agency."), field=field)
    if person is not None and person == substitute:
        raise BusinessRuleError(_("The substitute must be someone else."), field="substitute")
    before = audit.snapshot(shift, ["person_id", "substitute_id", "primary_unavailable"])
    shift.person, shift.substitute, shift.primary_unavailable = person, substitute, primary_unavailable
    shift.save()
    audit.record_update(actor=actor, obj=shift, before=before)
    return shift


@write_service
@transaction.atomic
def write_handover(*, actor: Actor, shift: DutyShift, note: str) -> DutyShift:
    """The handover note (交接事項) the person on duty leaves for the next shift."""
    _check_shift_rights(actor, shift, "plans.handover")
    before = audit.snapshot(shift, ["handover_note"])
    shift.handover_note = note.strip()
    shift.save(update_fields=["handover_note"])
    audit.record_update(actor=actor, obj=shift, before=before)
    return shift
