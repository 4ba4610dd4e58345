"""The incidents app's part of the to-do list (core.todo): the tasks given to the units the user answers for
(todo_tasks.py), and a *must call* for the person on duty (and the ethics office) for every body of an open report
that the outbox could not reach — every delivery failed for good, or no usable address — until someone records the
contact (clocks.py)."""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, Who
from anwei.accounts.roles import Role
from anwei.accounts.scope import has_role
from anwei.core.todo import TodoItem
from anwei.directory.selectors import on_duty
from anwei.notifications.models import Notification

from . import clocks, messages, policies, todo_tasks
from .models import Incident, TimelineEntry

# The newest reports looked at per list (each is read whole): a must-call older than that is on the board too.
LOOK_AT = 30
CANDIDATE_ROWS = 500


def _on_duty_or_ethics(user: Who, now: datetime) -> bool:
    """The ethics office, the duty officers (值勤人員: making the calls is their job) and whoever holds the ethics
    office's duty on the roster now."""
    if has_role(user, Role.ETHICS_OFFICER) or has_role(user, Role.DUTY_OFFICER):
        return True
    agency = Actor.of(user).agency
    person_id = Actor.of(user).person_id
    if agency is None or person_id is None:
        return False
    duty = on_duty(agency, "ethics", now)
    return duty.person is not None and duty.person.pk == person_id


def candidates(user: Who) -> Any:
    """Open reports the user may see that may hold a must-call: an undeliverable notification of the report
    (a failed delivery, or none at all) not acknowledged, or a body the rules named and nobody could be found for
    (noted on the timeline when it was filed)."""
    undelivered = (
        Notification.objects.filter(source_type=clocks.SOURCE, acknowledged_at__isnull=True)
        .filter(Q(deliveries__status__in=clocks.UNDELIVERED) | Q(deliveries__isnull=True))
        .order_by("-created_at")
        .values_list("source_id", flat=True)
    )
    nobody = TimelineEntry.objects.filter(kind=TimelineEntry.Kind.NOTE, data__has_key="unresolved").order_by("-at")
    # both are rare rows: read their newest ids first, so the reports table is only looked up by key
    ids = {int(i) for i in undelivered[:CANDIDATE_ROWS] if str(i).isdigit()}
    ids |= set(nobody.values_list("incident_id", flat=True)[:CANDIDATE_ROWS])
    if not ids:
        return Incident.objects.none()
    return (
        policies.incidents.visible(user)
        .filter(pk__in=ids)
        .exclude(status=Incident.Status.CLOSED)
        .select_related("agency", "unit", "filed_by__person")
        .order_by("-aware_at", "-id")[:LOOK_AT]
    )


def must_calls_for(user: Who, now: datetime) -> list[clocks.MustCall]:
    if not Actor.of(user).is_authenticated or not _on_duty_or_ethics(user, now):
        return []
    return [call for incident in candidates(user) for call in clocks.must_calls(incident, now)]


def items(user: Who, now: datetime) -> Iterator[TodoItem]:
    yield from todo_tasks.items(user, now)
    for call in must_calls_for(user, now):
        phones = "、".join(p.number for p in call.phones) or _("no phone number in the directory")
        yield TodoItem(
            kind="must_call",
            title=_("Call %(body)s: %(ref)s") % {"body": call.body.name, "ref": call.incident.reference},
            url=messages.url_of(call.incident) + "#must-call-h",
            due_at=call.clock.due_at if call.clock is not None else call.since,
            detail=phones,
        )
