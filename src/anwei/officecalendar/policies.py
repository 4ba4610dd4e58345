"""Who may do what with the office calendar: everyone signed in reads it; admins and ethics officers enter a day or
a typhoon closure by hand; admins import the DGPA file (it replaces whole years)."""

from typing import Any

from django.db.models import QuerySet

from anwei.accounts.actor import Actor, Who
from anwei.accounts.roles import ALL_ROLES, Role, grant
from anwei.core.policies import Policy

from .models import OfficeDay

grant("officecalendar.view", *ALL_ROLES)
grant("officecalendar.manage", Role.ADMIN, Role.ETHICS_OFFICER)
grant("officecalendar.import", Role.ADMIN)


class OfficeCalendarPolicy(Policy):
    model = OfficeDay
    view_action = "officecalendar.view"
    unit_field = ""

    def visible(self, user: Who, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = queryset if queryset is not None else OfficeDay.objects.all()
        return qs if Actor.of(user).is_authenticated else qs.none()

    def can(self, user: Who, action: str, obj: Any = None) -> bool:
        return super().can(user, action, None)


calendar = OfficeCalendarPolicy()
