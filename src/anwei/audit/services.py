"""Writing to the audit log. `record()` is called by every service that changes something that matters, inside
the service's own transaction, so the change and its audit entry commit or fail together."""

import contextlib
import contextvars
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from anwei.core import context, fastinsert, newrow
from anwei.core.rocdate import format_date

from . import keys, witness
from .chain import FIELDS, KEY_ENTRY, canonical, mac_function
from .models import AuditCheckpoint, AuditEntry, AuditHead

Action = AuditEntry.Action


class AuditLogBehind(RuntimeError):
    """The chain's head is below an entry the witness file has seen: the log was wiped, truncated or restored from
    an older copy. Nothing more is appended until someone who may looks at it (`audit verify`)."""


def _plain(value: Any) -> Any:
    """JSON that reads back identically from SQLite and PostgreSQL (so the hash can be recomputed)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True), parse_float=str)


class Recordable(Protocol):
    """Who the log names: anwei.accounts.actor.Actor (the audit layer sits below accounts, so it asks no more)."""

    @property
    def audit_id(self) -> int | None: ...

    @property
    def audit_label(self) -> str: ...


AuditActor = Recordable | AbstractBaseUser | AnonymousUser | None


def _who(actor: AuditActor) -> tuple[int | None, str]:
    """(user id, label) of the actor: nobody for the system and the signed out."""
    if actor is None or isinstance(actor, AnonymousUser):
        return None, ""
    if isinstance(actor, AbstractBaseUser):
        if not actor.is_authenticated:
            return None, ""
        return actor.pk, str(actor.get_username())[:150]
    return actor.audit_id, actor.audit_label


class HeadAhead:
    """The chain's head, locked and read by a statement the caller runs anyway inside its transaction (`columns()`
    added to what that statement returns, `take()` reading them back; see `core.ahead.KeysAhead`), so the append
    reads it with no statement of its own (issue 20: a filing takes its reference number, its keys and the head in
    one statement). Give it to `deferred()`. Locked from that statement to the commit."""

    width = 3  # seq, hash, key_id

    def __init__(self) -> None:
        self.head: AuditHead | None = None

    def columns(self) -> tuple[str, list[Any]]:
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""  # SQLite: the write lock is held
        return "".join(f", (SELECT {c} FROM {_HEAD} WHERE id = 1{lock})" for c in ("seq", "hash", "key_id")), []  # noqa: S608

    def take(self, values: Sequence[Any]) -> None:
        seq, hash_, key_id = values
        if seq is not None:  # none before the first entry ever: the append makes it
            self.head = AuditHead.from_db(connection.alias, ["id", "seq", "hash", "key_id"], [1, seq, hash_, key_id])


@dataclass
class _Deferred:
    """The entries recorded in a `deferred()` block not yet appended, and the head when it is already locked and
    read (taken ahead, or left by an earlier append of the block)."""

    entries: list[AuditEntry] = field(default_factory=list)
    ahead: HeadAhead | None = None


_pending: contextvars.ContextVar[_Deferred | None] = contextvars.ContextVar("anwei_audit_pending", default=None)


@contextmanager
def deferred(ahead: HeadAhead | None = None) -> Iterator[None]:
    """Entries recorded inside are appended together when the block ends, still inside the caller's transaction.
    The chain's head is locked from that moment to the commit, not from the first entry: a service that does a lot
    of work after its first entry (filing a report: routing, outbox) no longer makes every other writer wait for
    all of it. Use it only around code whose entries commit or roll back as one (no savepoint that is rolled back
    and caught inside). Nested blocks append with the outermost one. `ahead`: the head locked and read by the
    caller's own statement (`HeadAhead`); `append_now` appends what is recorded so far with the caller's rows."""
    if _pending.get() is not None:
        yield
        return
    state = _Deferred(ahead=ahead)
    token = _pending.set(state)
    try:
        yield
    finally:
        _pending.reset(token)
    if state.entries:
        _append(state.entries, state.ahead.head if state.ahead else None)


def append_now(batch: fastinsert.Together) -> None:
    """Inside `deferred()`: append the entries recorded so far in the caller's `fastinsert.together` block (written
    with its rows: on PostgreSQL in its one statement); any recorded later are appended when the block ends."""
    state = _pending.get()
    assert state is not None, "append_now belongs in a deferred() block"
    if state.entries:
        head = _append(state.entries, state.ahead.head if state.ahead else None, batch)
        state.entries, state.ahead = [], state.ahead or HeadAhead()
        state.ahead.head = head


_HEAD = AuditHead._meta.db_table


def _locked_head() -> AuditHead:
    """The head, locked until the caller's transaction commits; refused when it is behind the witness file. Read
    with a statement written out (it runs in every write's transaction, while the lock is held)."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""  # SQLite: the write lock is held
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, seq, hash, key_id FROM {_HEAD} WHERE id = 1{lock}")  # noqa: S608 - the model's table
        row = cursor.fetchone()
    if row is None:  # the first entry ever
        head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1)
    else:
        head = AuditHead.from_db(connection.alias, ["id", "seq", "hash", "key_id"], row)
    return _witnessed(head)


def _witnessed(head: AuditHead) -> AuditHead:
    """The head, unless it is behind the witness file (the log wiped, cut short or restored from an older copy)."""
    if head.seq < (witnessed := witness.last_seq()):
        raise AuditLogBehind(f"the audit head #{head.seq} is behind entry #{witnessed} of the witness file")
    return head


