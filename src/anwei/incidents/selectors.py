"""Reads: the board of open reports with their clocks, one report's timeline (its own entries merged with the
notifications, deliveries and acknowledgements read from the outbox)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from anwei.notifications.channels import labels
from anwei.notifications.models import Delivery, Notification

from . import policies
from .clocks import UNDELIVERED, Picture, failure_reason, picture, why_undeliverable
from .models import Deadline, Incident, TimelineEntry


def board(user: Any, *, category: str = "", unit: Any = None, status: str = "open") -> QuerySet[Incident]:
    qs = policies.incidents.visible(user).select_related("unit", "reporter", "plan", "filed_by__person")
    if status == "open":
        qs = qs.exclude(status=Incident.Status.CLOSED)
    elif status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return qs.prefetch_related(Prefetch("deadlines", queryset=Deadline.objects.order_by("due_at", "id")))


@dataclass(frozen=True)
class Clock:
    deadline: Deadline
    remaining: timedelta | None

    @property
    def state(self) -> str:
        if self.deadline.met_at is not None:
            return "met"
        if self.remaining is None:
            return "waiting"
        return "overdue" if self.remaining.total_seconds() < 0 else "running"

    @property
    def met_how(self) -> str:
        """How it was met, in the user's words (a phone call, 已發送, filed by a member of the body…)."""
        return self.deadline.get_met_how_display() if self.deadline.met_how else ""

    @property
    def countdown(self) -> str:
        if self.remaining is None or self.deadline.met_at is not None:
            return ""
        seconds = abs(int(self.remaining.total_seconds()))
        hours, minutes = seconds // 3600, (seconds % 3600) // 60
        text = _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
        if self.remaining.total_seconds() < 0:
            return _("overdue by %(t)s") % {"t": text}
        return _("%(t)s left") % {"t": text}


def clocks(incident: Incident, now: datetime | None = None) -> list[Clock]:
    now = now or timezone.now()
    return [
        Clock(d, (d.due_at - now) if d.due_at is not None else None)
        for d in sorted(incident.deadlines.all(), key=lambda d: (d.due_at is None, d.due_at or now, d.pk))
    ]


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: str
    label: str
    who: str
    text: str


def notifications_of(incident: Incident) -> QuerySet[Notification]:
    return (
        Notification.objects.filter(source_type="incidents.incident", source_id=str(incident.pk))
        .select_related("person", "contact__organisation", "acknowledged_by")
        .prefetch_related("deliveries")
        .order_by("created_at", "pk")
    )


def timeline(incident: Incident, seen: Picture | None = None) -> list[Event]:
    """The report's own entries and, per recipient, what the outbox did: 已發送 per channel that went out, 發送失敗
    with the reason, 待發送 while waiting, 待電話聯繫 when nothing can go out and the body is not reached — never
    "notified" for a message that did not go out."""
    seen = seen or picture(incident)
    kinds = dict(TimelineEntry.Kind.choices)
    events = [
        Event(e.at, e.kind, str(kinds.get(e.kind, e.kind)), e.actor.display_name if e.actor else "", e.text)
        for e in incident.timeline.select_related("actor__person")
    ]
    names = labels()
    for n in notifications_of(incident):
        who = str(n.person or n.contact or "")
        deliveries = list(n.deliveries.all())
        for d in deliveries:
            channel = str(names.get(d.channel, d.channel))
            if d.status == Delivery.Status.SENT and d.sent_at:
                events.append(Event(d.sent_at, "sent", pgettext("delivery", "sent"), who, channel))
            elif d.status in UNDELIVERED:
                reason = f"{channel}: {failure_reason(d)}"
                events.append(Event(d.failed_at or n.created_at, "failed", pgettext("delivery", "failed"), who, reason))
        if any(d.status == Delivery.Status.PENDING for d in deliveries):
            events.append(Event(n.created_at, "pending", _("waiting to be sent"), who, n.subject))
        if not deliveries:
            events.append(Event(n.created_at, "failed", pgettext("delivery", "failed"), who, why_undeliverable(n)))
        if seen.awaiting_call(n):
            at = max([n.created_at] + [d.failed_at for d in deliveries if d.failed_at is not None])
            events.append(Event(at, "must_call", _("awaiting phone contact"), who, n.subject))
        if n.acknowledged_at:
            by = n.acknowledged_by.display_name if n.acknowledged_by else who
            events.append(Event(n.acknowledged_at, "acknowledged", _("acknowledged"), by, ""))
    return sorted(events, key=lambda e: e.at)


def my_unacknowledged(user: Any, incident: Incident) -> list[Notification]:
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        return []
    return list(notifications_of(incident).filter(person_id=person_id, require_ack=True, acknowledged_at__isnull=True))
