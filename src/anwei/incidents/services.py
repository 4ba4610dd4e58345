"""Writes for reports (通報), each in one transaction with its audit entry and its outbox rows.

`file_report()` is the public entry point other apps call (e.g. an inspection finding that must be reported)."""

import math
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from anwei.accounts.actor import Actor, Who, write_service
from anwei.audit import services as audit
from anwei.core import newrow, rates
from anwei.core.errors import BusinessRuleError, NotAllowed, TooManyRequests
from anwei.core.rocdate import roc_year
from anwei.core.text import single_line
from anwei.directory.models import Agency, Person, Unit
from anwei.notifications import services as notifications
from anwei.notifications.models import Notification

from . import access, clocks, filing, policies, roster, routing, rules, selectors, unit_tasks
from . import attachments as files
from .messages import message, url_of
from .models import Attachment, Deadline, Escalation, Incident, TimelineEntry

EXTRA_FIELDS = {"measures_taken", "support_needed", "attachments"}
REPORT_FIELDS = [
    "scope_and_damage",
    "containment_steps",
    "investigation_steps",
    "root_cause",
    "preventive_measures",
    "follow_up",
]
CLOCK_SKEW = timedelta(minutes=5)


def _repr(incident: Incident) -> str:
    """What the audit log and outside messages may show: restricted reports only by their reference."""
    return incident.reference if incident.restricted else f"{incident.reference} {incident.title}"


def _check_level(category: str, cyber_level: Any) -> int | None:
    if category != "cyber":
        if cyber_level not in (None, ""):
            raise BusinessRuleError(_("Only cyber-security incidents have a level."), field="cyber_level")
        return None
    try:
        level = int(cyber_level)
    except (TypeError, ValueError):
        raise BusinessRuleError(_("Choose the incident level (1–4)."), field="cyber_level") from None
    if level not in rules.CYBER_LEVELS:
        raise BusinessRuleError(_("The level must be 1, 2, 3 or 4."), field="cyber_level")
    return level


def _severity(category: str, severity: str | None, level: int | None) -> str:
    if severity and severity not in rules.SEVERITIES:
        raise BusinessRuleError(_("Unknown severity."), field="severity")
    candidates = [severity or rules.category(category).default_severity]
    if level is not None:
        candidates.append(rules.CYBER_LEVELS[level].severity)
    return max(candidates, key=rules.severity_rank)


def _filing_rate(actor: Actor) -> filing.Limit | None:
    """Each filing tells outside bodies (the investigation bureau, the police, the cyber-incident contact): one
    user may file at most ANWEI_FILING_RATE reports in its period (default 30 in 10 minutes). Counted from the
    reports themselves, so every web process counts the same — in the statement that takes the reference number
    (filing.take_number); `_check_filing_rate` says when the user may file again."""
    if not actor.is_authenticated or actor.user_id is None:
        return None
    rate = rates.parse(settings.ANWEI_FILING_RATE, setting="ANWEI_FILING_RATE")
    if rate is None:
        return None
    return filing.Limit(actor.user_id, timezone.now() - rate.period, rate.count, lambda: _check_filing_rate(actor))


def _check_filing_rate(actor: Actor) -> None:
    """Refused (TooManyRequests, with when to try again) when the user has filed to the limit in the period."""
    if not actor.is_authenticated:
        return
    rate = rates.parse(settings.ANWEI_FILING_RATE, setting="ANWEI_FILING_RATE")
    if rate is None:
        return
    since = timezone.now() - rate.period
    recent = list(
        Incident.objects.filter(filed_by_id=actor.user_id, created_at__gt=since)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[: rate.count]
    )
    if len(recent) < rate.count:
        return
    retry_after = (recent[-1] + rate.period - timezone.now()).total_seconds()
    minutes = max(1, math.ceil(retry_after / 60))
    raise TooManyRequests(
        ngettext(
            "You have filed many reports in a short time. You may file again in %(minutes)d minute; "
            "in an emergency, telephone the ethics office.",
            "You have filed many reports in a short time. You may file again in %(minutes)d minutes; "
            "in an emergency, telephone the ethics office.",
            minutes,
        )
        % {"minutes": minutes},
        retry_after=math.ceil(retry_after),
    )


