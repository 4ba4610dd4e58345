"""Who may see and change plans. Everyone holding a role in an agency sees its plans (the plan is a document sent to
every unit), its roster and its contact list. Tasks, with their progress notes and evidence, are seen and updated by
the units responsible for them or asked to cooperate (協請) — supervisors and staff of those units — and by
ethics officers (whose role covers the whole agency). Ethics officers draw up and amend plans; the agency head
approves them (核定)."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from anwei.accounts.actor import Actor, Who
from anwei.accounts.roles import ALL_ROLES, Role, grant
from anwei.accounts.scope import Scope
from anwei.core.errors import NotAllowed
from anwei.core.policies import Policy
from anwei.directory.models import DutyShift
from anwei.directory.policies import agency_ids

from .models import Evidence, Plan, Task

grant("plans.view", *ALL_ROLES)
grant("plans.manage", Role.ADMIN, Role.ETHICS_OFFICER)
grant("plans.approve", Role.AGENCY_HEAD)
grant(
    "plans.task_view",
    Role.ADMIN,
    Role.ETHICS_OFFICER,
    Role.AGENCY_HEAD,
    Role.AUDITOR,
    Role.DUTY_OFFICER,
    Role.UNIT_SUPERVISOR,
    Role.STAFF,
)
grant("plans.task_update", Role.ADMIN, Role.ETHICS_OFFICER, Role.UNIT_SUPERVISOR, Role.STAFF)
grant("plans.roster_edit", Role.ADMIN, Role.ETHICS_OFFICER)
grant("plans.handover", Role.ADMIN, Role.ETHICS_OFFICER, Role.DUTY_OFFICER)


@dataclass(frozen=True)
class Step:
    """A step of a plan's lifecycle: the action it needs and the statuses it starts from."""

    action: str
    start: tuple[str, ...]


# draft → approved (核定, by the agency head) → active → closed; an approved plan may also be closed unused
STEPS = {
    "approve": Step("plans.approve", (Plan.Status.DRAFT,)),
    "activate": Step("plans.manage", (Plan.Status.APPROVED,)),
    "close": Step("plans.manage", (Plan.Status.APPROVED, Plan.Status.ACTIVE)),
}


def offered_steps(user: Who, plan: Plan) -> list[str]:
    """The lifecycle steps offered to `user` on the plan's page: those its status allows and `user` may take."""
    return [name for name, step in STEPS.items() if plan.status in step.start and plans.can(user, step.action, plan)]


def may_amend(user: Who, plan: Plan) -> bool:
    """A plan is edited (draft) or amended (approved, active) by who manages it; a closed plan is not changed."""
    return plan.status != Plan.Status.CLOSED and plans.can(user, "plans.manage", plan)


def require(actor: Actor, policy: Policy, action: str, obj: Any = None) -> None:
    """Refuse (NotAllowed) unless `actor` may; the system (demo data, management commands, tasks) may."""
    if not actor.is_system and not policy.can(actor, action, obj):
        raise NotAllowed()


def _signed_in(user: Who) -> bool:
    return bool(getattr(user, "is_authenticated", False))


class PlanPolicy(Policy):
    """Plans are agency-wide; `plans.manage`, `plans.approve`, `plans.roster_edit` and `plans.handover` need the
    role on the plan's owning unit or above it."""

    model = Plan
    view_action = "plans.view"
    unit_field = "owning_unit"

    def visible(self, user: Who, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = queryset if queryset is not None else Plan.objects.all()
        if not _signed_in(user):
            return qs.none()
        return qs.filter(agency__in=agency_ids(user))

    def can(self, user: Who, action: str, obj: Any = None) -> bool:
        if not _signed_in(user):
            return False
        if obj is not None and obj.agency_id not in agency_ids(user):
            return False
        if action == "plans.view":
            return obj is not None or bool(agency_ids(user))
        scope = self.scope(user, action)
        if obj is None:
            return not scope.empty
        return scope.covers(obj.owning_unit)


def _units_q(prefix: str, scope: Scope) -> Q:
    return scope.q(f"{prefix}responsible_units") | scope.q(f"{prefix}cooperating_units")


class TaskPolicy(Policy):
    """A task is the business of its responsible and cooperating units; a task naming no unit belongs to the plan's
    owning unit (the ethics office)."""

    model = Task
    view_action = "plans.task_view"

    def visible(self, user: Who, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = queryset if queryset is not None else Task.objects.all()
        if not _signed_in(user):
            return qs.none()
        scope = self.scope(user, self.view_action)
        if scope.empty:
            return qs.none()
        ids = Task.objects.filter(
            _units_q("", scope) | scope.q("plan__owning_unit"), plan__agency__in=agency_ids(user)
        ).values("pk")
        return qs.filter(pk__in=ids)

    def can(self, user: Who, action: str, obj: Any = None) -> bool:
        if not _signed_in(user):
            return False
        scope = self.scope(user, action)
        if obj is None or scope.empty:
            return not scope.empty
        if obj.plan.agency_id not in agency_ids(user):
            return False
        if scope.covers(obj.plan.owning_unit):
            return True
        units = [*obj.responsible_units.all(), *obj.cooperating_units.all()]
        return any(scope.covers(u) for u in units)


class EvidencePolicy(Policy):
    model = Evidence
    view_action = "plans.task_view"

    def visible(self, user: Who, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = queryset if queryset is not None else Evidence.objects.all()
        return qs.filter(task__in=tasks.visible(user))


plans = PlanPolicy()
tasks = TaskPolicy()
evidence = EvidencePolicy()


class ShiftPolicy(Policy):
    """A roster shift is seen by everyone holding a role in its agency (the roster is pinned on the wall)."""

    model = DutyShift
    view_action = "plans.view"

    def visible(self, user: Who, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = queryset if queryset is not None else DutyShift.objects.all()
        if not _signed_in(user):
            return qs.none()
        return qs.filter(kind__agency__in=agency_ids(user))


shifts = ShiftPolicy()

# plans.import (the import pages) is granted in importer/policy.py; importing it here registers it at start-up
from .importer import policy as import_policy  # noqa: E402,F401
