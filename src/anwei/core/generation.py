"""The cache generation: per-process caches (tokens, roles, roster, routing rules) are valid only while the stamp in
`core_cachegeneration` is the one they were built under. Any change to the rows they hold sets a new random stamp
in the changing transaction (post_save/post_delete of the watched models, or `bump()` after a bulk write), so a
change is seen by every process at its next request, and a rolled-back change leaves the old stamp — and the
caches built under it — valid. The stamp is read once per request (one indexed one-row SELECT)."""

import contextvars
import secrets
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from . import context

_memo: contextvars.ContextVar[tuple[Any, int] | None] = contextvars.ContextVar("anwei_generation", default=None)
_watched: set[type[Model]] = set()
_forget: list[Callable[[], None]] = []


def _table() -> str:
    from .models import CacheGeneration

    return CacheGeneration._meta.db_table


def current() -> int:
    """The stamp now (once per request: the request's later calls answer the same)."""
    request = context.current.get()
    memo = _memo.get()
    if request is not None and memo is not None and memo[0] is request:
        return memo[1]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {_table()} WHERE id = 1")  # noqa: S608 - the model's own table
        row = cursor.fetchone()
    value = int(row[0]) if row else 0
    if request is not None:
        _memo.set((request, value))
    return value


def bump(**_kwargs: Any) -> None:
    """A new stamp, in the caller's transaction (or at once outside one)."""
    from .models import CacheGeneration

    stamp = secrets.randbits(62) or 1
    if not CacheGeneration.objects.filter(pk=1).update(value=stamp):
        CacheGeneration.objects.update_or_create(pk=1, defaults={"value": stamp})
    _memo.set(None)


def bump_after_migrate(using: str = "default", **_kwargs: Any) -> None:
    from django.db import connections

    if _table() in connections[using].introspection.table_names():
        bump()


def _changed(sender: type[Model], **kwargs: Any) -> None:
    fields = kwargs.get("update_fields")
    if fields and set(fields) <= {"last_login", "last_used_at"}:
        return  # a sign-in or a token's use changes nothing a cache holds
    bump()


def watch(*models: type[Model]) -> None:
    """Set a new stamp whenever a row of these models is saved or deleted."""
    for model in models:
        if model not in _watched:
            _watched.add(model)
            post_save.connect(_changed, sender=model, dispatch_uid=f"anwei-generation-save-{model._meta.label}")
            post_delete.connect(_changed, sender=model, dispatch_uid=f"anwei-generation-delete-{model._meta.label}")


class Cache:
    """A per-process dictionary valid under one stamp: `get(key, load)` answers the loaded value until the stamp
    changes."""

    def __init__(self) -> None:
        self.stamp: int | None = None
        self.values: dict[Any, Any] = {}

    def get(self, key: Any, load: Callable[[], Any]) -> Any:
        stamp = current()
        if stamp != self.stamp:
            self.values, self.stamp = {}, stamp
        try:
            return self.values[key]
        except KeyError:
            value = self.values[key] = load()
            return value

    def clear(self) -> None:
        self.values, self.stamp = {}, None
