"""What the site layout shows on every page: the agency, the user's roles, the navigation they may use, the
prominent actions (我要通報) and the count of their to-do list. It lives with the roles it reads; the menu
entries and to-do items come from every app through core.registry."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from anwei.core import todo
from anwei.core.registry import navigation, primary_actions

from .actor import Actor
from .roles import Role
from .scope import assignments, can_anywhere


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
    actions = [
        {"url": reverse(name), "label": label}
        for name, label, action in primary_actions()
        if action is None or can_anywhere(user, action)
    ]
    agency = Actor.of(user).agency
    # the to-do count: gathered only when a page shows it, and once per request (core.todo.for_request)
    todo_count = SimpleLazyObject(lambda: len(todo.for_request(request)))
    return {"nav": nav, "user_roles": roles, "agency": agency, "primary_actions": actions, "todo_count": todo_count}
