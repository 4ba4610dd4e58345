"""Drill reports (演練) at the end of their exercise: closed with a note, so their clocks and unacknowledged messages
stop escalating; nothing else of them changes (the drill report reads what happened until then)."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from anwei.accounts.actor import Actor
from anwei.audit import services as audit

from .models import Incident, TimelineEntry
from .services import timeline_entry


@transaction.atomic
def end(*, actor: Actor, incident_ids: Iterable[int], outcome: str) -> int:
    """Close the open drill reports among `incident_ids` (never a real report)."""
    now = timezone.now()
    ended = 0
    for incident in (
        Incident.objects.select_for_update()
        .filter(pk__in=list(incident_ids), drill=True)
        .exclude(status=Incident.Status.CLOSED)
    ):
        incident.status, incident.closed_at, incident.outcome = Incident.Status.CLOSED, now, outcome
        incident.save(update_fields=["status", "closed_at", "outcome"])
        audit.record(
            actor=actor,
            action=audit.Action.UPDATE,
            obj=incident,
            object_repr=incident.reference,
            changes={"status": ["open", "closed"], "drill": True},
        )
        timeline_entry(incident, TimelineEntry.Kind.CLOSED, actor, outcome)
        ended += 1
    return ended
