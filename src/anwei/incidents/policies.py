"""Who may file, see and handle reports. Staff see their own reports and their unit's non-restricted ones (a role
covers its unit's subtree); restricted reports (leak, national security) are seen only by ethics officers, the
person who filed them and holders of a need-to-know grant — the person a report names as its reporter too: naming
someone gives them nothing by itself (a filer could otherwise hand a colleague a leak case). Refusals are 404 alike
for "missing" and "not yours"."""

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import BigIntegerField, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, Who
from anwei.accounts.models import AccessGrant
from anwei.accounts.roles import ALL_ROLES, Role, grant
from anwei.accounts.scope import has_need_to_know
from anwei.accounts.selectors import Served, who_serves, who_serves_each
from anwei.core.policies import Policy
from anwei.directory.models import Person, Unit

from .models import Incident, IncidentTask, RoutingRule

grant("incidents.view", *ALL_ROLES)
grant("incidents.file", *(ALL_ROLES - {Role.AUDITOR}))
grant("incidents.view_restricted", Role.ETHICS_OFFICER)
grant("incidents.handle", Role.ETHICS_OFFICER, Role.DUTY_OFFICER)
# filing on behalf of someone else (a caller on the ethics office's line, a walk-in informant): only those who take
# reports for the office; everyone else files as themselves
grant("incidents.file_for_others", Role.ETHICS_OFFICER, Role.DUTY_OFFICER)
grant("incidents.manage_rules", Role.ADMIN)
grant("incidents.view_rules", Role.ADMIN, Role.ETHICS_OFFICER, Role.AUDITOR)


def granted_ids(who: Who) -> QuerySet[Any]:
    """Ids of the reports the user holds an active need-to-know grant for (object_id is text: cast for PostgreSQL)."""
    return (
        AccessGrant.objects.active()
        .filter(user_id=Actor.of(who).user_id or 0, content_type=ContentType.objects.get_for_model(Incident))
        .annotate(incident_id=Cast("object_id", BigIntegerField()))
        .values("incident_id")
    )


class IncidentPolicy(Policy):
    model = Incident
    view_action = "incidents.view"

    def _own(self, actor: Actor) -> Q:
        """Reports the user filed, and the open (not restricted) reports naming them as reporter. A restricted
        report reaches its named reporter only through an audited need-to-know grant."""
        own = Q(filed_by_id=actor.user_id)
        if actor.person_id:
            own |= Q(reporter_id=actor.person_id, restricted=False)
        return own

    def may_act_for(self, who: Who, person: Person | None) -> bool:
        """May `who` file a report naming `person` as its reporter? Themselves always; someone else only with
        incidents.file_for_others (the ethics office and the duty officer taking a call) over the person's unit."""
        actor = Actor.of(who)
        if not actor.is_authenticated or person is None:
            return False
        if person.pk == actor.person_id:
            return True
        return self.scope(actor, "incidents.file_for_others").covers(person.unit)

    def people_to_act_for(self, user: Who) -> QuerySet[Person] | None:
        """The people `user` may name as reporter besides themselves (for the filing form's choice), or None when
        they file only in their own name."""
        scope = self.scope(user, "incidents.file_for_others")
        if scope.empty:
            return None
        return Person.objects.filter(scope.q("unit"), active=True).select_related("unit").order_by("unit__path", "name")

    def visible(self, who: Who, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = queryset if queryset is not None else Incident.objects.all()
        actor = Actor.of(who)
        if not actor.is_authenticated:
            return qs.none()
        open_ = Q(restricted=False) & actor.scope("incidents.view").q("unit")
        restricted = Q(restricted=True) & (
            actor.scope("incidents.view_restricted").q("unit") | Q(pk__in=granted_ids(actor))
        )
        return qs.filter(open_ | restricted | self._own(actor))

    def can_see(self, user: Who, incident: Incident) -> bool:
        return self.visible(user).filter(pk=incident.pk).exists()

    def can(self, user: Who, action: str, obj: Any = None) -> bool:
        if action == "incidents.handle" and obj is not None:
            if not self.can_see(user, obj):
                return False
            if obj.restricted and not (
                self.scope(user, "incidents.view_restricted").covers(obj.unit) or has_need_to_know(user, obj)
            ):
                return False
        return super().can(user, action, obj)


class RoutingRulePolicy(Policy):
    model = RoutingRule
    view_action = "incidents.view_rules"
    unit_field = ""

    def visible(self, user: Who, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = queryset if queryset is not None else RoutingRule.objects.all()
        return qs if self.can(user, "incidents.view_rules") else qs.none()

    def can(self, user: Who, action: str, obj: Any = None) -> bool:
        return super().can(user, action, None)


class TaskPolicy:
    """A task given to a unit is worked on (opened, answered, marked done) by whoever answers for the unit
    (accounts.selectors.who_serves: its people, else the supervisor above it, else the ethics office as its
    proxy) and by those who handle the report. The unit's people see the task and only the minimum of the report
    it belongs to: its reference and category — its title and description only where they may see the report
    anyway (a restricted report stays need-to-know)."""

    def served(self, task: IncidentTask, cache: dict[int, Served] | None = None) -> Served | None:
        if task.unit is None:
            return None
        if cache is not None and task.unit_id in cache:
            return cache[task.unit_id]
        found = who_serves(task.unit)
        if cache is not None:
            cache[task.unit.pk] = found
        return found

    def serves(self, who: Who, task: IncidentTask, cache: dict[int, Served] | None = None) -> bool:
        served = self.served(task, cache)
        user_id = Actor.of(who).user_id
        return served is not None and user_id is not None and any(u.pk == user_id for u in served.users)

    def units_served_by(self, who: Who, units: Iterable[Unit]) -> set[int]:
        """Of `units`, the ids of those `who` answers for (for the to-do list: a few queries for all)."""
        user_id = Actor.of(who).user_id
        return {pk for pk, served in who_serves_each(units).items() if any(u.pk == user_id for u in served.users)}

    def can_work(self, who: Who, task: IncidentTask) -> bool:
        actor = Actor.of(who)
        if not actor.is_authenticated:
            return False
        return self.serves(actor, task) or incidents.can(actor, "incidents.handle", task.incident)

    def get_workable(self, who: Who, task_id: int) -> IncidentTask:
        """A task `who` may work on; 404 alike for missing and not theirs (the services' and pages' one loader)."""
        item = (
            IncidentTask.objects.select_related("incident__agency", "incident__unit", "unit").filter(pk=task_id).first()
        )
        if item is None or not self.can_work(who, item):
            raise Http404(_("Not found."))
        return item

    def may_read_report(self, user: Who, task: IncidentTask) -> bool:
        """Whether the task page may show the report's title and description (and link to it)."""
        return incidents.can_see(user, task.incident)


incidents = IncidentPolicy()
routing_rules = RoutingRulePolicy()
tasks = TaskPolicy()
