"""Who may do what in awareness work.

- Activities and their statistics: everyone with a role in the agency sees them; ethics officers (and admins)
  organise them; anyone whose person record is in the agency signs in to one.
- Travel declarations: travellers see their own, unit supervisors and the agency head their units', ethics officers
  all; return-report answers (probing, contacts) only the traveller and ethics officers.
- Random checks: ethics officers draw them; auditors read them. The holiday calendar: admins and ethics officers edit.
- Delegations: seen within the host unit's scope; anomalies reported by anyone who sees the delegation."""

from typing import Any

from django.db.models import Q, QuerySet

from anwei.accounts.actor import Actor, Who
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


class ActivityPolicy(Policy):
    model = Activity
    view_action = "awareness.view"

    def visible(self, who: Who, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = queryset if queryset is not None else Activity.objects.all()
        actor = Actor.of(who)
        if not actor.is_authenticated:
            return qs.none()
        agencies = agency_ids(actor)
        person = actor.person
        if person is not None:
            agencies.add(person.agency_id)
        return qs.filter(agency_id__in=agencies)

    def can(self, who: Who, action: str, obj: Any = None) -> bool:
        actor = Actor.of(who)
        if not actor.is_authenticated:
            return False
        if action == "awareness.sign_in":
            person = actor.person
            return person is not None and (obj is None or obj.agency_id == person.agency_id)
        if action == "awareness.view":
            if obj is None:
                return bool(assignments(actor)) or actor.person is not None
            return self.visible(actor).filter(pk=obj.pk).exists()
        if action == "awareness.manage" and obj is not None:
            return obj.agency_id in agency_ids(actor) and not self.scope(actor, action).empty
        return super().can(actor, action, None if action == "awareness.manage" else obj)


class TravelPolicy(Policy):
    model = TravelDeclaration
    view_action = "awareness.view_travel"

    def _own(self, actor: Actor) -> Q:
        own = Q(filed_by_id=actor.user_id)
        if actor.person_id:
            own |= Q(traveller_id=actor.person_id)
        return own

    def visible(self, who: Who, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = queryset if queryset is not None else TravelDeclaration.objects.all()
        actor = Actor.of(who)
        if not actor.is_authenticated:
            return qs.none()
        return qs.filter(self.scope(actor, self.view_action).q("unit") | self._own(actor))

    def is_traveller(self, who: Who, obj: TravelDeclaration) -> bool:
        person_id = Actor.of(who).person_id
        return bool(person_id) and obj.traveller_id == person_id

    def can(self, who: Who, action: str, obj: Any = None) -> bool:
        actor = Actor.of(who)
        if not actor.is_authenticated:
            return False
        if action == "awareness.declare":
            return actor.person is not None or not self.scope(actor, "awareness.handle_travel").empty
        if action in ("awareness.file_return", "awareness.acknowledge_briefing"):
            return obj is not None and self.is_traveller(actor, obj)
        if action == "awareness.read_return":
            return obj is not None and (
                self.is_traveller(actor, obj) or self.scope(actor, "awareness.handle_travel").covers(obj.unit)
            )
        return super().can(actor, action, obj)

    def may_decide_exit(self, user: Who, obj: TravelDeclaration) -> bool:
        """Whether `user` is offered to approve or refuse the exit: it is pending, theirs to decide, not their own."""
        return (
            obj.exit_approval == TravelDeclaration.ExitApproval.PENDING
            and not self.is_traveller(user, obj)
            and self.can(user, "awareness.approve_exit", obj)
        )

    def may_file_upward(self, user: Who, report: ReturnReport) -> bool:
        """Whether `user` is offered to mark a return report as filed upward: not filed yet, and they handle it."""
        return report.upward_filed_on is None and self.can(user, "awareness.handle_travel", report.declaration)


class CalendarPolicy(Policy):
    model = OfficeDay
    view_action = "awareness.view"
    unit_field = ""

    def visible(self, who: Who, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = queryset if queryset is not None else OfficeDay.objects.all()
        return qs if Actor.of(who).is_authenticated else qs.none()

    def can(self, who: Who, action: str, obj: Any = None) -> bool:
        return super().can(who, action, None)


class RandomCheckPolicy(Policy):
    model = RandomCheckDraw
    view_action = "awareness.view_checks"
    unit_field = ""

    def visible(self, who: Who, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = queryset if queryset is not None else RandomCheckDraw.objects.all()
        if not super().can(who, self.view_action):
            return qs.none()
        return qs.filter(agency_id__in=agency_ids(who))

    def can(self, who: Who, action: str, obj: Any = None) -> bool:
        return super().can(who, action, None)


class DelegationPolicy(Policy):
    model = Delegation
    view_action = "awareness.view_delegations"


activities = ActivityPolicy()
travel = TravelPolicy()
calendar = CalendarPolicy()
checks = RandomCheckPolicy()
delegations = DelegationPolicy()
