"""The upward app's part of the to-do list (core.todo): for the superior's duty officer and ethics office, a
subordinate's daily situation report still missing once its deadline has passed (report_due)."""

from collections.abc import Iterator
from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from anwei.accounts.actor import Who
from anwei.core.todo import TodoItem

from . import policies, selectors


def items(user: Who, now: datetime) -> Iterator[TodoItem]:
    if not policies.superior_agencies(user, "upward.sitrep_due"):
        return
    for row in selectors.sitreps(user, now=now):
        if row.state == "missing":
            yield TodoItem(
                kind="report_due",
                title=_("Daily situation report missing: %(agency)s") % {"agency": row.agency.name},
                url=reverse("upward:board"),
                due_at=row.due_at,
            )
