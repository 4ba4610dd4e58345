"""Writes for exercises (演練), each in one transaction with its audit entry. Running: `start()` sets each inject's
time (the offset divided by the acceleration) and queues the runner task; the runner files what is due as drill
reports and queues itself again for the next inject, until every inject is filed or the exercise is stopped."""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, write_service
from anwei.audit import services as audit
from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.directory.models import Person, Unit
from anwei.incidents import drill_reports, rules
from anwei.incidents import services as incidents
from anwei.incidents.models import Incident
from anwei.notifications.models import Notification
from anwei.plans.models import Plan

from . import policies, script
from .models import Exercise, Inject

logger = logging.getLogger(__name__)


def _require(actor: Actor, exercise: Exercise | None = None) -> None:
    if not actor.is_system and not policies.exercises.can(actor, "drills.run", exercise):
        raise NotAllowed()


def _unit(plan: Plan, value: str, line: int) -> Unit | None:
    if not value:
        return None
    unit = Unit.objects.filter(Q(code=value) | Q(name=value), agency_id=plan.agency_id).first()
    if unit is None:
        raise BusinessRuleError(_("Inject %(n)d: no unit %(unit)s.") % {"n": line, "unit": value}, field="script")
    return unit


def _filer(plan: Plan, value: str, line: int) -> Person | None:
    if not value:
        return None
    person = Person.objects.filter(Q(email__iexact=value) | Q(name=value), agency_id=plan.agency_id).first()
    if person is None:
        raise BusinessRuleError(_("Inject %(n)d: no person %(who)s.") % {"n": line, "who": value}, field="script")
    return person


def _inject(exercise: Exercise, row: dict[str, str], line: int) -> Inject:
    if row["category"] not in rules.CATEGORIES:
        raise BusinessRuleError(_("Inject %(n)d: unknown category.") % {"n": line}, field="script")
    level = int(row["level"]) if row.get("level") else None
    if level is not None and (row["category"] != "cyber" or level not in rules.CYBER_LEVELS):
        raise BusinessRuleError(_("Inject %(n)d: only a cyber report has a level (1–4).") % {"n": line}, field="script")
    return Inject(
        exercise=exercise,
        position=line,
        offset_minutes=int(row["offset"]),
        category=row["category"],
        cyber_level=level,
        unit=_unit(exercise.plan, row.get("unit", ""), line),
        text=row["text"][:200],
        description=row.get("details", ""),
        filer=_filer(exercise.plan, row.get("filer", ""), line),
    )


@write_service
@transaction.atomic
def create_exercise(
    *,
    actor: Actor,
    plan: Plan,
    name: str,
    speed: int = 1,
    tells_outside: bool = False,
    rows: list[dict[str, str]] | None = None,
) -> Exercise:
    """A new exercise of `plan` with its script (rows as `script.parse` gives them)."""
    probe = Exercise(plan=plan, agency_id=plan.agency_id)
    _require(actor, probe)
    name = (name or "").strip()
    if not name:
        raise BusinessRuleError(_("Give the exercise a name."), field="name")
    if speed < 1 or speed > 3600:
        raise BusinessRuleError(_("The acceleration must be between 1 and 3600."), field="speed")
    exercise = Exercise.objects.create(
        plan=plan,
        agency_id=plan.agency_id,
        name=name[:200],
        speed=speed,
        tells_outside=tells_outside,
        created_by=actor.user,
    )
    injects = [_inject(exercise, row, n) for n, row in enumerate(rows or [], 1)]
    Inject.objects.bulk_create(injects)
    audit.record(
        actor=actor,
        action=audit.Action.CREATE,
        obj=exercise,
        changes={"plan": plan.pk, "speed": speed, "tells_outside": tells_outside, "injects": len(injects)},
    )
    return exercise


@write_service
@transaction.atomic
def add_inject(*, actor: Actor, exercise: Exercise, row: dict[str, str]) -> Inject:
    """One more inject, written on the exercise's page, before the exercise starts (a row as `script.parse` gives)."""
    _require(actor, exercise)
    exercise = Exercise.objects.select_for_update().get(pk=exercise.pk)
    if exercise.status != Exercise.Status.DRAFT:
        raise BusinessRuleError(_("The exercise has already been played."))
    position = exercise.injects.count() + 1
    inject = _inject(exercise, script.clean(row, position), position)
    inject.save()
    audit.record(actor=actor, action=audit.Action.UPDATE, obj=exercise, changes={"inject": [None, inject.text]})
    return inject


@write_service
def load(*, actor: Actor, plan: Plan, content: bytes | str, filename: str, name: str = "") -> Exercise:
    """An exercise from a YAML or CSV script file (`python -m anwei drill load FILE --plan ID`)."""
    parsed = script.parse(content, filename)
    return create_exercise(
        actor=actor,
        plan=plan,
        name=name or parsed.name or filename.rsplit("/", 1)[-1],
        speed=parsed.speed or 1,
        tells_outside=bool(parsed.tells_outside),
        rows=parsed.rows,
    )


