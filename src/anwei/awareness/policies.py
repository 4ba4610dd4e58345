"""Who may do what in awareness work.

- Activities and their statistics: everyone with a role in the agency sees them; ethics officers (and admins)
  organise them; anyone whose person record is in the agency signs in to one.
- Travel declarations: travellers see their own, unit supervisors and the agency head their units', ethics officers
  all; return-report answers (probing, contacts) only the traveller and ethics officers.
- Random checks: ethics officers draw them; auditors read them. The holiday calendar: admins and ethics officers edit.
- Delegations: seen within the host unit's scope; anomalies reported by anyone who sees the delegation."""

from typing import Any

from django.db.models import Q, QuerySet

from anwei.accounts.roles import ALL_ROLES, Role, grant
from anwei.accounts.scope import assignments
from anwei.core.policies import Policy
from anwei.directory.policies import agency_ids
from anwei.officecalendar.models import OfficeDay

from .models import Activity, Delegation, RandomCheckDraw, ReturnReport, TravelDeclaration

grant("awareness.view", *ALL_ROLES)
grant("awareness.manage", Role.ADMIN, Role.ETHICS_OFFICER)
grant("awareness.manage_calendar", Role.ADMIN, Role.ETHICS_OFFICER)
grant("awareness.view_travel", Role.ETHICS_OFFICER, Role.AGENCY_HEAD, Role.UNIT_SUPERVISOR)
grant("awareness.handle_travel", Role.ETHICS_OFFICER)
grant("awareness.approve_exit", Role.ETHICS_OFFICER, Role.AGENCY_HEAD)
grant("awareness.random_check", Role.ETHICS_OFFICER)
grant("awareness.view_checks", Role.ETHICS_OFFICER, Role.AUDITOR)
grant(
    "awareness.view_delegations",
    Role.ETHICS_OFFICER,
    Role.AGENCY_HEAD,
    Role.UNIT_SUPERVISOR,
    Role.STAFF,
    Role.DUTY_OFFICER,
)


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


class ActivityPolicy(Policy):
    model = Activity
    view_action = "awareness.view"

    def visible(self, user: Any, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = queryset if queryset is not None else Activity.objects.all()
        if not _authenticated(user):
            return qs.none()
        agencies = agency_ids(user)
        person = getattr(user, "person", None)
        if person is not None:
            agencies.add(person.agency_id)
        return qs.filter(agency_id__in=agencies)

    def can(self, user: Any, action: str, obj: Any = None) -> bool:
        if not _authenticated(user):
            return False
        if action == "awareness.sign_in":
            person = getattr(user, "person", None)
            return person is not None and (obj is None or obj.agency_id == person.agency_id)
        if action == "awareness.view":
            if obj is None:
                return bool(assignments(user)) or getattr(user, "person", None) is not None
            return self.visible(user).filter(pk=obj.pk).exists()
        if action == "awareness.manage" and obj is not None:
            return obj.agency_id in agency_ids(user) and not self.scope(user, action).empty
        return super().can(user, action, None if action == "awareness.manage" else obj)


class TravelPolicy(Policy):
    model = TravelDeclaration
    view_action = "awareness.view_travel"

    def _own(self, user: Any) -> Q:
        own = Q(filed_by_id=user.pk)
        if getattr(user, "person_id", None):
            own |= Q(traveller_id=user.person_id)
        return own

    def visible(self, user: Any, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = queryset if queryset is not None else TravelDeclaration.objects.all()
        if not _authenticated(user):
            return qs.none()
        return qs.filter(self.scope(user, self.view_action).q("unit") | self._own(user))

    def is_traveller(self, user: Any, obj: TravelDeclaration) -> bool:
        return bool(getattr(user, "person_id", None)) and obj.traveller_id == user.person_id

    def can(self, user: Any, action: str, obj: Any = None) -> bool:
        if not _authenticated(user):
            return False
        if action == "awareness.declare":
            return getattr(user, "person", None) is not None or not self.scope(user, "awareness.handle_travel").empty
        if action in ("awareness.file_return", "awareness.acknowledge_briefing"):
            return obj is not None and self.is_traveller(user, obj)
        if action == "awareness.read_return":
            return obj is not None and (
                self.is_traveller(user, obj) or self.scope(user, "awareness.handle_travel").covers(obj.unit)
            )
        return super().can(user, action, obj)

    def may_decide_exit(self, user: Any, obj: TravelDeclaration) -> bool:
        """Whether `user` is offered to approve or refuse the exit: it is pending, theirs to decide, not their own."""
        return (
            obj.exit_approval == TravelDeclaration.ExitApproval.PENDING
            and not self.is_traveller(user, obj)
            and self.can(user, "awareness.approve_exit", obj)
        )

    def may_file_upward(self, user: Any, report: ReturnReport) -> bool:
        """Whether `user` is offered to mark a return report as filed upward: not filed yet, and they handle it."""
        return report.upward_filed_on is None and self.can(user, "awareness.handle_travel", report.declaration)


class CalendarPolicy(Policy):
    model = OfficeDay
    view_action = "awareness.view"
    unit_field = ""

    def visible(self, user: Any, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = queryset if queryset is not None else OfficeDay.objects.all()
        return qs if _authenticated(user) else qs.none()

    def can(self, user: Any, action: str, obj: Any = None) -> bool:
        return super().can(user, action, None)


class RandomCheckPolicy(Policy):
    model = RandomCheckDraw
    view_action = "awareness.view_checks"
    unit_field = ""

    def visible(self, user: Any, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = queryset if queryset is not None else RandomCheckDraw.objects.all()
        if not super().can(user, self.view_action):
            return qs.none()
        return qs.filter(agency_id__in=agency_ids(user))

    def can(self, user: Any, action: str, obj: Any = None) -> bool:
        return super().can(user, action, None)


class DelegationPolicy(Policy):
    model = Delegation
    view_action = "awareness.view_delegations"


activities = ActivityPolicy()
travel = TravelPolicy()
calendar = CalendarPolicy()
checks = RandomCheckPolicy()
delegations = DelegationPolicy()
