"""At-least-once delivery with leases, backoff, giving up with a signal, the sweeper and its lock."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from anwei.directory.models import Organisation
from anwei.notifications import selectors, services
from anwei.notifications.models import Delivery, Lock, Notification
from anwei.notifications.signals import delivery_failed
from anwei.notifications.tasks import deliver, retry_due

pytestmark = pytest.mark.django_db(transaction=True)


def _queued(pk: int) -> int:
    return sum(1 for r in DBTaskResult.objects.all() if r.args_kwargs["args"] == [pk])


def test_a_claimed_delivery_is_not_claimed_again_until_its_lease_runs_out(world: Any, smtp_server: Any) -> None:
    services.notify(people=[world.people["duty"]], subject="s", channels=["email"])
    delivery = Delivery.objects.get()
    first = services.claim(delivery.pk)
    assert first is not None and first.attempts == 1 and first.lease_until is not None
    assert services.claim(delivery.pk) is None  # another worker: held
    assert deliver.call(delivery.pk) is False and smtp_server.messages == []
    Delivery.objects.filter(pk=delivery.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    second = services.claim(delivery.pk)  # the first worker died: the lease ran out
    assert second is not None and second.attempts == 2 and second.claim_token != first.claim_token
    # the first worker wakes up late: its claim no longer holds, so it cannot mark the row
    services._failed(first, "late")
    assert Delivery.objects.get().last_error == ""


def test_gives_up_after_the_last_attempt_and_signals(world: Any, settings: Any) -> None:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 1},
        }
    }
    seen: list[Any] = []

    def on_failed(sender: Any, delivery: Delivery, notification: Notification, **kwargs: Any) -> None:
        seen.append((delivery.pk, notification.pk))

    delivery_failed.connect(on_failed)
    try:
        (n,) = services.notify(people=[world.people["duty"]], subject="s", channels=["email"])
        delivery = Delivery.objects.get()
        waits = []
        for _ in range(services.MAX_ATTEMPTS):
            assert deliver.call(delivery.pk) is False
            delivery.refresh_from_db()
            waits.append(delivery.next_attempt_at)
            Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        assert delivery.status == Delivery.Status.FAILED and delivery.attempts == services.MAX_ATTEMPTS
        assert "Connection refused" in delivery.last_error or "Errno" in delivery.last_error
        assert seen == [(delivery.pk, n.pk)]
        assert _queued(delivery.pk) == services.MAX_ATTEMPTS  # the first enqueue and one per retry
        assert deliver.call(delivery.pk) is False  # failed rows are never sent again by themselves
    finally:
        delivery_failed.disconnect(on_failed)
    assert [services.backoff(a).total_seconds() for a in (1, 2, 3, 9)] == [15, 30, 60, 3600]
    services.retry(delivery, actor=world.users["ethics"])
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.attempts == 0


def test_sweeper_requeues_stuck_rows_and_runs_one_at_a_time(world: Any, settings: Any) -> None:
    settings.ANWEI_DELIVERY_SWEEP_GRACE = 0
    services.notify(people=[world.people["duty"], world.people["ethics"]], subject="s", channels=["email"])
    stuck, busy = Delivery.objects.order_by("id")
    Delivery.objects.filter(pk=stuck.pk).update(lease_until=timezone.now() - timedelta(seconds=5), attempts=1)
    Delivery.objects.filter(pk=busy.pk).update(lease_until=timezone.now() + timedelta(minutes=5), attempts=1)
    DBTaskResult.objects.all().delete()  # the enqueue was lost (or the worker was killed mid-task)
    Lock.objects.create(name="sweeper", holder="other", held_until=timezone.now() + timedelta(minutes=1))
    assert retry_due.call() is None  # another sweeper is running
    assert not DBTaskResult.objects.exists()
    Lock.objects.filter(name="sweeper").update(held_until=timezone.now())
    assert retry_due.call() == 1
    assert _queued(stuck.pk) == 1 and _queued(busy.pk) == 0
    assert Lock.objects.get().held_until <= timezone.now()  # released


def test_a_retry_never_shows_twice_in_the_inbox(world: Any) -> None:
    for _ in range(3):
        services.notify(people=[world.users["staff_a"]], subject="預警情資", key="incident:9:new", channels=["inapp"])
    assert selectors.unread_count(world.users["staff_a"]) == 1


def test_selectors_for_source_and_unacknowledged(world: Any) -> None:
    org = Organisation.objects.create(agency=world.agency, name="來源", kind=Organisation.Kind.OTHER)
    other = Organisation.objects.create(agency=world.agency, name="其他", kind=Organisation.Kind.OTHER)
    a, b = services.notify(
        people=[world.people["duty"], world.people["ethics"]], subject="s", source=org, require_ack=True
    )
    services.notify(people=[world.people["duty"]], subject="t", source=other, require_ack=True)
    rows = list(selectors.for_source(org))
    assert rows == [a, b] and {d.channel for d in rows[0].deliveries.all()} == {"inapp", "email"}
    services.acknowledge(a, actor=world.users["duty"])
    assert list(selectors.unacknowledged(source=org)) == [b]
    assert selectors.unacknowledged(older_than=timedelta(minutes=5)).count() == 0
    Notification.objects.update(created_at=timezone.now() - timedelta(minutes=10))
    assert selectors.unacknowledged(older_than=timedelta(minutes=5)).count() == 2