def _timeline(incident: Incident, kind: str, actor: Actor | None = None, text: str = "", **data: Any) -> TimelineEntry:
    return TimelineEntry.objects.create(
        incident=incident,
        kind=kind,
        actor=actor.user if actor is not None else None,
        text=text,
        data=data,
    )


@write_service
def file_report(
    *,
    actor: Actor,
    category: str,
    title: str,
    agency: Agency | None = None,
    description: str = "",
    unit: Unit | int | None = None,
    reporter: Person | int | None = None,
    aware_at: datetime | None = None,
    occurred_at: datetime | None = None,
    severity: str | None = None,
    cyber_level: int | None = None,
    location: str = "",
    source: Model | None = None,
    drill: bool = False,
    drill_tells_outside: bool = False,
    **fields: Any,
) -> Incident:
    """File a report: validate, number it, attach it to the active plan, route it (notifications in the outbox,
    deadlines, tasks) — all writes in one transaction, so nothing is half-saved. The rules and the people they
    name are read first; the write transaction holds the reference counter and the audit chain only for the
    writes themselves. A drill (演練, filed by an exercise) is routed by the same rules to the same people, its
    messages marked 【演練】; outside bodies are told only when `drill_tells_outside`. Every entrance calls this:
    `unit`/`reporter` records or keys (the API's, checked here); the agency by default the unit's, else the filer's."""
    if not actor.is_system and not policies.incidents.can(actor, "incidents.file"):
        raise NotAllowed()
    unit, reporter = selectors.filing_unit(unit), selectors.filing_reporter(reporter)
    if agency is None:
        agency = unit.agency if unit is not None else actor.agency
        if agency is None:
            raise BusinessRuleError(_("Choose a unit."), field="unit")
    unknown = set(fields) - EXTRA_FIELDS
    if unknown:
        raise BusinessRuleError(_("Unknown field."), field=sorted(unknown)[0])
    if category not in rules.CATEGORIES:
        raise BusinessRuleError(_("Choose a category."), field="category")
    title = single_line(title or "")  # other apps file too: a title is one line, whoever sends it
    location = single_line(location or "")
    if not title:
        raise BusinessRuleError(_("Give the report a title."), field="title")
    if len(title) > 200:
        raise BusinessRuleError(_("The title is too long (200 characters at most)."), field="title")
    limit = _filing_rate(actor)
    if actor.is_authenticated and reporter is not None and not policies.incidents.may_act_for(actor, reporter):
        raise BusinessRuleError(_("You may file a report only in your own name."), field="reporter")
    if reporter is None and actor.person is not None:
        reporter = actor.person  # 通報人: the filer, unless someone else is named
    if unit is None and reporter is not None:
        unit = reporter.unit
    if unit is not None and unit.agency_id != agency.pk:
        raise BusinessRuleError(_("The unit belongs to another agency."), field="unit")
    if (
        actor.is_authenticated
        and unit is not None
        and not policies.incidents.scope(actor, "incidents.file").covers(unit)
        and unit.pk != (actor.person.unit_id if actor.person is not None else None)
    ):
        raise BusinessRuleError(_("Choose a unit you may report for."), field="unit")
    if reporter is not None and reporter.agency_id != agency.pk:
        raise BusinessRuleError(_("The reporter belongs to another agency."), field="reporter")
    now = timezone.now()
    aware_at = aware_at or now
    if aware_at > now + CLOCK_SKEW:
        raise BusinessRuleError(_("The time you became aware cannot be in the future."), field="aware_at")
    if occurred_at is not None and occurred_at > aware_at + CLOCK_SKEW:
        raise BusinessRuleError(
            _("The incident cannot have happened after you became aware of it."), field="occurred_at"
        )
    level = _check_level(category, cyber_level)
    uploads = list(fields.pop("attachments", None) or [])
    checked = [files.check(upload) for upload in uploads]  # before anything is written

    year = roc_year(timezone.localtime(aware_at).date())
    incident = newrow.new(
        Incident,
        agency=agency,
        plan=roster.active_plan(agency),
        year=year,
        category=category,
        restricted=rules.category(category).restricted,
        title=title,
        description=description,
        unit=unit,
        reporter=reporter,
        filed_by=actor.user,
        occurred_at=occurred_at,
        aware_at=aware_at,
        location=location,
        severity=_severity(category, severity, level),
        cyber_level=level,
        measures_taken=fields.get("measures_taken", "") or "",
        support_needed=fields.get("support_needed", "") or "",
        source_type=source._meta.label_lower if source is not None else "",
        source_id=str(source.pk) if source is not None else "",
        drill=drill,
        drill_tells_outside=drill and drill_tells_outside,
    )
    route = routing.route(incident)
    route.filer_bodies = clocks.filer_bodies(incident, actor)
    return filing.write(incident, route, actor=actor, uploads=uploads, checked=checked, limit=limit)


