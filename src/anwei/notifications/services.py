"""`notify()` is how every app tells people something. It writes the outbox in the caller's transaction; the worker
sends each delivery after commit (at least once) and retries with backoff (tasks.py).

Delivery: a worker claims a row with SELECT … FOR UPDATE SKIP LOCKED and a lease (claim token, lease_until, one
attempt counted), sends outside any transaction, then finishes the row only while its claim holds. A worker that
dies mid-send leaves the lease to expire; the sweeper re-queues the row. Everything run after commit is `robust`:
the rows are committed by then, so a failure to queue (a full disk refusing the task row) must not turn the caller's
answer into an error ("nothing was saved", and the client files again); it is logged, and the sweeper queues the
delivery it left pending. Every message carries the delivery id
(e-mail Message-ID, webhook X-Anwei-Delivery, SMS reference) so a re-send after a crash is recognisably the same."""

import os
import secrets
import socket
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, write_service
from anwei.audit import services as audit
from anwei.core import fastinsert, newrow
from anwei.core.errors import NotAllowed
from anwei.core.text import single_line
from anwei.core.wording import roc_dates_in
from anwei.directory.models import ExternalContact, Person

from . import policies
from .channels import CHANNELS, conf
from .models import ContactChannel, Delivery, Lock, Notification
from .signals import delivery_failed, notification_acknowledged

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


def _extra_channels(recipients: list[dict[str, Any]]) -> dict[tuple[str, int | None], list[str]]:
    """Channels each recipient asked for explicitly (a webhook or SMS contact channel): used by default too."""
    people = [r["person"].pk for r in recipients if "person" in r]
    contacts = [r["contact"].pk for r in recipients if "contact" in r]
    rows = ContactChannel.objects.filter(active=True).filter(Q(person_id__in=people) | Q(contact_id__in=contacts))
    out: dict[tuple[str, int | None], list[str]] = {}
    for person_id, contact_id, channel in rows.order_by("pk").values_list("person_id", "contact_id", "channel"):
        codes = out.setdefault(("person", person_id) if person_id else ("contact", contact_id), [])
        if channel not in codes:
            codes.append(channel)
    return out


def _ident(recipient: dict[str, Any]) -> tuple[str, int | None]:
    ((kind, target),) = recipient.items()
    return kind, target.pk


def _ident_of(notification: Notification) -> tuple[str, int | None]:
    return ("person", notification.person_id) if notification.person_id else ("contact", notification.contact_id)


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
    add_channels: Sequence[str] = (),
    require_ack: bool = False,
) -> list[Notification]:
    """Tell `people` (Persons or Users) and external `contacts`. With a `key`, a recipient already told under that
    key is not told again (safe to call from retried or periodic tasks). Without `channels`, the default channels
    (ANWEI_NOTIFY_CHANNELS: the in-app inbox and e-mail), then `add_channels` (e.g. a routing rule's), plus any
    webhook/SMS channel registered for the recipient; `channels` replaces all of them (exactly these). Returns the
    new notifications. A few statements whatever the number of recipients: it runs inside every report's filing."""
    with translation.override(settings.LANGUAGE_CODE):  # the office's language and ROC dates, whoever is acting
        subject, body = roc_dates_in(str(subject)), roc_dates_in(str(body))
    recipients = _recipients(people, contacts)
    if key and recipients:
        people_ids = [r["person"].pk for r in recipients if "person" in r]
        contact_ids = [r["contact"].pk for r in recipients if "contact" in r]
        told = Notification.objects.filter(key=key).filter(Q(person_id__in=people_ids) | Q(contact_id__in=contact_ids))
        done = {("person", p) if p else ("contact", c) for p, c in told.values_list("person_id", "contact_id")}
        recipients = [r for r in recipients if _ident(r) not in done]
    if not recipients:
        return []
    prefetch_related_objects([r["person"] for r in recipients if "person" in r], "user")  # the in-app address
    extra = _extra_channels(recipients) if channels is None else {}
    source_fields = {"source_type": source._meta.label_lower, "source_id": str(source.pk)} if source else {}
    created = [
        Notification(
            subject=single_line(subject)[:200],
            body=body,
            url=url,
            key=key,
            require_ack=require_ack,
            **source_fields,
            **recipient,
        )
        for recipient in recipients
    ]
    try:
        with transaction.atomic():
            Notification.objects.bulk_create(created)
    except IntegrityError:  # a recipient was told under the same key concurrently: write the others one by one
        created = _create_each(created)
    deliveries = _plan_deliveries(
        created,
        registered=lambda notification: extra.get(_ident_of(notification), []),
        add_channels=add_channels,
        channels=channels,
    )
    _write_deliveries(deliveries, enqueue=_enqueue)
    return created


