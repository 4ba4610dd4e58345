"""One to-do list per person: what waits for them, gathered from every app's `todo.py`.

An app contributes with a module `anwei/<app>/todo.py` defining `items(user, now) -> Iterable[TodoItem]`: the work
that waits for this user now (reports to acknowledge, requests to approve, tasks of their unit, calls the person on
duty must make, corrective actions, copies to return, task reports due). The home page, the navigation counts and
`GET /api/v1/todo` all read `for_user`, so the three never disagree."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.utils import timezone

from .registry import modules

KINDS = ("acknowledge", "approve", "task", "must_call", "corrective_action", "return_due", "report_due")


@dataclass(frozen=True)
class TodoItem:
    kind: str  # one of KINDS
    title: str
    url: str
    due_at: datetime | None = None
    detail: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown to-do kind {self.kind!r}")


class Provider(Protocol):
    def items(self, user: Any, now: datetime) -> Iterable[TodoItem]: ...


def for_user(user: Any, now: datetime | None = None) -> list[TodoItem]:
    """Everything waiting for the user, soonest due first (items without a due time last)."""
    if user is None or not user.is_authenticated:
        return []
    now = now or timezone.now()
    found = [item for module in modules("todo") for item in module.items(user, now)]
    return sorted(found, key=lambda i: (i.due_at is None, i.due_at or now, i.kind, i.title))
