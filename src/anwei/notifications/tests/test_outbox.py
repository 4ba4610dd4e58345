from typing import Any

import pytest
from django.core import mail

from anwei.notifications import services
from anwei.notifications.models import Delivery, Notification
from anwei.notifications.tasks import deliver

pytestmark = pytest.mark.django_db(transaction=True)


def test_notify_writes_outbox_once_per_key_and_delivers(world: Any) -> None:
    people = [world.users["ethics"], world.people["duty"], world.people["in_b"]]
    created = services.notify(people=people, subject="通報 #1", body="測試", key="incident:1:new")
    assert len(created) == 3
    again = services.notify(people=people, subject="通報 #1", body="測試", key="incident:1:new")
    assert again == []
    channels = sorted(Delivery.objects.values_list("channel", flat=True))
    # in_b has neither a user (no inbox) nor an e-mail address: a notification without deliveries.
    assert channels == ["email", "email", "inapp", "inapp"]
    assert set(Delivery.objects.filter(channel="inapp").values_list("status", flat=True)) == {"sent"}  # at commit
    for pk in Delivery.objects.filter(channel="email").values_list("pk", flat=True):
        assert deliver.call(pk) is True
    assert sorted(m.to[0] for m in mail.outbox) == ["duty@test.example", "ethics@test.example"]
    assert not Delivery.objects.exclude(status=Delivery.Status.SENT).exists()


def test_failed_delivery_is_retried_later(world: Any, settings: Any) -> None:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 1},
        }
    }
    services.notify(people=[world.people["duty"]], subject="s", channels=["email"])
    delivery = Delivery.objects.get()
    assert deliver.call(delivery.pk) is False
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING and delivery.attempts == 1 and delivery.last_error
    assert deliver.call(delivery.pk) is False  # not yet due: the backoff holds it back
    delivery.refresh_from_db()
    assert delivery.attempts == 1


def test_acknowledge_is_audited(world: Any) -> None:
    (n,) = services.notify(people=[world.people["duty"]], subject="s", require_ack=True, channels=["inapp"])
    services.acknowledge(n, actor=world.users["duty"])
    n = Notification.objects.get(pk=n.pk)
    assert n.acknowledged_by == world.users["duty"] and n.read_at is not None
    from anwei.audit.models import AuditEntry

    assert AuditEntry.objects.filter(object_type="notifications.notification", object_id=str(n.pk)).exists()