def _route(
    incident: Incident, *, key: str, reason: str, with_tasks: bool = True, actor: Actor | None = None
) -> list[Notification]:
    return _send(incident, routing.route(incident), key=key, reason=reason, with_tasks=with_tasks, actor=actor)


def _send(
    incident: Incident,
    route: routing.Route,
    *,
    key: str,
    reason: str,
    with_tasks: bool = True,
    new: bool = False,
    actor: Actor | None = None,
) -> list[Notification]:
    """Write what the route says: the clocks, the outbox rows (with a need-to-know grant for each person told of a
    restricted report), a note of whom nobody could be found for, tasks."""
    _apply_deadlines(incident, route.deadlines, new=new, filer_bodies=route.filer_bodies, actor=actor)
    subject, body = message(incident, reason)
    filer = actor.person_id if actor is not None else None
    outgoing: dict[str, Any] = {"subject": subject, "body": body, "source": incident, "key": key}
    outgoing["url"] = url_of(incident)
    # a rule's channels add to the inbox, e-mail and the person's own; the filer sees his own report in his inbox
    # but is not asked to acknowledge it
    sent = notifications.notify(
        people=[p for p in route.recipients.people if p.pk != filer],
        contacts=route.recipients.contacts if not incident.drill or incident.drill_tells_outside else [],
        add_channels=route.channels or (),
        require_ack=True,
        **outgoing,
    )
    own = [p for p in route.recipients.people if p.pk == filer]
    if own:
        sent += notifications.notify(people=own, add_channels=route.channels or (), **outgoing)
    if incident.restricted:
        named = {
            pk: _("named by routing rule %(name)s") % {"name": name} for pk, name in route.recipients.named_by.items()
        }
        access.grant_to_notified(incident, sent, reasons=named, actor=actor)
    if route.recipients.unresolved:
        names = "、".join(str(rules.RECIPIENT_NAMES.get(c, c)) for c in route.recipients.unresolved)
        text = _("No one to notify for: %(names)s") % {"names": names}
        _timeline(incident, TimelineEntry.Kind.NOTE, None, text, unresolved=route.recipients.unresolved)
    if with_tasks:
        for unit, title, due in route.tasks:
            unit_tasks.give_task(incident=incident, unit=unit, title=title, due_at=due)
    return sent


def _apply_deadlines(
    incident: Incident,
    deadlines: list[routing.Due],
    *,
    new: bool = False,
    filer_bodies: frozenset[str] = frozenset(),
    actor: Actor | None = None,
) -> None:
    """Set the clocks (one per code and body). A clock whose body the filer belongs to is met at filing. A clock
    moved to a later time that has not passed yet may escalate again when it does."""
    if new:
        filed, rows = clocks.filed_reach(incident, actor or Actor.system()), []
        for d in deadlines:
            row = Deadline(incident=incident, code=d.code, body=d.body, due_at=d.due_at, source=d.source)
            if d.body in filer_bodies and d.code in clocks.NOTIFY_CODES:
                row.met_at, row.met_by, row.met_how = filed.at, filed.by, filed.how
            rows.append(row)
        Deadline.objects.bulk_create(rows)
        return
    existing = {(d.code, d.body): d for d in Deadline.objects.filter(incident=incident)}
    now = timezone.now()
    for due in deadlines:
        clock = existing.get((due.code, due.body)) or Deadline(incident=incident, code=due.code, body=due.body)
        if clock.pk and (clock.due_at, clock.source) == (due.due_at, due.source):
            continue
        if clock.escalated_at and due.due_at is not None and due.due_at > now:
            clock.escalated_at = None
        clock.due_at, clock.source = due.due_at, due.source
        clock.save()