def _plan_deliveries(
    notifications: Sequence[Notification],
    *,
    registered: Callable[[Notification], Iterable[str]],
    add_channels: Sequence[str] = (),
    channels: Sequence[str] | None = None,
) -> list[Delivery]:
    """The deliveries of `notifications` (`notify()` and notifications.outbox), not yet written: one per channel with
    an address, the channels being `channels` or else ANWEI_NOTIFY_CHANNELS, then `add_channels`, then the
    recipient's `registered` ones, each once. A channel delivered on commit (the in-app inbox) is written as sent.
    No statement: the notifications need not be written yet (their ids are taken when the deliveries are)."""
    deliveries, now = [], timezone.now()
    for notification in notifications:
        codes = list(channels) if channels is not None else list(settings.ANWEI_NOTIFY_CHANNELS)
        for code in [*add_channels, *registered(notification)]:
            if code not in codes:
                codes.append(code)
        for code in codes:
            channel = CHANNELS[code]
            if address := channel.address_for(notification):
                delivery = newrow.new(Delivery, notification=notification, channel=code, address=address)
                if channel.delivered_on_commit:
                    delivery.status, delivery.sent_at = Delivery.Status.SENT, now
                deliveries.append(delivery)
    return deliveries


def _write_deliveries(
    deliveries: list[Delivery], *, enqueue: Callable[[list[int]], None], queue_now: bool = False
) -> None:
    """Write planned deliveries in one INSERT (their notifications written before). The ids of the pending ones go
    to `enqueue` after commit (robust: a failure to queue leaves them to the sweeper), or at once with `queue_now`
    (a queue in the same database: the task row commits with the deliveries, in the same transaction)."""
    fastinsert.insert(deliveries)
    pending = [d.pk for d in deliveries if d.status == Delivery.Status.PENDING]
    if pending and queue_now:
        enqueue(pending)
    elif pending:
        transaction.on_commit(lambda: enqueue(pending), robust=True)


def _create_each(notifications: list[Notification]) -> list[Notification]:
    created = []
    for notification in notifications:
        try:
            with transaction.atomic():
                notification.save(force_insert=True)
        except IntegrityError:
            continue
        created.append(notification)
    return created


def _enqueue(delivery_ids: Iterable[int], run_after: Any = None) -> None:
    """One task per delivery (several workers share them), queued in one transaction."""
    from .tasks import deliver

    task = deliver.using(run_after=run_after) if run_after else deliver
    with transaction.atomic():
        for pk in delivery_ids:
            task.enqueue(pk)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(15 * 2 ** (attempts - 1), 3600))


def lease() -> timedelta:
    return timedelta(seconds=float(conf("ANWEI_DELIVERY_LEASE_SECONDS", "300")))


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def claim(delivery_id: int) -> Delivery | None:
    """Take one due delivery for this worker, or None when it is sent, failed, not due or held by another worker.
    The attempt is counted at the claim, so a message that kills its worker still runs out of attempts."""
    now = timezone.now()
    token = secrets.token_hex(16)
    with transaction.atomic():
        row = (
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now)
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))
            .values_list("pk", flat=True)
            .first()
        )
        if row is None:
            return None
        Delivery.objects.filter(pk=row).update(
            claim_token=token, claimed_by=worker_id(), lease_until=now + lease(), attempts=F("attempts") + 1
        )
    return Delivery.objects.select_related("notification__person", "notification__contact").get(pk=row)


