"""The outbox written in bulk for a key nobody has been told under yet (a new report: issue 20). The same rows as
`services.notify()` — a notification per recipient, a delivery per channel, in-app deliveries written as sent, the
others left pending for the worker; the deliveries by the same `services._write_deliveries` — but without reading
who was told already (nobody can have been: the key is new), without savepoints, with the registered contact
channels from a per-process cache (valid under the cache generation, anwei.core.generation) and ONE worker task for
all the pending deliveries, queued after commit (robust: a failure to queue leaves them to the sweeper, as
notify's)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import prefetch_related_objects
from django.utils import translation

from anwei.core import generation
from anwei.core.text import single_line
from anwei.core.wording import roc_dates_in
from anwei.directory.models import ExternalContact, Person

from .models import ContactChannel, Notification
from .services import _recipients, _write_deliveries

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


def tell_new(
    batches: Sequence[Batch],
    *,
    subject: str,
    body: str = "",
    source: models.Model | None = None,
    key: str,
    url: str = "",
    add_channels: Sequence[str] = (),
) -> list[Notification]:
    """Tell every batch (a recipient named in two is told once, by the first) in one INSERT of notifications and
    one of deliveries; the pending deliveries go to one worker task after commit. Returns the new notifications,
    each batch's also in `batch.notifications`."""
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = roc_dates_in(str(subject)), roc_dates_in(str(body))
    channels = contact_channels()
    source_fields = {"source_type": source._meta.label_lower, "source_id": str(source.pk)} if source else {}
    seen: set[tuple[str, int]] = set()
    created: list[Notification] = []
    for batch in batches:
        for recipient in _recipients(batch.people, batch.contacts):
            ((kind, target),) = recipient.items()
            if (kind, target.pk) in seen:
                continue
            seen.add((kind, target.pk))
            notification = Notification(
                subject=single_line(subject)[:200],
                body=body,
                url=url,
                key=key,
                require_ack=batch.require_ack,
                **source_fields,
                **recipient,
            )
            # the ignore below: the channels ride on the instance for the delivery rows written next (not a model field)
            notification.preloaded_channels = channels.get((kind, target.pk), [])  # type: ignore[attr-defined]
            batch.notifications.append(notification)
            created.append(notification)
    if not created:
        return []
    prefetch_related_objects([n.person for n in created if isinstance(n.person, Person)], "user")
    Notification.objects.bulk_create(created)
    _write_deliveries(created, registered=_preloaded, add_channels=add_channels, enqueue=_enqueue_one)
    return created


def _preloaded(notification: Notification) -> list[str]:
    """The recipient's registered channels, from the cache (set on the instance by `tell_new`: no statement)."""
    # the ignore below: set on the instance by tell_new (not a model field)
    return [entry.channel for entry in notification.preloaded_channels]  # type: ignore[attr-defined]


def _enqueue_one(delivery_ids: list[int]) -> None:
    """One worker task for all of them (the sweeper re-queues any it leaves unsent)."""
    from .tasks import deliver

    deliver.enqueue(*delivery_ids)
