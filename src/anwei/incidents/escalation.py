"""The periodic sweep: marks notify clocks met once the notifications are delivered, escalates overdue clocks,
and passes unacknowledged (or undeliverable) notifications up the ladder: duty officer → ethics office → agency
head. Safe to run concurrently: each escalation is claimed once (a unique row) and notify() is idempotent by key."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.notifications import services as notifications
from anwei.notifications.models import Delivery, Notification

from . import routing, rules, services
from .models import Deadline, Escalation, Incident, TimelineEntry

SOURCE = "incidents.incident"
NOTIFY_CODES = ("notify", "report")


def rung_of(notification: Notification) -> int:
    """The ladder rung a notification was sent to (-1 for the routed notifications)."""
    parts = notification.key.split(":")
    if len(parts) >= 4 and parts[2] == "esc":
        try:
            return int(parts[3])
        except ValueError:
            return -1
    return -1


def _delivered_at(notification: Notification) -> datetime | None:
    if notification.acknowledged_at is not None:
        return notification.acknowledged_at
    sent = notification.deliveries.filter(status=Delivery.Status.SENT).aggregate(at=Max("sent_at"))["at"]
    return sent


def mark_notify_clocks(now: datetime) -> int:
    """A notify/report clock is met when every notification the report was filed with has reached its recipient."""
    done = 0
    for deadline in Deadline.objects.filter(code__in=NOTIFY_CODES, met_at__isnull=True).select_related("incident"):
        sent = Notification.objects.filter(
            source_type=SOURCE, source_id=str(deadline.incident_id), key=f"incident:{deadline.incident_id}:filed"
        ).prefetch_related("deliveries")
        times = [_delivered_at(n) for n in sent]
        if times and all(t is not None for t in times):
            Deadline.objects.filter(pk=deadline.pk, met_at__isnull=True).update(met_at=max(t for t in times if t))
            done += 1
    return done


def escalate_overdue(now: datetime) -> int:
    count = 0
    overdue = Deadline.objects.filter(
        met_at__isnull=True, escalated_at__isnull=True, due_at__lte=now, incident__status__in=["open", "recovered"]
    ).select_related("incident__agency", "incident__unit")
    for deadline in overdue:
        with transaction.atomic():
            if not Deadline.objects.filter(pk=deadline.pk, escalated_at__isnull=True).update(escalated_at=now):
                continue
            incident = deadline.incident
            people = routing.Recipients()
            for code in rules.ESCALATION_LADDER[1:]:
                people.add(routing.resolve(code, incident, now))
            subject, _body = services._message(incident, _("Overdue: %(name)s") % {"name": deadline.name})
            notifications.notify(
                people=people.people,
                subject=subject,
                body=_("The deadline has passed and is not met: %(name)s.") % {"name": deadline.name},
                source=incident,
                key=f"incident:{incident.pk}:overdue:{deadline.code}",
                url=services.url_of(incident),
                require_ack=True,
            )
            services.timeline_entry(incident, TimelineEntry.Kind.OVERDUE, None, deadline.name, code=deadline.code)
            count += 1
    return count


def _failed(notification: Notification) -> bool:
    statuses = {d.status for d in notification.deliveries.all()}
    return bool(statuses) and statuses == {Delivery.Status.FAILED}


def escalate_unacknowledged(now: datetime) -> int:
    count = 0
    candidates = (
        Notification.objects.filter(source_type=SOURCE, require_ack=True, acknowledged_at__isnull=True)
        .exclude(pk__in=Escalation.objects.values("notification_id"))
        .select_related("person", "contact")
        .prefetch_related("deliveries")
        .order_by("created_at", "pk")
    )
    windows: dict[str, timedelta] = {}
    incidents: dict[str, Incident] = {}
    for n in candidates:
        if n.source_id not in incidents:
            incident = Incident.objects.select_related("agency", "unit").filter(pk=n.source_id).first()
            if incident is None:
                continue
            incidents[n.source_id] = incident
            windows[n.source_id] = timedelta(minutes=routing.ack_minutes(routing.applicable_rules(incident)))
        incident = incidents[n.source_id]
        if not incident.is_open:
            continue
        if n.created_at + windows[n.source_id] > now and not _failed(n):
            continue
        if escalate(incident, n, now):
            count += 1
    return count


def escalate(incident: Incident, notification: Notification, now: datetime) -> bool:
    """Tell the next rung of the ladder (skipping rungs with nobody, or only the same person)."""
    with transaction.atomic():
        rung = rung_of(notification) + 1
        target = routing.Recipients()
        while rung < len(rules.ESCALATION_LADDER):
            target = routing.resolve(rules.ESCALATION_LADDER[rung], incident, now)
            target.people = [p for p in target.people if p.pk != notification.person_id]
            if target.people:
                break
            rung += 1
        if not services.record_escalation(incident, notification, rung):
            return False
        recipient = str(notification.person or notification.contact or "")
        failed = _failed(notification)
        if not target.people:
            services.timeline_entry(
                incident,
                TimelineEntry.Kind.ESCALATED,
                None,
                _("Not acknowledged by %(who)s; no one further up the ladder.") % {"who": recipient},
                notification=notification.pk,
                rung=rung,
            )
            return True
        subject, body = services._message(incident, _("Escalated"))
        reason = (_("Could not be delivered to %(who)s.") if failed else _("Not acknowledged in time by %(who)s.")) % {
            "who": recipient
        }
        notifications.notify(
            people=target.people,
            subject=subject,
            body=f"{reason}\n\n{body}",
            source=incident,
            key=f"incident:{incident.pk}:esc:{rung}:{notification.pk}",
            url=services.url_of(incident),
            require_ack=True,
        )
        services.timeline_entry(
            incident,
            TimelineEntry.Kind.ESCALATED,
            None,
            f"{reason} → {'、'.join(p.name for p in target.people)}",
            notification=notification.pk,
            rung=rung,
            to=[p.pk for p in target.people],
        )
        return True


def sweep(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {
        "clocks_met": mark_notify_clocks(now),
        "overdue": escalate_overdue(now),
        "escalated": escalate_unacknowledged(now),
    }