@write_service
@transaction.atomic
def start(*, actor: Actor, exercise: Exercise, speed: int | None = None) -> Exercise:
    _require(actor, exercise)
    exercise = Exercise.objects.select_for_update().get(pk=exercise.pk)
    if exercise.status == Exercise.Status.RUNNING:
        raise BusinessRuleError(_("The exercise is already running."))
    if exercise.status in (Exercise.Status.FINISHED, Exercise.Status.STOPPED):
        raise BusinessRuleError(_("The exercise has already been played."))
    if speed is not None:
        if speed < 1 or speed > 3600:
            raise BusinessRuleError(_("The acceleration must be between 1 and 3600."), field="speed")
        exercise.speed = speed
    now = timezone.now()
    exercise.status, exercise.started_at = Exercise.Status.RUNNING, now
    exercise.save(update_fields=["status", "started_at", "speed"])
    for inject in exercise.injects.all():
        inject.due_at = now + timedelta(minutes=inject.offset_minutes) / exercise.speed
        inject.save(update_fields=["due_at"])
    audit.record(
        actor=actor, action=audit.Action.UPDATE, obj=exercise, changes={"status": "running", "speed": exercise.speed}
    )
    transaction.on_commit(lambda: schedule(exercise.pk))
    return exercise


@write_service
@transaction.atomic
def stop(*, actor: Actor, exercise: Exercise) -> Exercise:
    """End the exercise (running, or with every inject filed): injects not yet filed never will be, and its drill
    reports are closed, so their clocks and messages stop escalating."""
    _require(actor, exercise)
    exercise = Exercise.objects.select_for_update().get(pk=exercise.pk)
    if exercise.status not in (Exercise.Status.RUNNING, Exercise.Status.FINISHED):
        raise BusinessRuleError(_("The exercise is not running."))
    exercise.status, exercise.stopped_at = Exercise.Status.STOPPED, timezone.now()
    exercise.save(update_fields=["status", "stopped_at"])
    ids = exercise.injects.filter(incident__isnull=False).values_list("incident_id", flat=True)
    drill_reports.end(actor=actor, incident_ids=ids, outcome=_("The exercise has ended."))
    audit.record(actor=actor, action=audit.Action.UPDATE, obj=exercise, changes={"status": "stopped"})
    return exercise


def schedule(exercise_id: int, at: datetime | None = None) -> None:
    from .tasks import run_exercise

    task = run_exercise.using(run_after=at) if at is not None else run_exercise
    task.enqueue(exercise_id)


def _file(exercise: Exercise, inject: Inject) -> None:
    """File one inject as a drill report, by the person the script names (the system when none)."""
    if not Inject.objects.filter(pk=inject.pk, filed_at__isnull=True).update(filed_at=timezone.now()):
        return  # another runner took it
    try:
        incident = incidents.file_report(
            actor=Actor.system(),
            agency=exercise.agency,
            category=inject.category,
            title=inject.text,
            description=inject.description,
            unit=inject.unit,
            reporter=inject.filer,
            cyber_level=inject.cyber_level,
            drill=True,
            drill_tells_outside=exercise.tells_outside,
        )
    except BusinessRuleError as exc:  # e.g. a unit or person deactivated since the script was written
        Inject.objects.filter(pk=inject.pk).update(error=str(exc.message)[:300])
        return
    except Exception:  # the runner goes on with the next injects; the log has the details
        logger.exception("drill inject %s could not be filed", inject.pk)
        Inject.objects.filter(pk=inject.pk).update(error=_("The inject could not be filed."))
        return
    if incident.plan_id != exercise.plan_id:
        Incident.objects.filter(pk=incident.pk).update(plan_id=exercise.plan_id)
    Inject.objects.filter(pk=inject.pk).update(incident=incident)


def file_due(exercise_id: int, now: datetime | None = None) -> datetime | None:
    """File the injects of a running exercise whose time has come; the time of the next one (None when done)."""
    now = now or timezone.now()
    exercise = Exercise.objects.filter(pk=exercise_id, status=Exercise.Status.RUNNING).first()
    if exercise is None:
        return None
    for inject in exercise.injects.filter(filed_at__isnull=True, due_at__lte=now):
        _file(exercise, inject)
    upcoming = exercise.injects.filter(filed_at__isnull=True).order_by("due_at").first()
    if upcoming is None:
        Exercise.objects.filter(pk=exercise.pk, status=Exercise.Status.RUNNING).update(status=Exercise.Status.FINISHED)
        return None
    return upcoming.due_at


def file_all_due() -> int:
    """The safety net (each minute): every running exercise files what is due, whatever happened to its runner."""
    count = 0
    for pk in Exercise.objects.filter(status=Exercise.Status.RUNNING).values_list("pk", flat=True):
        file_due(pk)
        count += 1
    return count


@write_service
@transaction.atomic
def delete_exercise(*, actor: Actor, exercise: Exercise) -> None:
    """Delete an exercise with its drill reports and their messages; the audit log keeps what happened."""
    _require(actor, exercise)
    if exercise.status in (Exercise.Status.RUNNING, Exercise.Status.FINISHED):
        raise BusinessRuleError(_("End the exercise before deleting it."))
    ids = list(exercise.injects.filter(incident__isnull=False).values_list("incident_id", flat=True))
    references = list(
        Incident.objects.filter(pk__in=ids, drill=True).order_by("year", "number").values_list("reference", flat=True)
    )
    audit.record(
        actor=actor,
        action=audit.Action.DELETE,
        obj=exercise,
        changes={"name": exercise.name, "plan": exercise.plan_id, "drill_reports": references},
    )
    Notification.objects.filter(source_type="incidents.incident", source_id__in=[str(pk) for pk in ids]).delete()
    Incident.objects.filter(pk__in=ids, drill=True).delete()
    exercise.delete()


@write_service
def record_report_download(*, actor: Actor, exercise: Exercise, fmt: str) -> None:
    audit.record(actor=actor, action=audit.Action.EXPORT, obj=exercise, changes={"format": fmt})
