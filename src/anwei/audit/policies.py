"""Who may read the audit log, and which part of it.

An entry says who acted (`actor`, or for a failed sign-in the name that was typed, `actor_label`) and on what
(`object_type`/`object_id`, any model). The record's agency cannot be read from an entry without loading every
kind of record, but the actor's can: a user belongs to an agency (`User.agency`) and, through the person they
are, to a unit. So an entry belongs to its actor's agency and unit:

- a role on an agency's root unit (the whole agency) shows the entries of actors of that agency;
- a role on a sub-unit shows only the entries of actors whose unit lies in that subtree;
- an entry with no attributable actor (the worker's own, a sign-in with a name no user has, an actor without
  agency or unit) belongs to no agency: it is shown to the holders of a whole agency only when the installation
  serves that one agency, and otherwise only to those whose scope is everywhere (superusers).
"""

from typing import Any

from django.db.models import Q, QuerySet

from anwei.accounts.actor import Actor, Who
from anwei.accounts.models import User
from anwei.accounts.roles import Role, grant
from anwei.core.policies import Policy
from anwei.directory.models import Agency, Unit

from .models import AuditEntry

grant("audit.view", Role.ADMIN, Role.ETHICS_OFFICER, Role.AUDITOR)


def _is_agency_root(path: str) -> bool:
    return path.count("/") == 2  # "/12/": a unit without a parent


class AuditEntryPolicy(Policy):
    model = AuditEntry
    view_action = "audit.view"

    def visible(self, user: Who, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = queryset if queryset is not None else AuditEntry.objects.all()
        if not Actor.of(user).is_authenticated:
            return qs.none()
        scope = self.scope(user, self.view_action)
        if scope.empty:
            return qs.none()
        if scope.everywhere:
            return qs
        whole_agencies = set(
            Unit.objects.filter(path__in=[p for p in scope.paths if _is_agency_root(p)]).values_list(
                "agency_id", flat=True
            )
        )
        actors = Q(pk__in=[])
        for path in scope.paths:
            actors |= Q(person__unit__path__startswith=path)
        if whole_agencies:
            actors |= Q(agency_id__in=whole_agencies) | Q(person__agency_id__in=whole_agencies)
        in_scope = User.objects.filter(actors)
        shown = Q(actor_id__in=in_scope.values("pk")) | Q(
            actor_id__isnull=True, actor_label__in=in_scope.values("username")
        )
        if whole_agencies and set(Agency.objects.values_list("pk", flat=True)[:2]) == whole_agencies:
            shown |= self._unattributed()
        return qs.filter(shown)

    @staticmethod
    def _unattributed() -> Q:
        attributable = User.objects.filter(Q(agency__isnull=False) | Q(person__isnull=False))
        by_actor = Q(actor_id__isnull=False) & ~Q(actor_id__in=attributable.values("pk"))
        by_label = Q(actor_id__isnull=True) & ~Q(actor_label__in=attributable.values("username"))
        return by_actor | by_label

    def can(self, user: Who, action: str, obj: Any = None) -> bool:
        if obj is None:
            return super().can(user, action)
        return Actor.of(user).is_authenticated and self.visible(user).filter(pk=obj.pk).exists()


entries = AuditEntryPolicy()
