"""Writing to the audit log. `record()` is called by every service that changes something that matters, inside
the service's own transaction, so the change and its audit entry commit or fail together."""

import contextvars
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from anwei.core import context

from .chain import FIELDS, entry_hash
from .models import AuditCheckpoint, AuditEntry, AuditHead

Action = AuditEntry.Action


def _plain(value: Any) -> Any:
    """JSON that reads back identically from SQLite and PostgreSQL (so the hash can be recomputed)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True), parse_float=str)


def _label(actor: Any) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ""
    return str(getattr(actor, "username", actor))[:150]


_pending: contextvars.ContextVar[list[AuditEntry] | None] = contextvars.ContextVar("anwei_audit_pending", default=None)


@contextmanager
def deferred() -> Iterator[None]:
    """Entries recorded inside are appended together when the block ends, still inside the caller's transaction.
    The chain's head is locked from that moment to the commit, not from the first entry: a service that does a lot
    of work after its first entry (filing a report: routing, outbox) no longer makes every other writer wait for
    all of it. Use it only around code whose entries commit or roll back as one (no savepoint that is rolled back
    and caught inside). Nested blocks append with the outermost one."""
    if _pending.get() is not None:
        yield
        return
    token = _pending.set([])
    try:
        yield
        entries = _pending.get() or []
    finally:
        _pending.reset(token)
    if entries:
        _append(entries)


@transaction.atomic
def _append(entries: list[AuditEntry]) -> None:
    """Chain the entries after the head (locked until the caller's transaction commits) and write them at once."""
    head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1)
    now = timezone.now()
    for entry in entries:
        entry.seq, entry.at, entry.prev_hash = head.seq + 1, now, head.hash
        entry.hash = entry_hash({name: getattr(entry, name) for name in FIELDS})
        head.seq, head.hash = entry.seq, entry.hash
    AuditEntry.objects.bulk_create(entries)
    head.save(update_fields=["seq", "hash"])


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: Any = "",
    object_repr: str | None = None,
    changes: dict[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEntry:
    """Append one entry to the chain (inside `deferred()`, when the block ends). `object_repr` defaults to
    str(obj): for restricted records pass a reference number instead, never a title."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = str(obj) if object_repr is None else object_repr
    ctx = context.get()
    entry = AuditEntry(
        actor_id=actor.pk if getattr(actor, "is_authenticated", False) else None,
        actor_label=(actor_label if actor_label is not None else _label(actor))[:150],
        action=str(action),
        object_type=object_type,
        object_id=str(object_id or ""),
        object_repr=(object_repr or "")[:200],
        changes=_plain(changes or {}),
        ip=ctx.ip or "",
        request_id=ctx.request_id,
    )
    pending = _pending.get()
    if pending is not None:
        pending.append(entry)
    else:
        _append([entry])
    return entry


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """Field values of a model instance, for a before/after comparison."""
    names = fields or [f.attname for f in instance._meta.concrete_fields]
    return {name: getattr(instance, name) for name in names}


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields that differ."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def record_update(*, actor: Any, obj: models.Model, before: dict[str, Any], **kwargs: Any) -> AuditEntry | None:
    """Record an update with field-level old/new values; nothing when nothing changed."""
    diff = changes_between(before, snapshot(obj, list(before)))
    if not diff:
        return None
    return record(actor=actor, action=Action.UPDATE, obj=obj, changes=diff, **kwargs)


def record_create(*, actor: Any, obj: models.Model, **kwargs: Any) -> AuditEntry:
    values = {k: v for k, v in snapshot(obj).items() if k != "id"}
    return record(actor=actor, action=Action.CREATE, obj=obj, changes={"new": values}, **kwargs)


@transaction.atomic
def checkpoint(day: date | None = None) -> AuditCheckpoint:
    """Store today's head (number and hash) as a checkpoint."""
    head = AuditHead.objects.get(pk=1)
    day = day or timezone.localdate()
    cp, _ = AuditCheckpoint.objects.update_or_create(day=day, defaults={"seq": head.seq, "hash": head.hash})
    return cp
