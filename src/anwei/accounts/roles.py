"""Roles are defined in code. A role is assigned on a unit and covers that unit's subtree.

Each app says which of its actions a role may perform by calling `grant()` from its `policies.py` (loaded at
start-up by `anwei.core.apps`), so the permission table of an app lives beside the app.
"""

from collections import defaultdict

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("System administrator (系統管理員)")
    ETHICS_OFFICER = "ethics_officer", _("Ethics officer (政風人員)")
    AGENCY_HEAD = "agency_head", _("Agency head (機關首長)")
    UNIT_SUPERVISOR = "unit_supervisor", _("Unit supervisor (單位主管)")
    STAFF = "staff", _("Staff (承辦人)")
    DUTY_OFFICER = "duty_officer", _("Duty officer (值勤人員)")
    AUDITOR = "auditor", _("Auditor (稽核)")


ALL_ROLES = frozenset(Role)
_ACTIONS: dict[str, set[str]] = defaultdict(set)
KNOWN_ACTIONS: set[str] = set()


def grant(action: str, *roles: Role) -> None:
    """Let `roles` perform `action` (within the units their assignment covers)."""
    KNOWN_ACTIONS.add(action)
    for role in roles:
        _ACTIONS[role].add(action)


def roles_for(action: str) -> frozenset[str]:
    if action not in KNOWN_ACTIONS:
        raise KeyError(f"unknown action {action!r}: grant() it in the app's policies.py")
    return frozenset(role for role, actions in _ACTIONS.items() if action in actions)


def actions_of(role: str) -> frozenset[str]:
    return frozenset(_ACTIONS.get(role, set()))


# Roles that need two-factor sign-in (issue: security hardening).
MFA_REQUIRED = frozenset({Role.ADMIN, Role.ETHICS_OFFICER, Role.AGENCY_HEAD, Role.AUDITOR})