def deliver_now(delivery_id: int) -> bool:
    """Claim, send and finish one delivery. True when this call sent it."""
    delivery = claim(delivery_id)
    if delivery is None:
        return False
    try:
        outcome = CHANNELS[delivery.channel].send(delivery)
    except Exception as exc:  # a failure of the channel is retried, unless the receiver refused it for good
        _failed(delivery, f"{type(exc).__name__}: {exc}"[:2000], permanent=CHANNELS[delivery.channel].permanent(exc))
        return False
    if outcome == Delivery.Status.STORED:  # kept in the local mailbox: done, but it reached nobody
        Delivery.objects.filter(pk=delivery.pk, claim_token=delivery.claim_token).update(
            status=Delivery.Status.STORED, last_error="", lease_until=None
        )
        return False
    Delivery.objects.filter(pk=delivery.pk, claim_token=delivery.claim_token).update(
        status=Delivery.Status.SENT, sent_at=timezone.now(), last_error="", lease_until=None
    )
    return True


def attempt(delivery: Delivery) -> bool:
    """Send one delivery now (kept for callers of the first outbox): True when it is sent."""
    return deliver_now(delivery.pk) or Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENT).exists()


@transaction.atomic
def _failed(delivery: Delivery, error: str, *, permanent: bool = False) -> None:
    row = Delivery.objects.select_for_update().filter(pk=delivery.pk, claim_token=delivery.claim_token).first()
    if row is None:  # the lease ran out and another worker has it now
        return
    row.last_error, row.lease_until = error, None
    if permanent or row.attempts >= MAX_ATTEMPTS:
        row.status, row.failed_at = Delivery.Status.FAILED, timezone.now()
        transaction.on_commit(
            lambda: delivery_failed.send(sender=Delivery, delivery=row, notification=delivery.notification),
            robust=True,
        )
    else:
        row.next_attempt_at = timezone.now() + backoff(row.attempts)
        transaction.on_commit(lambda: _enqueue([row.pk], run_after=row.next_attempt_at), robust=True)
    row.save(update_fields=["last_error", "lease_until", "status", "next_attempt_at", "failed_at"])


@contextmanager
def lock(name: str, seconds: float) -> Iterator[bool]:
    """A named lock row with a lease: yields True to exactly one holder at a time (until the lease runs out)."""
    now = timezone.now()
    token = f"{worker_id()}:{secrets.token_hex(4)}"
    with suppress(IntegrityError):
        Lock.objects.get_or_create(name=name, defaults={"held_until": now})
    got = (
        Lock.objects.filter(name=name, held_until__lte=now).update(
            holder=token, held_until=now + timedelta(seconds=seconds)
        )
        == 1
    )
    try:
        yield got
    finally:
        if got:
            Lock.objects.filter(name=name, holder=token).update(held_until=timezone.now())


def sweep() -> int | None:
    """Re-queue deliveries that are due but nobody is working on (a lost enqueue, a worker killed mid-send).
    Returns how many, or None when another sweeper holds the lock."""
    with lock("sweeper", seconds=300) as got:
        if not got:
            return None
        now = timezone.now()
        grace = timedelta(seconds=float(conf("ANWEI_DELIVERY_SWEEP_GRACE", "60")))
        stuck = Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now - grace).filter(
            Q(lease_until__isnull=True) | Q(lease_until__lte=now)
        )
        ids = list(stuck.order_by("next_attempt_at").values_list("pk", flat=True)[:1000])
        _enqueue(ids)
        return len(ids)


