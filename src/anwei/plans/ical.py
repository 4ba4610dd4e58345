"""A person's duty shifts as an iCalendar feed, so the roster shows up in their phone's calendar."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from anwei.core.ical import Event, calendar
from anwei.directory.models import DutyShift, Person

from .selectors import shifts_of


def _event(shift: DutyShift, person: Person) -> Event:
    substitute = _("substitute")
    summary = shift.kind.name if shift.person_id == person.pk else f"{shift.kind.name}（{substitute}）"
    return Event(f"shift-{shift.pk}-person-{person.pk}", shift.starts_at, summary, shift.ends_at, shift.handover_note)


def shift_events(person: Person, shifts: Iterable[DutyShift]) -> list[Event]:
    return [_event(shift, person) for shift in shifts]


def calendar_for(person: Person) -> str:
    name = _("duty roster")
    return calendar(f"{person.name} {name}", shift_events(person, shifts_of(person)))