def require_handle(actor: Actor, incident: Incident) -> None:
    if not actor.is_system and not policies.incidents.can(actor, "incidents.handle", incident):
        raise NotAllowed()


def handled(actor: Actor, incident_id: int) -> Incident:
    """The report `actor` handles (the system: any): 404 alike for missing and not visible, else NotAllowed."""
    if actor.is_system:
        return Incident.objects.get(pk=incident_id)
    incident: Incident = policies.incidents.get_visible(actor, incident_id)
    require_handle(actor, incident)
    return incident


@write_service
@transaction.atomic
def change_level(*, actor: Actor, incident_id: int, cyber_level: int, reason: str = "") -> Incident:
    """A level change re-notifies everyone the rules name and recomputes the clocks (DOMAIN §2)."""
    incident = handled(actor, incident_id)
    level = _check_level(incident.category, cyber_level)
    if level == incident.cyber_level:
        raise BusinessRuleError(_("The report already has this level."), field="cyber_level")
    if not incident.is_open:
        raise BusinessRuleError(_("The report is closed."))
    before = audit.snapshot(incident, ["cyber_level", "severity"])
    old = incident.cyber_level
    incident.cyber_level = level
    incident.severity = _severity(incident.category, incident.severity, level)
    incident.save(update_fields=["cyber_level", "severity"])
    audit.record_update(actor=actor, obj=incident, before=before, object_repr=_repr(incident))
    entry = _timeline(incident, TimelineEntry.Kind.LEVEL, actor, reason, old=old, new=level)
    _route(
        incident,
        key=f"incident:{incident.pk}:level:{entry.pk}",
        reason=_("Level changed %(old)s → %(new)s") % {"old": old, "new": level},
        with_tasks=False,
        actor=actor,
    )
    return incident


@write_service
@transaction.atomic
def add_note(*, actor: Actor, incident_id: int, text: str) -> TimelineEntry:
    incident = handled(actor, incident_id)
    text = (text or "").strip()
    if not text:
        raise BusinessRuleError(_("Write the note."), field="text")
    entry = _timeline(incident, TimelineEntry.Kind.NOTE, actor, text)
    audit.record(
        actor=actor, action=audit.Action.UPDATE, obj=incident, object_repr=_repr(incident), changes={"note": entry.pk}
    )
    return entry


@write_service
@transaction.atomic
def mark_recovered(*, actor: Actor, incident_id: int, at: datetime | None = None) -> Incident:
    """Damage controlled or service recovered: stops the recovery clock, starts the investigation-report clock."""
    incident = handled(actor, incident_id)
    if incident.recovered_at is not None or not incident.is_open:
        raise BusinessRuleError(_("The report is already recovered or closed."))
    at = at or timezone.now()
    if at < incident.aware_at - CLOCK_SKEW or at > timezone.now() + CLOCK_SKEW:
        raise BusinessRuleError(_("The recovery time must lie between awareness and now."), field="recovered_at")
    before = audit.snapshot(incident, ["status", "recovered_at"])
    incident.recovered_at, incident.status = at, Incident.Status.RECOVERED
    incident.save(update_fields=["recovered_at", "status"])
    audit.record_update(actor=actor, obj=incident, before=before, object_repr=_repr(incident))
    Deadline.objects.filter(incident=incident, code="recovery", met_at__isnull=True).update(
        met_at=at, met_how=Deadline.How.RECOVERED
    )
    _apply_deadlines(incident, routing.deadlines_for(incident, routing.applicable_rules(incident)))
    _timeline(incident, TimelineEntry.Kind.RECOVERED, actor, at=at.isoformat())
    return incident


