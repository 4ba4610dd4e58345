"""Roll-up reads from a PostgreSQL streaming replica, with read-your-writes (docs/operations.md, national scale).

Enabled when ANWEI_REPLICA_DATABASE_URL is set (settings add the `replica` alias and this router). Only the reads
that ask for it go to the replica — the roll-up board and API selectors call `rollup_db()` — and even those go to
the primary when:
- the code runs inside a transaction on the primary (its own writes and locks must be seen);
- the current request (or task) has written anything — every INSERT, UPDATE or DELETE on the primary's
  connection is seen (`watch_writes`); the session's own row is not counted, it is saved on every request;
- this browser wrote within the last ANWEI_REPLICA_PIN_SECONDS (a cookie the middleware sets after a writing
  request), so that what a user just did is on the next page even if the replica lags behind.
Everything else reads and writes the primary; migrations run only there. Without a replica, nothing changes.

The cookie holds nothing secret: forging it only sends that browser's roll-up reads to the primary."""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
COOKIE = "anwei_rw"
# writes that do not pin: the session row (saved on every request) says nothing the roll-up reads
UNPINNED_TABLES = ('"django_session"',)
WRITES = ("INSERT", "UPDATE", "DELETE", "MERGE")

_wrote: ContextVar[bool] = ContextVar("anwei_wrote", default=False)
_pinned: ContextVar[bool] = ContextVar("anwei_pinned", default=False)


def replica_enabled() -> bool:
    return REPLICA in settings.DATABASES


def pin_seconds() -> int:
    return int(getattr(settings, "ANWEI_REPLICA_PIN_SECONDS", 10))


def on_primary() -> bool:
    """True when reads must see the primary: pinned by the browser's recent write, a write in this request or
    task, or an open transaction on the primary."""
    return _pinned.get() or _wrote.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block


def rollup_db() -> str:
    """The alias the roll-up reads use: the replica when there is one and nothing pins this read to the primary."""
    if not replica_enabled() or on_primary():
        return DEFAULT_DB_ALIAS
    return REPLICA


def mark_written() -> None:
    _wrote.set(True)


def _is_write(sql: str) -> bool:
    head = sql.lstrip()[:80]
    return head[:6].upper().startswith(WRITES) and not any(table in head for table in UNPINNED_TABLES)


def _watch(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
    if not _wrote.get() and _is_write(sql):
        mark_written()
    return execute(sql, params, many, context)


def watch_writes(sender: Any, connection: Any, **kwargs: Any) -> None:
    """connection_created: watch the primary's statements (a read such as get_or_create's first look asks the
    router for the database to write to, so the router's own calls cannot tell a write)."""
    if connection.alias == DEFAULT_DB_ALIAS and replica_enabled() and _watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch)


@contextmanager
def fresh_context(pinned: bool = False) -> Iterator[None]:
    """A unit of work (a request, a task) starts with no write seen; `pinned` sends its roll-up reads to the
    primary from the start."""
    wrote, pin = _wrote.set(False), _pinned.set(pinned)
    try:
        yield
    finally:
        _wrote.reset(wrote)
        _pinned.reset(pin)


class ReplicaRouter:
    """Writes and migrations on the primary; reads on the primary unless the code asked for `rollup_db()`
    (a queryset's `.using()`), and an object read from the replica keeps reading its relations there."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        instance = hints.get("instance")
        if instance is not None and instance._state.db == REPLICA and not on_primary():
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica is a copy of the primary: the same rows

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


class ReadYourWritesMiddleware:
    """Per request: start with no write seen, pinned to the primary if this browser wrote within the last
    ANWEI_REPLICA_PIN_SECONDS; after a request that wrote, set the cookie that pins the next ones."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_enabled():
            return self.get_response(request)
        now = time.time()
        try:
            pinned = float(request.COOKIES.get(COOKIE, "0")) > now
        except ValueError:
            pinned = False
        with fresh_context(pinned=pinned):
            response = self.get_response(request)
            if _wrote.get():
                seconds = pin_seconds()
                response.set_cookie(
                    COOKIE,
                    str(int(now) + seconds + 1),
                    max_age=seconds + 1,
                    httponly=True,
                    samesite="Lax",
                    secure=settings.SESSION_COOKIE_SECURE,
                )
        return response
