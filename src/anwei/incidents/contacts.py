"""Recording a contact made by a person (聯繫紀錄): the duty officer phoned the station, filed on the national
platform's web form, faxed, or went in person. One entrance for the page and the API; audited; it meets the clock
of the body reached and closes that body's must-call."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, write_service
from anwei.audit import services as audit
from anwei.core.errors import BusinessRuleError

from . import clocks, rules
from .models import Contact, Deadline, Incident, TimelineEntry
from .services import CLOCK_SKEW, handled, timeline_entry


def _body_and_clock(incident: Incident, clock: Deadline | int | None, body: str) -> tuple[str, Deadline | None]:
    if clock is not None:
        pk = clock.pk if isinstance(clock, Deadline) else clock
        found = Deadline.objects.filter(pk=pk, incident=incident, code__in=clocks.NOTIFY_CODES).first()
        if found is None or not found.body:
            raise BusinessRuleError(_("Choose a clock of this report that names a body."), field="clock")
        return found.body, found
    if body not in rules.BODIES:
        raise BusinessRuleError(_("Choose whom you reached."), field="clock")
    return body, Deadline.objects.filter(incident=incident, code__in=clocks.NOTIFY_CODES, body=body).first()


@write_service
@transaction.atomic
def record_contact(
    *,
    actor: Actor,
    incident_id: int,
    channel: str,
    reached_at: datetime | None,
    person_reached: str,
    reference: str = "",
    clock: Deadline | int | None = None,
    body: str = "",
) -> Contact:
    """A body reached by a person: the clock (or, for a body without a clock, the body) with when, how, whom and
    the reference number given. Meets the body's clock at `reached_at` if it is still open."""
    incident = handled(actor, incident_id)
    if not incident.is_open:
        raise BusinessRuleError(_("The report is closed."))
    body, deadline = _body_and_clock(incident, clock, body)
    if channel not in Contact.Channel.values:
        raise BusinessRuleError(_("Choose how you reached them."), field="channel")
    person_reached = (person_reached or "").strip()
    if not person_reached:
        raise BusinessRuleError(_("Say whom you reached."), field="person_reached")
    if len(person_reached) > 120:
        raise BusinessRuleError(_("The name is too long (120 characters at most)."), field="person_reached")
    reference = (reference or "").strip()
    if len(reference) > 80:
        raise BusinessRuleError(_("The reference number is too long (80 characters at most)."), field="reference")
    now = timezone.now()
    reached_at = reached_at or now
    if reached_at > now + CLOCK_SKEW:
        raise BusinessRuleError(_("The time you reached them cannot be in the future."), field="reached_at")
    if reached_at < incident.aware_at - CLOCK_SKEW:
        raise BusinessRuleError(_("The contact cannot be before the office became aware."), field="reached_at")
    contact = Contact.objects.create(
        incident=incident,
        deadline=deadline,
        body=body,
        channel=channel,
        reached_at=reached_at,
        person_reached=person_reached,
        reference=reference,
        recorded_by=actor.user,
    )
    if deadline is not None and (deadline.met_at is None or deadline.met_at > reached_at):
        Deadline.objects.filter(pk=deadline.pk).update(met_at=reached_at, met_by=person_reached[:200], met_how=channel)
    audit.record(
        actor=actor,
        action=audit.Action.CREATE,
        obj=contact,
        object_repr=f"{incident.reference} {rules.BODIES[body].name_zh}",
        changes={
            "body": body,
            "channel": channel,
            "reached_at": reached_at.isoformat(),
            "person_reached": person_reached,
            "reference": reference,
        },
    )
    label = Contact.Channel(channel).label
    text = f"{rules.BODIES[body].name} · {label} · {person_reached}"
    if reference:
        text += " · " + _("their reference number %(ref)s") % {"ref": reference}
    timeline_entry(incident, TimelineEntry.Kind.CONTACT, actor, text, contact=contact.pk, body=body)
    return contact
