from typing import Any

from anwei.core.policies import Policy

from .actor import Actor, Who
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

    def can(self, user: Who, action: str, obj: Any = None) -> bool:
        if action == "accounts.own_tokens":
            return Actor.of(user).is_authenticated and (obj is None or obj.user_id == Actor.of(user).user_id)
        return super().can(user, action, obj)


users = UserPolicy()
