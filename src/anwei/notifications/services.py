"""`notify()` is how every app tells people something. It writes the outbox in the caller's transaction; the worker
sends each delivery after commit and retries with backoff (tasks.py)."""

from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from anwei.audit import services as audit
from anwei.directory.models import ExternalContact, Person

from .channels import CHANNELS
from .models import Delivery, Notification

MAX_ATTEMPTS = 8


def _recipients(people: Iterable[Any], contacts: Iterable[ExternalContact]) -> list[dict[str, Any]]:
    seen: set[tuple[str, int]] = set()
    out = []
    for item in people:
        person = getattr(item, "person", None) if not isinstance(item, Person) else item
        if person is not None and ("p", person.pk) not in seen:
            seen.add(("p", person.pk))
            out.append({"person": person})
    for contact in contacts:
        if ("c", contact.pk) not in seen:
            seen.add(("c", contact.pk))
            out.append({"contact": contact})
    return out


@transaction.atomic
def notify(
    *,
    people: Iterable[Any] = (),
    contacts: Iterable[ExternalContact] = (),
    subject: str,
    body: str = "",
    source: models.Model | None = None,
    key: str = "",
    url: str = "",
    channels: Sequence[str] | None = None,
    require_ack: bool = False,
) -> list[Notification]:
    """Tell `people` (Persons or Users) and external `contacts`. With a `key`, a recipient already told under that
    key is not told again (safe to call from retried or periodic tasks). Returns the new notifications."""
    codes = list(channels or settings.ANWEI_NOTIFY_CHANNELS)
    source_fields = {"source_type": source._meta.label_lower, "source_id": str(source.pk)} if source else {}
    created: list[Notification] = []
    for recipient in _recipients(people, contacts):
        if key and Notification.objects.filter(key=key, **recipient).exists():
            continue
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    subject=subject[:200],
                    body=body,
                    url=url,
                    key=key,
                    require_ack=require_ack,
                    **source_fields,
                    **recipient,
                )
        except IntegrityError:  # the same key was written concurrently
            continue
        for code in codes:
            address = CHANNELS[code].address_for(notification)
            if address:
                Delivery.objects.create(notification=notification, channel=code, address=address)
        created.append(notification)
    if created:
        ids = list(Delivery.objects.filter(notification__in=created).values_list("pk", flat=True))
        transaction.on_commit(lambda: _enqueue(ids))
    return created


def _enqueue(delivery_ids: list[int]) -> None:
    from .tasks import deliver

    for pk in delivery_ids:
        deliver.enqueue(pk)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(15 * 2 ** (attempts - 1), 3600))


def attempt(delivery: Delivery) -> bool:
    """Send one delivery now. True when sent; on failure schedules the next attempt (or gives up)."""
    if delivery.status != Delivery.Status.PENDING:
        return delivery.status == Delivery.Status.SENT
    delivery.attempts += 1
    try:
        CHANNELS[delivery.channel].send(delivery)
    except Exception as exc:  # any failure of the channel is retried
        delivery.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = Delivery.Status.FAILED
        else:
            delivery.next_attempt_at = timezone.now() + backoff(delivery.attempts)
        delivery.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
        return False
    delivery.status, delivery.sent_at, delivery.last_error = Delivery.Status.SENT, timezone.now(), ""
    delivery.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    return True


@transaction.atomic
def acknowledge(notification: Notification, *, actor: Any) -> Notification:
    if notification.acknowledged_at is None:
        notification.acknowledged_at = timezone.now()
        notification.acknowledged_by = actor
        notification.read_at = notification.read_at or notification.acknowledged_at
        notification.save(update_fields=["acknowledged_at", "acknowledged_by", "read_at"])
        audit.record(actor=actor, action="update", obj=notification, changes={"acknowledged": [False, True]})
    return notification


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
