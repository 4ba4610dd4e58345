"""The periodic sweep: marks notify clocks met once the body they concern is reached (clocks.py), escalates
overdue clocks (re-checked first: a met clock never escalates),
and passes unacknowledged (or undeliverable) notifications up the ladder: duty officer → ethics office → agency
head (rules.ESCALATION_LADDER).

A notification escalates from its recipient's own rung to the next higher rung that has someone else on it: the
duty officer's to the ethics office, an ethics officer's to the agency head, the agency head's to nobody (noted on
the timeline). Someone on no rung (a unit supervisor) escalates to the duty officer; an outside contact (調查處站,
police, the national cyber contact) to the ethics office (rules.CONTACT_ESCALATES_TO). Each rung gets one
escalation notice per report, however many notifications passed up to it.

Only one sweep runs at a time (the named lock the notifications sweeper uses); even so each escalation is claimed
once (a unique row), because an undeliverable notification also escalates at once from the worker
(`escalate_undeliverable`, on the notifications `delivery_failed` signal), and notify() is idempotent by key."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.directory.models import Person
from anwei.notifications import services as notifications
from anwei.notifications.channels import labels
from anwei.notifications.models import Delivery, Notification

from . import access, clocks, messages, routing, rules, services
from .models import Deadline, Escalation, Incident, TimelineEntry

SOURCE = "incidents.incident"
NOTIFY_CODES = ("notify", "report")
LOCK = "incidents-sweep"
LOCK_SECONDS = 300


@dataclass
class Ladder:
    """The people on each rung of the ladder for one report, now."""

    rungs: list[list[Person]]

    def own_rung(self, person_id: int | None) -> int:
        """The highest rung the person stands on, -1 when on none."""
        held = [i for i, people in enumerate(self.rungs) if any(p.pk == person_id for p in people)]
        return max(held, default=-1)

    def above(self, notification: Notification) -> tuple[int, list[Person]]:
        """The rung a notification escalates to and who is on it (skipping rungs with nobody but the recipient);
        (len(rungs), []) when there is no one further up."""
        if notification.person_id is None:
            rung = rules.ESCALATION_LADDER.index(rules.CONTACT_ESCALATES_TO)
        else:
            rung = self.own_rung(notification.person_id) + 1
        while rung < len(self.rungs):
            people = [p for p in self.rungs[rung] if p.pk != notification.person_id]
            if people:
                return rung, people
            rung += 1
        return len(self.rungs), []


def ladder_for(incident: Incident, now: datetime) -> Ladder:
    found = routing.resolve_codes(rules.ESCALATION_LADDER, incident, now)
    return Ladder([found[code].people for code in rules.ESCALATION_LADDER])


def mark_notify_clocks(now: datetime) -> int:
    """A notify/report clock is met when the body it concerns has been reached by any channel (clocks.settle)."""
    done = 0
    incidents = Incident.objects.filter(
        pk__in=Deadline.objects.filter(code__in=NOTIFY_CODES, met_at__isnull=True).values("incident_id"),
        status__in=["open", "recovered"],
    ).select_related("agency", "unit", "filed_by__person")
    for incident in incidents:
        done += clocks.settle(incident, now)
    return done


def escalate_overdue(now: datetime) -> int:
    """An overdue clock tells the ethics office and the agency head, once per due time (a clock moved to a later
    time escalates again when that one passes)."""
    count = 0
    overdue = Deadline.objects.filter(
        met_at__isnull=True, escalated_at__isnull=True, due_at__lte=now, incident__status__in=["open", "recovered"]
    ).select_related("incident__agency", "incident__unit")
    for deadline in overdue:
        if deadline.code in NOTIFY_CODES and clocks.settle(deadline.incident, now):
            deadline.refresh_from_db(fields=["met_at"])
        if deadline.met_at is not None:
            continue  # its body was reached after all: a met clock never escalates
        with transaction.atomic():
            if not Deadline.objects.filter(pk=deadline.pk, escalated_at__isnull=True, met_at__isnull=True).update(
                escalated_at=now
            ):
                continue
            incident = deadline.incident
            people = routing.Recipients()
            for code in rules.ESCALATION_LADDER[1:]:
                people.add(routing.resolve(code, incident, now))
            subject, _body = messages.message(incident, _("Overdue: %(name)s") % {"name": deadline.name})
            assert deadline.due_at is not None
            clock = f"{deadline.code}@{deadline.body}" if deadline.body else deadline.code  # one per clock
            sent = notifications.notify(
                people=people.people,
                subject=subject,
                body=messages.drill_marked(
                    incident, _("The deadline has passed and is not met: %(name)s.") % {"name": deadline.name}
                ),
                source=incident,
                key=f"incident:{incident.pk}:overdue:{clock}:{int(deadline.due_at.timestamp())}",
                url=messages.url_of(incident),
                require_ack=True,
            )
            access.grant_to_notified(
                incident, sent, reason=_("escalation ladder: overdue %(name)s") % {"name": deadline.name}
            )
            services.timeline_entry(
                incident, TimelineEntry.Kind.OVERDUE, None, deadline.name, code=deadline.code, body=deadline.body
            )
            count += 1
    return count


def _undeliverable(notification: Notification) -> Delivery | None:
    """A delivery of it that failed for good (the worker gave up), even if another channel reached the inbox."""
    return next((d for d in notification.deliveries.all() if d.status == Delivery.Status.FAILED), None)


def _reason(notification: Notification, failed: Delivery | None) -> str:
    who = str(notification.person or notification.contact or "")
    if failed is not None:
        channel = str(labels().get(failed.channel, failed.channel))
        return _("Could not be delivered to %(who)s by %(channel)s.") % {"who": who, "channel": channel}
    return _("Not acknowledged in time by %(who)s.") % {"who": who}


def escalate_unacknowledged(now: datetime) -> int:
    """Notifications past their rule's acknowledgement time, or undeliverable, go up the ladder; one batch per
    report, so each rung gets one notice."""
    candidates = (
        Notification.objects.filter(source_type=SOURCE, require_ack=True, acknowledged_at__isnull=True)
        .exclude(pk__in=Escalation.objects.values("notification_id"))
        .select_related("person", "contact")
        .prefetch_related("deliveries")
        .order_by("created_at", "pk")
    )
    due: dict[str, list[tuple[Notification, Delivery | None]]] = {}
    windows: dict[str, timedelta] = {}
    incidents: dict[str, Incident | None] = {}
    for n in candidates:
        if n.source_id not in incidents:
            incident = Incident.objects.select_related("agency", "unit").filter(pk=n.source_id).first()
            incidents[n.source_id] = incident if incident is not None and incident.is_open else None
            if incident is not None:
                windows[n.source_id] = timedelta(minutes=routing.ack_minutes(routing.applicable_rules(incident)))
        if incidents[n.source_id] is None:
            continue
        failed = _undeliverable(n)
        if n.created_at + windows[n.source_id] > now and failed is None:
            continue
        due.setdefault(n.source_id, []).append((n, failed))
    count = 0
    for source_id, items in due.items():
        incident = incidents[source_id]
        assert incident is not None
        count += escalate(incident, items, now)
    return count


def _not_attended(
    incident: Incident, items: list[tuple[Notification, Delivery | None]], now: datetime
) -> list[tuple[Notification, Delivery | None]]:
    """Leave out the report's notifications to a body a person of which has the report in hand already (filed it,
    acknowledged it, was reached by phone…), and those to an outside body whose message went out (the station or
    the national cyber contact has no inbox here to acknowledge in: the sent message is its report, and its clock
    is met by it): no escalation names a body that was reached. An escalation notice asks for something else, and
    still goes up when nobody acknowledges it."""
    routed = [(n, f) for n, f in items if n.key == f"incident:{incident.pk}:filed" or ":level:" in n.key]
    if not routed:
        return items
    who = clocks.members(incident, now)
    attended = clocks.attended_bodies(incident, who, clocks.notes_of(incident))
    skip = {n.pk for n, _f in routed if set(who.bodies_of(n)) & attended}
    skip |= {
        n.pk
        for n, _f in routed
        if n.contact_id is not None and any(d.status == Delivery.Status.SENT for d in n.deliveries.all())
    }
    return [(n, failed) for n, failed in items if n.pk not in skip]


def escalate(incident: Incident, items: list[tuple[Notification, Delivery | None]], now: datetime) -> int:
    """Pass these notifications of one report up the ladder: claim each (once), then tell each rung they reach
    once, with every reason, and note it on the timeline. Returns how many were claimed here."""
    items = _not_attended(incident, items, now)
    if not items:
        return 0
    with transaction.atomic():
        ladder = ladder_for(incident, now)
        by_rung: dict[int, tuple[list[Person], list[Notification], list[str]]] = {}
        for notification, failed in items:
            rung, people = ladder.above(notification)
            if not services.record_escalation(incident, notification, rung):
                continue  # another process passed it up already
            to, passed, reasons = by_rung.setdefault(rung, ([], [], []))
            to += [p for p in people if p.pk not in {x.pk for x in to}]
            passed.append(notification)
            reasons.append(_reason(notification, failed))
        for rung, (to, passed, reasons) in sorted(by_rung.items()):
            _tell_rung(incident, rung, to, passed, reasons)
        return sum(len(passed) for _to, passed, _r in by_rung.values())


def _tell_rung(incident: Incident, rung: int, to: list[Person], passed: list[Notification], reasons: list[str]) -> None:
    data = {"notifications": [n.pk for n in passed], "rung": rung}
    if not to:
        text = " ".join([*reasons, _("No one further up the ladder.")])
        services.timeline_entry(incident, TimelineEntry.Kind.ESCALATED, None, text, **data)
        return
    subject, body = messages.message(incident, _("Escalated"))
    sent = notifications.notify(
        people=to,
        subject=subject,
        body=messages.drill_marked(incident, "\n".join(reasons) + f"\n\n{body}"),
        source=incident,
        key=f"incident:{incident.pk}:esc:{rung}",  # one notice per rung and report
        url=messages.url_of(incident),
        require_ack=True,
    )
    access.grant_to_notified(incident, sent, reason=_("escalation ladder (rung %(n)d)") % {"n": rung + 1})
    names = "、".join(p.name for p in to)
    text = " ".join(reasons) + f" → {names}"
    if not sent:
        text += " " + _("(already told of an escalation of this report)")
    services.timeline_entry(incident, TimelineEntry.Kind.ESCALATED, None, text, to=[p.pk for p in to], **data)


def escalate_undeliverable(notification: Notification, now: datetime | None = None) -> bool:
    """A delivery of a notification that needs acknowledgement failed for good: escalate it now, not when its
    acknowledgement time runs out (called after the worker's commit; the sweep catches up if this is missed)."""
    if notification.source_type != SOURCE or not notification.require_ack:
        return False
    n = (
        Notification.objects.filter(pk=notification.pk, acknowledged_at__isnull=True)
        .exclude(pk__in=Escalation.objects.values("notification_id"))
        .select_related("person", "contact")
        .prefetch_related("deliveries")
        .first()
    )
    failed = _undeliverable(n) if n is not None else None
    if n is None or failed is None:
        return False
    incident = Incident.objects.select_related("agency", "unit").filter(pk=n.source_id).first()
    if incident is None or not incident.is_open:
        return False
    return escalate(incident, [(n, failed)], now or timezone.now()) == 1


def sweep(now: datetime | None = None) -> dict[str, int] | None:
    """One pass of the clocks and the ladder; None when another sweep holds the lock."""
    with notifications.lock(LOCK, seconds=LOCK_SECONDS) as got:
        if not got:
            return None
        now = now or timezone.now()
        return {
            "clocks_met": mark_notify_clocks(now),
            "overdue": escalate_overdue(now),
            "escalated": escalate_unacknowledged(now),
        }
