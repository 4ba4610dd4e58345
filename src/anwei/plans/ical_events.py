"""The user's own duty shifts (on duty or as substitute) for the user's calendar feed (reports/calendar.ics):
from a month back onwards."""

from datetime import timedelta

from django.utils import timezone

from anwei.accounts.actor import Who
from anwei.core.ical import Event

from .ical import shift_events
from .selectors import shifts_of


def events(user: Who) -> list[Event]:
    person = getattr(user, "person", None)
    if person is None:
        return []
    shifts = shifts_of(person).filter(ends_at__gte=timezone.now() - timedelta(days=31))[:500]
    return shift_events(person, shifts)
