"""如有未盡事宜得隨時修正: the rule every write to a plan follows. A draft is edited freely; every change to an
approved or active plan — its sections, a task's wording, units, due date or recurrence, a task added or removed,
a contact added, edited or removed — becomes a new version with the reason, who and when (and an "amend" entry in
the audit log beside the change's own entries); a closed plan is not changed. Called inside the services'
transactions."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from anwei.accounts.actor import Actor
from anwei.audit import services as audit
from anwei.core.errors import BusinessRuleError

from .. import versions
from ..models import Plan, PlanVersion


def lock(plan: Plan) -> Plan:
    """The plan, locked until the transaction ends (version numbers are given one at a time)."""
    return Plan.objects.select_for_update().get(pk=plan.pk)


def needs_version(plan: Plan, reason: str) -> bool:
    """Whether a change to `plan` must become a version; refuses a closed plan, and a change to an approved or
    active plan without a reason."""
    if plan.status == Plan.Status.CLOSED:
        raise BusinessRuleError(_("The plan is closed."))
    if plan.is_live and not reason.strip():
        raise BusinessRuleError(_("Say why the plan is amended."), field="reason")
    return plan.is_live


def first_version(*, actor: Actor, plan: Plan) -> PlanVersion:
    return PlanVersion.objects.create(
        plan=plan,
        number=1,
        content=versions.snapshot(plan),
        reason=pgettext("plan", "Approved"),
        created_by=actor.user,
    )


def new_version(*, actor: Actor, plan: Plan, reason: str) -> PlanVersion:
    """The plan as it now stands, as its next version (call with the plan locked, after the change)."""
    plan.version += 1
    plan.save(update_fields=["version", "updated_at"])
    version = PlanVersion.objects.create(
        plan=plan, number=plan.version, content=versions.snapshot(plan), reason=reason.strip(), created_by=actor.user
    )
    audit.record(actor=actor, action="amend", obj=plan, changes={"version": plan.version, "reason": reason.strip()})
    return version