@write_service
@transaction.atomic
def close(*, actor: Actor, incident_id: int, outcome: str, **report: str) -> Incident:
    """Closure needs an outcome; a cyber report also needs the investigation report (DOMAIN §2)."""
    incident = handled(actor, incident_id)
    if not incident.is_open:
        raise BusinessRuleError(_("The report is already closed."))
    unknown = set(report) - set(REPORT_FIELDS)
    if unknown:
        raise BusinessRuleError(_("Unknown field."), field=sorted(unknown)[0])
    if not (outcome or "").strip():
        raise BusinessRuleError(_("State the outcome."), field="outcome")
    if incident.category == "cyber":
        if incident.recovered_at is None:
            raise BusinessRuleError(
                _("Record the recovery before closing a cyber-security incident."), field="recovered_at"
            )
        for name in REPORT_FIELDS:
            if not (report.get(name) or "").strip():
                raise BusinessRuleError(_("The investigation report needs this field."), field=name)
    before = audit.snapshot(incident, ["status", "outcome", *REPORT_FIELDS])
    now = timezone.now()
    incident.outcome = outcome.strip()
    for name, value in report.items():
        setattr(incident, name, (value or "").strip())
    incident.status, incident.closed_at = Incident.Status.CLOSED, now
    incident.save()
    audit.record_update(actor=actor, obj=incident, before=before, object_repr=_repr(incident))
    Deadline.objects.filter(incident=incident, code="investigation_report", met_at__isnull=True).update(
        met_at=now, met_how=Deadline.How.CLOSED
    )
    _timeline(incident, TimelineEntry.Kind.CLOSED, actor, incident.outcome)
    return incident


@write_service
@transaction.atomic
def acknowledge(*, actor: Actor, incident_id: int, notification_id: int) -> Notification:
    """Acknowledge one's own notification about this report (in-app)."""
    incident: Incident = policies.incidents.get_visible(actor, incident_id)
    notification = Notification.objects.filter(pk=notification_id).first()
    person_id = actor.person_id
    if (
        notification is None
        or notification.source_type != "incidents.incident"
        or notification.source_id != str(incident.pk)
        or person_id is None
        or notification.person_id != person_id
    ):
        raise NotAllowed()
    return notifications.acknowledge(notification, actor=actor)


@write_service
def add_attachments(*, actor: Actor, incident_id: int, uploads: Iterable[Any]) -> list[Attachment]:
    """Attach files to a report (its filer or those who handle it): every file checked before any is stored, all
    or none kept."""
    uploads = list(uploads)
    if not uploads:
        raise BusinessRuleError(_("Choose a file."), field="attachments")
    with files.removed_on_rollback(), transaction.atomic():
        incident: Incident = policies.incidents.get_visible(actor, incident_id)
        _require_handle_or_filer(actor, incident)
        checked = [(u, files.check(u)) for u in uploads]
        return [files.store(incident, upload, info, actor=actor) for upload, info in checked]


def _require_handle_or_filer(actor: Actor, incident: Incident) -> None:
    if actor.user_id is not None and incident.filed_by_id == actor.user_id:
        return
    require_handle(actor, incident)


# tasks given to units live in unit_tasks.py; these names stay here for the callers of services
assign_task = unit_tasks.assign_task
answer_task = unit_tasks.answer_task
complete_task = unit_tasks.complete_task


def timeline_entry(incident: Incident, kind: str, actor: Who = None, text: str = "", **data: Any) -> TimelineEntry:
    """A line on the report's timeline (for the other writes of this app and drills); no actor: the system."""
    return _timeline(incident, kind, Actor.of(actor) if actor is not None else None, text, **data)


def escalation_exists(notification: Notification) -> bool:
    return Escalation.objects.filter(notification=notification).exists()


def record_escalation(incident: Incident, notification: Notification, rung: int) -> bool:
    """Claim the escalation of one notification; False when another sweeper already did."""
    try:
        with transaction.atomic():
            Escalation.objects.create(incident=incident, notification=notification, rung=rung)
    except IntegrityError:
        return False
    return True
