"""Writes for plans, one module per topic, each write in one transaction with its audit entry: the plan and its
lifecycle (`plans`), its tasks and what the units report (`tasks`), the contact list (`contacts`), the duty roster
(`roster`); `amendments` is the rule they all follow on an approved plan (a new version with the reason). Callers
use the writes from here (`services.approve_plan`)."""

from .contacts import add_contact, remove_contact, update_contact
from .plans import (
    activate_plan,
    amend_plan,
    approve_plan,
    clone_plan,
    close_plan,
    create_plan,
    create_plan_from_outline,
    record_export,
    start_due_plans,
    update_draft,
)
from .roster import assign_shift, generate_roster, write_handover
from .tasks import (
    add_evidence,
    add_task,
    create_task,
    remove_tasks,
    replan_task,
    report_occurrence,
    schedule_task,
    set_task_units,
    update_task,
)

__all__ = [
    "activate_plan",
    "add_contact",
    "add_evidence",
    "add_task",
    "amend_plan",
    "approve_plan",
    "assign_shift",
    "clone_plan",
    "close_plan",
    "create_plan",
    "create_plan_from_outline",
    "create_task",
    "generate_roster",
    "record_export",
    "remove_contact",
    "remove_tasks",
    "replan_task",
    "report_occurrence",
    "schedule_task",
    "set_task_units",
    "start_due_plans",
    "update_contact",
    "update_draft",
    "update_task",
    "write_handover",
]
