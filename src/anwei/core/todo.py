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
from django.utils.translation import gettext_lazy as _

from .registry import modules

KINDS = ("acknowledge", "approve", "task", "must_call", "corrective_action", "return_due", "report_due")
KIND_LABELS = {
    "acknowledge": _("To acknowledge"),
    "approve": _("To approve"),
    "task": _("Task for your unit"),
    "must_call": _("Call now"),
    "corrective_action": _("Corrective action"),
    "return_due": _("To return"),
    "report_due": _("Report due"),
}


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

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def late(self) -> bool:
        return self.due_at is not None and self.due_at < timezone.now()


class Provider(Protocol):
    def items(self, user: Any, now: datetime) -> Iterable[TodoItem]: ...


REQUEST_ATTR = "_anwei_todo"


def for_request(request: Any) -> list[TodoItem]:
    """The signed-in user's to-do list, gathered once per request (the navigation count and the home page share
    it)."""
    cached = getattr(request, REQUEST_ATTR, None)
    if cached is None:
        cached = for_user(getattr(request, "user", None))
        setattr(request, REQUEST_ATTR, cached)
    return cached


def for_user(user: Any, now: datetime | None = None) -> list[TodoItem]:
    """Everything waiting for the user, soonest due first (items without a due time last)."""
    if user is None or not user.is_authenticated:
        return []
    now = now or timezone.now()
    providers = [m for m in modules("todo") if m.__name__ != __name__]  # core's own todo.py is this interface
    found = [item for module in providers for item in module.items(user, now)]
    return sorted(found, key=lambda i: (i.due_at is None, i.due_at or now, i.kind, i.title))
