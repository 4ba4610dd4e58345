"""The outbox written in bulk for a key nobody has been told under yet (a new report: issue 20). The same rows as
`services.notify()` — a notification per recipient, a delivery per channel (planned by the same
`services._plan_deliveries`), in-app deliveries written as sent, the others left pending for the worker — but
without reading who was told already (nobody can have been: the key is new), without savepoints, with the
registered contact channels from a per-process cache (valid under the cache generation, anwei.core.generation).
In steps, so a filing holds its locks for the INSERTs only: `plan_new` builds every row and `prepare_new` puts the
message in and makes their statements, both before the transaction (the keys, taken ahead inside it, and the values
made from the caller's report number are `ahead.Later`); inside it `write_new` writes them with the caller's
rows, with ONE worker task for all the pending deliveries — written in the same transaction when the queue is a
table of the same database (`queue_in_database`), else queued after commit (robust: a failure to queue leaves them
to the sweeper, as notify's)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import prefetch_related_objects
from django.tasks import task_backends
from django.utils import translation
from django_tasks_db import DatabaseBackend

from anwei.core import ahead, fastinsert, generation, newrow, taskqueue
from anwei.core.text import single_line
from anwei.core.wording import roc_dates_in
from anwei.directory.models import ExternalContact, Person

from .models import ContactChannel, Delivery, Notification
from .services import _plan_deliveries, _recipients

_cache = generation.Cache()
generation.watch(ContactChannel)


def contact_channels() -> dict[tuple[str, int], list[ContactChannel]]:
    """The active registered channels of each person ("person", id) and outside contact ("contact", id), in order."""

    def load() -> dict[tuple[str, int], list[ContactChannel]]:
        out: dict[tuple[str, int], list[ContactChannel]] = {}
        for entry in ContactChannel.objects.filter(active=True).order_by("pk"):
            key = ("person", entry.person_id) if entry.person_id else ("contact", entry.contact_id)
            # the ignore below: a channel row has a person or a contact, so the key's id is an int
            out.setdefault(key, []).append(entry)  # type: ignore[arg-type]
        return out

    result: dict[tuple[str, int], list[ContactChannel]] = _cache.get("channels", load)
    return result


@dataclass
class Batch:
    """Recipients told alike: people (Persons or Users), outside contacts, whether they must acknowledge."""

    people: Iterable[Any] = ()
    contacts: Iterable[ExternalContact] = ()
    require_ack: bool = False
    notifications: list[Notification] = field(default_factory=list)


@dataclass
class NewOutbox:
    """The notifications and deliveries for a new key, built before the transaction (`plan_new`), their message and
    statements made before it too (`prepare_new`), written inside it by `write_new`."""

    notifications: list[Notification]
    deliveries: list[Delivery]
    task: taskqueue.Planned | None = None  # the worker's task, made beforehand (a queue in the same database)
    prepared: list[fastinsert.Prepared] = field(default_factory=list)

    def rows_to_key(self) -> list[list[models.Model]]:
        """The rows whose keys the caller takes ahead (`core.ahead.KeysAhead`): the deliveries point at the
        notifications, and the task names the deliveries."""
        return [list(self.notifications), list(self.deliveries)]


def plan_new(batches: Sequence[Batch], *, add_channels: Sequence[str] = ()) -> NewOutbox:
    """The rows that tell every batch (a recipient named in two is told once, by the first), without a statement:
    built before the write transaction, so the locks it takes are held for the INSERTs only. Each batch's
    notifications are also in `batch.notifications`."""
    channels = contact_channels()
    seen: set[tuple[str, int]] = set()
    created: list[Notification] = []
    for batch in batches:
        for recipient in _recipients(batch.people, batch.contacts):
            ((kind, target),) = recipient.items()
            if (kind, target.pk) in seen:
                continue
            seen.add((kind, target.pk))
            notification = newrow.new(Notification, require_ack=batch.require_ack, **recipient)
            # the ignore below: the channels ride on the instance for the delivery rows (not a model field)
            notification.preloaded_channels = channels.get((kind, target.pk), [])  # type: ignore[attr-defined]
            batch.notifications.append(notification)
            created.append(notification)
    prefetch_related_objects([n.person for n in created if isinstance(n.person, Person)], "user")
    deliveries = _plan_deliveries(created, registered=_preloaded, add_channels=add_channels)
    return NewOutbox(created, deliveries, _plan_task() if queue_in_database() else None)


SUBJECT_MAX = 200  # characters of a notification's subject


def message_of(subject: str, body: str = "") -> tuple[str, str]:
    """A message as its notifications carry it: dates as ROC dates in the office's language, the subject on one
    line (cut at SUBJECT_MAX characters once complete: by `prepare_new`, or by a caller that puts a reference in)."""
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = roc_dates_in(str(subject)), roc_dates_in(str(body))
    return single_line(subject), body


def prepare_new(
    outbox: NewOutbox,
    *,
    key: str | ahead.Later,
    subject: str | ahead.Later,
    body: str = "",
    source_type: str = "",
    source_id: str | ahead.Later = "",
    url: str | ahead.Later = "",
) -> None:
    """Before the transaction: the message (`message_of`) and its source on every notification, and the statements
    of the notifications and deliveries made, so that the transaction only writes them (`write_new`). The key, the
    subject, the source's id and the address may be `ahead.Later` — made from the caller's report, numbered
    inside the transaction — and so may the rows' keys (`rows_to_key`)."""
    if isinstance(subject, str):
        subject = subject[:SUBJECT_MAX]
    message = {"key": key, "subject": subject, "body": body, "url": url}
    for notification in outbox.notifications:
        ahead.set_later(notification, **message, source_type=source_type, source_id=source_id)
    outbox.prepared = [fastinsert.prepare(outbox.notifications), fastinsert.prepare(outbox.deliveries)]


def write_new(outbox: NewOutbox, batch: fastinsert.Together) -> list[Notification]:
    """Write a prepared outbox (`prepare_new`) in the caller's `fastinsert.together` block, inside its transaction
    (on PostgreSQL one round trip with the caller's other rows): the notifications, their deliveries and ONE worker
    task for the pending ones (`queue_in_database`). Returns the notifications."""
    for prepared in outbox.prepared:
        batch.write(prepared)
    pending = [d.pk for d in outbox.deliveries if d.status == Delivery.Status.PENDING]
    if pending and outbox.task is not None:
        outbox.task.enqueue(*pending, batch=batch)
    elif pending:  # a queue elsewhere: after commit (robust: a failure to queue leaves them to the sweeper)
        transaction.on_commit(lambda: _enqueue_one(pending), robust=True)
    return outbox.notifications


def _preloaded(notification: Notification) -> list[str]:
    """The recipient's registered channels, from the cache (set on the instance by `plan_new`: no statement)."""
    # the ignore below: set on the instance by plan_new (not a model field)
    return [entry.channel for entry in notification.preloaded_channels]  # type: ignore[attr-defined]


def queue_in_database() -> bool:
    """Whether the worker's queue is a table of the same database (django-tasks-db, the default): then the filing's
    one task is written inside its transaction — it commits or rolls back with the deliveries, the worker cannot see
    it before they are committed, and the filing needs no second write transaction after its commit."""
    return isinstance(task_backends["default"], DatabaseBackend)


def _plan_task() -> taskqueue.Planned | None:
    from .tasks import deliver

    return taskqueue.plan(deliver)


def _enqueue_one(delivery_ids: list[int]) -> None:
    """One worker task for all of them (the sweeper re-queues any it leaves unsent)."""
    from .tasks import deliver

    deliver.enqueue(*delivery_ids)
