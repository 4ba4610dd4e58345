from typing import Any

from anwei.core.policies import Policy

from .models import User
from .roles import Role, grant

grant("accounts.manage", Role.ADMIN)
grant("accounts.view", Role.ADMIN, Role.ETHICS_OFFICER, Role.AUDITOR)
grant("accounts.security", Role.ADMIN)


class UserPolicy(Policy):
    """Users are seen and managed by unit: through the unit of the person they are linked to."""

    model = User
    unit_field = "person__unit"
    view_action = "accounts.view"

    def unit_of(self, obj: Any) -> Any:
        return obj.person.unit if obj.person_id else None

    def can(self, user: Any, action: str, obj: Any = None) -> bool:
        if action == "accounts.own_tokens":
            return getattr(user, "is_authenticated", False) and (obj is None or obj.user_id == user.pk)
        return super().can(user, action, obj)


users = UserPolicy()