@write_service
@transaction.atomic
def retry(delivery: Delivery, *, actor: Actor) -> Delivery:
    """Send a failed delivery again (an ethics officer or admin asked for it), with a fresh set of attempts."""
    if delivery.status == Delivery.Status.FAILED:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), lease_until=None, failed_at=None
        )
        audit.record(actor=actor, action="update", obj=delivery, changes={"status": ["failed", "pending"]})
        transaction.on_commit(lambda: _enqueue([delivery.pk]), robust=True)
        delivery.refresh_from_db()
    return delivery


@write_service
@transaction.atomic
def acknowledge(notification: Notification, *, actor: Actor, via: str = "inapp") -> Notification:
    """Acknowledge once: later calls (a second click, a re-used link) change nothing. `actor` is the signed-in user,
    or the system when an outside contact acknowledges through their signed link."""
    now = timezone.now()
    actor_user = actor.user
    done = Notification.objects.filter(pk=notification.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now, acknowledged_by=actor_user, read_at=Coalesce(F("read_at"), now)
    )
    notification.refresh_from_db()
    if done:
        label = None if actor_user else f"contact:{notification.contact}"[:150]
        audit.record(
            actor=actor_user,
            action="update",
            obj=notification,
            object_repr=f"#{notification.pk}",
            changes={"acknowledged": [False, True], "via": [None, via]},
            actor_label=label,
        )
        transaction.on_commit(
            lambda: notification_acknowledged.send(
                sender=Notification, notification=notification, actor=actor_user, via=via
            ),
            robust=True,
        )
    return notification


@write_service
def acknowledge_own(*, actor: Actor, notification_id: int, via: str, required_only: bool = False) -> Notification:
    """The signed-in user acknowledges a notification of their inbox (the page and the API): 404 alike for missing
    and not theirs; a page's click on one that asks for no acknowledgement (`required_only`) changes nothing."""
    notification: Notification = policies.inbox.get_visible(actor, notification_id)
    if not policies.inbox.can(actor, "notifications.acknowledge", notification):
        raise NotAllowed()
    if required_only and not notification.require_ack:
        return notification
    return acknowledge(notification, actor=actor, via=via)


@write_service
@transaction.atomic
def retry_delivery(*, actor: Actor, delivery_id: int) -> Delivery:
    """Send a failed delivery of a notification `actor` may see again (404 alike for missing and not theirs)."""
    if not policies.deliveries.can(actor, "notifications.retry"):
        raise NotAllowed()
    delivery = Delivery.objects.filter(notification__in=policies.deliveries.visible(actor), pk=delivery_id).first()
    if delivery is None:
        raise Http404(_("Not found."))
    return retry(delivery, actor=actor)


@write_service
@transaction.atomic
def remove_contact_channel_by_id(*, actor: Actor, entry_id: int) -> None:
    if not policies.contact_channels.can(actor, "notifications.manage_channels"):
        raise NotAllowed()
    remove_contact_channel(actor=actor, entry=policies.contact_channels.get_visible(actor, entry_id))


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())


@write_service
def mark_all_read(*, actor: Actor) -> int:
    if not actor.person_id:
        return 0
    return Notification.objects.filter(person_id=actor.person_id, read_at__isnull=True).update(read_at=timezone.now())


@write_service
@transaction.atomic
def add_contact_channel(*, actor: Actor, channel: str, address: str, secret: str = "", **target: Any) -> ContactChannel:
    entry = ContactChannel.objects.create(channel=channel, address=address, secret=secret, **target)
    audit.record(
        actor=actor, action="create", obj=entry, changes={"channel": [None, channel], "address": [None, address]}
    )
    return entry


@write_service
@transaction.atomic
def remove_contact_channel(*, actor: Actor, entry: ContactChannel) -> None:
    audit.record(actor=actor, action="delete", obj=entry, changes={"address": [entry.address, None]})
    entry.delete()
