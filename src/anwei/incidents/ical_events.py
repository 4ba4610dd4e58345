"""The open statutory deadlines of the reports a user may see, for the user's calendar (reference numbers only)."""

from django.utils.translation import gettext as _

from anwei.accounts.actor import Who
from anwei.core.ical import Event

from . import policies
from .models import Deadline


def events(user: Who) -> list[Event]:
    deadlines = Deadline.objects.filter(
        incident__in=policies.incidents.visible(user), met_at__isnull=True, due_at__isnull=False
    ).select_related("incident")
    return [
        Event(
            f"incident-deadline-{d.pk}",
            # the ignore below: the query keeps due_at__isnull=False, so due_at is a datetime here
            d.due_at,  # type: ignore[arg-type]
            _("Report %(reference)s: %(deadline)s") % {"reference": d.incident.reference, "deadline": d.name},
        )
        for d in deadlines.order_by("due_at")[:500]
    ]