def _handover(head: AuditHead, key: keys.MacKey) -> AuditEntry:
    """The entry that hands the chain to `key`, MACed with the key before it (plain SHA-256 for a chain from
    before keyed MACs: the key file then records that the keyed chain starts after it)."""
    if not head.key_id:
        keys.mark_legacy_until(key, head.seq + 1)
    return AuditEntry(
        action=Action.OTHER,
        object_type=KEY_ENTRY,
        object_id=key.id,
        object_repr="",
        changes={"key": key.id, "previous": head.key_id},
    )


@transaction.atomic(savepoint=False)
def _append(
    entries: list[AuditEntry], head: AuditHead | None = None, batch: fastinsert.Together | None = None
) -> AuditHead:
    """Chain the entries after the head (locked until the caller's transaction commits; `head`: already locked and
    read) and write them at once — in `batch` when given — each MACed with the current key; a new current key is
    first handed the chain by a key entry. Returns the head as moved. No savepoint of its own: a failed append
    fails the caller's transaction, whose change must not commit without its entries."""
    head = _locked_head() if head is None else _witnessed(head)
    keyring = keys.keyring()  # read once: oldest first, the current key last
    ring, key = {k.id: k for k in keyring}, keyring[-1]
    if head.key_id and head.key_id not in ring:
        raise keys.KeyMissing(f"the audit key {head.key_id} that MACs the chain is not in the key file")
    if head.key_id != key.id and head.seq > 0:
        entries = [_handover(head, key), *entries]
    elif head.seq == 0:
        head.key_id = key.id
    mac = mac_function(ring[head.key_id].secret if head.key_id else None)
    now = timezone.now()
    for entry in entries:
        entry.seq, entry.at, entry.prev_hash = head.seq + 1, now, head.hash
        entry.hash = mac(canonical({name: getattr(entry, name) for name in FIELDS}))
        head.seq, head.hash = entry.seq, entry.hash
        if entry.object_type == KEY_ENTRY:
            head.key_id = entry.object_id
            mac = mac_function(ring[head.key_id].secret)
    with contextlib.nullcontext(batch) if batch is not None else fastinsert.together() as writing:
        writing.insert(entries)  # PostgreSQL: one round trip with the head's move, the head's lock held for less
        writing.execute(
            f"UPDATE {_HEAD} SET seq = %s, hash = %s, key_id = %s WHERE id = 1",  # noqa: S608 - the model's table
            [head.seq, head.hash, head.key_id],
        )
    return head


def rotate_key() -> keys.MacKey:
    """A new MAC key: added to the key file, handed the chain by a key entry MACed with the old key, and the new
    head witnessed at once. The old key stays in the file (the entries it MACed are verified with it)."""
    key = keys.add_key()
    with transaction.atomic():
        _append([])
    checkpoint()
    return key


def record(
    *,
    actor: AuditActor,
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
    actor_id, label = _who(actor)
    entry = newrow.new(
        AuditEntry,
        actor_id=actor_id,
        actor_label=(actor_label if actor_label is not None else label)[:150],
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
        pending.entries.append(entry)
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


def record_update(*, actor: AuditActor, obj: models.Model, before: dict[str, Any], **kwargs: Any) -> AuditEntry | None:
    """Record an update with field-level old/new values; nothing when nothing changed."""
    diff = changes_between(before, snapshot(obj, list(before)))
    if not diff:
        return None
    return record(actor=actor, action=Action.UPDATE, obj=obj, changes=diff, **kwargs)


def record_create(*, actor: AuditActor, obj: models.Model, **kwargs: Any) -> AuditEntry:
    values = {k: v for k, v in snapshot(obj).items() if k != "id"}
    return record(actor=actor, action=Action.CREATE, obj=obj, changes={"new": values}, **kwargs)


@transaction.atomic
def checkpoint(day: date | None = None) -> AuditCheckpoint:
    """Store today's head (number and MAC) as a checkpoint, signed and appended to the witness file."""
    head = _locked_head()
    day = day or timezone.localdate()
    cp, _created = AuditCheckpoint.objects.update_or_create(day=day, defaults={"seq": head.seq, "hash": head.hash})
    witness.append(head.seq, head.hash, head.key_id or None, timezone.now())
    return cp


def mail_checkpoint(cp: AuditCheckpoint) -> int:
    """E-mail the checkpoint, with its signed witness line, to every active auditor (稽核) with an address: a copy
    of the witness nobody with the database or the server can take back. Returns the number of addresses."""
    auditors = get_user_model().objects.filter(is_active=True, role_assignments__role="auditor").exclude(email="")
    addresses = sorted(set(auditors.values_list("email", flat=True)))
    if not addresses:
        return 0
    line = witness.path().read_text(encoding="utf-8").splitlines()[-1]
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Audit log checkpoint of %(date)s") % {"date": format_date(cp.day)}
        body = _(
            "The audit log had %(count)s entries on %(date)s. Keep this message: it lets an inspection prove that the "
            "log was not rewritten or cut short afterwards.\n\nSigned checkpoint:\n%(line)s\n"
        ) % {"count": f"{cp.seq:,}", "date": format_date(cp.day), "line": line}
    send_mail(subject, body, None, addresses)
    return len(addresses)
