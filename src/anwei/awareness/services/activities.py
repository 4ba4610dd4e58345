"""Writes for awareness activities (宣導), attendance, alerts to all staff and the holiday calendar, each in one
transaction with its audit entry."""

from collections.abc import Iterable
from datetime import date, datetime, time

from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, write_service
from anwei.audit import services as audit
from anwei.core import rocdate
from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.directory.models import Person, Unit
from anwei.notifications.services import notify
from anwei.officecalendar import services as calendar_services
from anwei.officecalendar.models import OfficeDay
from anwei.plans.selectors import active_plan

from .. import policies
from ..models import Activity, Attendance
from . import common


@write_service
@transaction.atomic
def create_activity(
    *,
    actor: Actor,
    unit_id: int,
    topic: str,
    title: str,
    held_on: date,
    form: str,
    audience_unit_ids: Iterable[int] = (),
    attendee_count: int | None = None,
    materials: str = "",
    alert_body: str = "",
) -> Activity:
    """An activity held by a unit of the actor's agency, for the whole agency or the audience units (of it)."""
    if not policies.activities.can(actor, "awareness.manage"):
        raise NotAllowed()
    unit = common.agency_unit(actor, unit_id)
    audience = list(Unit.objects.filter(agency_id=unit.agency_id, pk__in=list(audience_unit_ids)))
    if topic not in Activity.Topic.values:
        raise BusinessRuleError(_("Choose a topic."), field="topic")
    if form not in Activity.Form.values:
        raise BusinessRuleError(_("Choose a form."), field="form")
    if not (title or "").strip():
        raise BusinessRuleError(_("Give the activity a title."), field="title")
    if form == Activity.Form.ALERT and not alert_body.strip():
        raise BusinessRuleError(_("Write the alert that staff will receive."), field="alert_body")
    moment = timezone.make_aware(datetime.combine(held_on, time(12)), rocdate.TAIPEI)
    activity = Activity.objects.create(
        agency=unit.agency,
        unit=unit,
        plan=active_plan(unit.agency_id, moment),
        topic=topic,
        title=title.strip(),
        held_on=held_on,
        form=form,
        attendee_count=attendee_count,
        materials=materials,
        alert_body=alert_body,
        created_by=actor.user,
    )
    activity.audience_units.set(audience)
    audit.record_create(actor=actor, obj=activity)
    return activity


@write_service
@transaction.atomic
def sign_in(*, actor: Actor, activity_id: int, person: Person | None = None) -> Attendance:
    """The actor signs in (on a phone); an organiser may tick someone else from the list. Signing twice is fine."""
    activity: Activity = policies.activities.get_visible(actor, activity_id)
    method = Attendance.Method.PHONE
    if person is None or person.pk == actor.person_id:
        if not policies.activities.can(actor, "awareness.sign_in", activity):
            raise NotAllowed()
        person = actor.person
    else:
        if not policies.activities.can(actor, "awareness.manage", activity):
            raise NotAllowed()
        if person.agency_id != activity.agency_id:
            raise BusinessRuleError(_("This person belongs to another agency."), field="person")
        method = Attendance.Method.LIST
    assert person is not None
    existing = Attendance.objects.filter(activity=activity, person=person).first()
    if existing is not None:
        return existing
    attendance = Attendance.objects.create(activity=activity, person=person, unit=person.unit, method=method)
    audit.record(
        actor=actor,
        action=audit.Action.CREATE,
        obj=attendance,
        object_repr=f"{activity} — {person.name}",
        changes={"activity": activity.pk, "person": person.pk, "method": method},
    )
    return attendance


@write_service
@transaction.atomic
def send_alert(*, actor: Actor, activity: Activity) -> int:
    """Send an alert activity to all staff (or its audience units) through the notification channels, asking each
    to acknowledge; read receipts are counted from the notifications. Sending again reaches only newcomers."""
    if not policies.activities.can(actor, "awareness.manage", activity):
        raise NotAllowed()
    if not activity.is_alert:
        raise BusinessRuleError(_("Only an alert can be sent to all staff."), field="form")
    people = Person.objects.filter(agency=activity.agency, active=True)
    audience = list(activity.audience_units.all())
    if audience:
        query = Q(pk__in=[])
        for unit in audience:
            query |= Q(unit__path__startswith=unit.path)
        people = people.filter(query)
    sent = notify(
        people=people,
        subject=f"【{activity.get_topic_display()}】{activity.title}",
        body=activity.alert_body,
        source=activity,
        key=f"awareness:alert:{activity.pk}",
        url=reverse("awareness:activity", args=[activity.pk]),
        require_ack=True,
    )
    before = audit.snapshot(activity, ["alert_sent_at"])
    activity.alert_sent_at = activity.alert_sent_at or timezone.now()
    activity.save(update_fields=["alert_sent_at"])
    audit.record(
        actor=actor,
        action=audit.Action.UPDATE,
        obj=activity,
        changes={"alert_sent_at": [before["alert_sent_at"], activity.alert_sent_at], "recipients": len(sent)},
    )
    return len(sent)


# ---------------------------------------------------------------------------------------------- calendar


@write_service
@transaction.atomic
def set_calendar_day(*, actor: Actor, day: date, name: str, is_workday: bool = False, source: str = "") -> OfficeDay:
    """A day of the office calendar entered from the awareness pages (the calendar itself is officecalendar's)."""
    if not policies.calendar.can(actor, "awareness.manage_calendar"):
        raise NotAllowed()
    return calendar_services.set_day(actor=actor, day=day, name=name, is_workday=is_workday, source=source)


@write_service
@transaction.atomic
def remove_calendar_day(*, actor: Actor, day: date) -> None:
    """Remove the entry of the office calendar for `day` (404 if there is none)."""
    if not policies.calendar.can(actor, "awareness.manage_calendar"):
        raise NotAllowed()
    holiday = policies.calendar.visible(actor).filter(day=day).first()
    if holiday is None:
        raise Http404(_("Not found."))
    calendar_services.remove_day(actor=actor, office_day=holiday)
