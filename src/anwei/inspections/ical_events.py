"""Inspections the user is to carry out and corrective actions due in the units the user may see, for the calendar."""

from django.utils.translation import gettext as _

from anwei.accounts.actor import Who
from anwei.core.ical import Event

from . import selectors
from .models import CorrectiveAction


def events(user: Who) -> list[Event]:
    out = [
        Event(
            f"inspection-{i.pk}",
            i.due_on,
            _("Inspection: %(round)s — %(target)s") % {"round": i.round.title, "target": i.target},
        )
        for i in selectors.my_inspections(user)[:500]
    ]
    open_actions = selectors.actions(user).exclude(status=CorrectiveAction.Status.CLOSED)
    out += [
        Event(f"corrective-action-{a.pk}", a.due_on, _("Corrective action due: %(unit)s") % {"unit": a.unit.name})
        for a in open_actions.order_by("due_on")[:500]
    ]
    return out
