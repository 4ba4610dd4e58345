"""What the site layout shows on every page: the agency, the user's roles and the navigation they may use."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from anwei.accounts.roles import Role
from anwei.accounts.scope import assignments, can_anywhere

from .registry import navigation


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    labels = dict(Role.choices)
    roles = sorted({labels.get(role, role) for role, _ in assignments(user)}, key=str)
    nav = []
    for name, label, action in navigation():
        if action is None or can_anywhere(user, action):
            url = reverse(name)
            nav.append(
                {
                    "url": url,
                    "label": label,
                    "active": request.path == url or (url != "/" and request.path.startswith(url)),
                }
            )
    agency = getattr(user, "agency", None)
    return {"nav": nav, "user_roles": roles, "agency": agency}
