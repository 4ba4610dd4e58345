"""Each channel against a real local server: e-mail at an aiosmtpd SMTP server, webhook and SMS at http.server."""

import hashlib
import hmac
from typing import Any

import pytest

from anwei.directory.models import ExternalContact, Organisation
from anwei.notifications import links, services
from anwei.notifications.channels import CHANNELS
from anwei.notifications.models import ContactChannel, Delivery
from anwei.notifications.tasks import deliver

pytestmark = pytest.mark.django_db(transaction=True)


def _cyber_contact(world: Any) -> ExternalContact:
    org = Organisation.objects.create(agency=world.agency, name="國家資通安全研究院", kind=Organisation.Kind.OTHER)
    return ExternalContact.objects.create(organisation=org, name="資安通報窗口", email="", mobile="0911-222-333")


def test_channels_are_plugins_one_folder_each() -> None:
    assert {"inapp", "email", "webhook", "sms"} <= set(CHANNELS)
    for code, channel in CHANNELS.items():
        assert type(channel).__module__ == f"anwei.notifications.channels.{code}"


def test_email_reaches_the_smtp_server_with_a_stable_message_id_and_ack_link(world: Any, smtp_server: Any) -> None:
    (n,) = services.notify(
        people=[world.people["duty"]],
        subject="資安事件通報 第3級",
        body="請立即處理",
        url="/incidents/1/",
        key="incident:1:l3",
        require_ack=True,
        channels=["email"],
    )
    delivery = Delivery.objects.get(notification=n)
    assert deliver.call(delivery.pk) is True
    assert deliver.call(delivery.pk) is False  # already sent: a duplicate task sends nothing
    (message,) = smtp_server.messages
    assert message["To"] == "duty@test.example"
    assert str(message["Message-ID"]) == f"<anwei.delivery.{delivery.pk}.{n.pk}@localhost>"
    text = message.get_payload(decode=True).decode()
    assert "請立即處理" in text and "http://127.0.0.1:8000/incidents/1/" in text
    assert links.ack_url(n).rsplit(":", 2)[0] in text  # the signed link (its timestamp part may differ by a second)
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 1 and delivery.claimed_by


def test_webhook_is_signed_and_retried_on_error(world: Any, http_server: Any) -> None:
    contact = _cyber_contact(world)
    ContactChannel.objects.create(contact=contact, channel="webhook", address=http_server.url, secret="s3cret")
    (n,) = services.notify(contacts=[contact], subject="資安事件", body="第3級", key="k1", require_ack=True)
    delivery = Delivery.objects.get(notification=n)  # no e-mail address: the webhook only, by default
    assert delivery.channel == "webhook"
    http_server.status = 500
    assert deliver.call(delivery.pk) is False
    delivery.refresh_from_db()
    assert delivery.status == "pending" and "500" in delivery.last_error and delivery.lease_until is None
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=n.created_at)  # the backoff is over
    http_server.status = 204
    assert deliver.call(delivery.pk) is True
    first, second = http_server.requests
    assert first["headers"]["X-Anwei-Delivery"] == second["headers"]["X-Anwei-Delivery"] == str(delivery.pk)
    headers, body = second["headers"], second["body"]
    expected = hmac.new(b"s3cret", headers["X-Anwei-Timestamp"].encode() + b"." + body, hashlib.sha256).hexdigest()
    assert headers["X-Anwei-Signature"] == f"sha256={expected}"
    payload = http_server.json_bodies()[1]
    assert payload["subject"] == "資安事件" and payload["key"] == "k1" and payload["ack_url"].startswith("http")
    assert links.notification_for(payload["ack_url"].rstrip("/").rsplit("/", 1)[1]) == n


def test_webhook_times_out(world: Any, http_server: Any, settings: Any) -> None:
    settings.ANWEI_WEBHOOK_TIMEOUT = 0.3
    http_server.delay = 1.0
    contact = _cyber_contact(world)
    ContactChannel.objects.create(contact=contact, channel="webhook", address=http_server.url, secret="x")
    services.notify(contacts=[contact], subject="s", channels=["webhook"])
    delivery = Delivery.objects.get()
    assert deliver.call(delivery.pk) is False
    delivery.refresh_from_db()
    assert "timed out" in delivery.last_error.lower()


def test_sms_goes_through_the_configured_gateway(world: Any, http_server: Any, settings: Any) -> None:
    settings.ANWEI_SMS_URL = http_server.url
    settings.ANWEI_SMS_TOKEN = "gw-token"
    settings.ANWEI_SMS_SENDER = "ANWEI"
    contact = _cyber_contact(world)
    (n,) = services.notify(contacts=[contact], subject="資安事件通報", body="第4級", channels=["sms"], require_ack=True)
    delivery = Delivery.objects.get(notification=n)
    assert delivery.address == "0911222333"
    assert deliver.call(delivery.pk) is True
    (request,) = http_server.requests
    assert request["headers"]["Authorization"] == "Bearer gw-token"
    body = http_server.json_bodies()[0]
    assert body["to"] == "0911222333" and body["reference"] == str(delivery.pk) and body["sender"] == "ANWEI"
    assert body["message"].startswith("資安事件通報") and "/notifications/ack/" in body["message"]


def test_sms_without_a_gateway_fails_and_is_retried(world: Any, settings: Any) -> None:
    settings.ANWEI_SMS_URL = ""
    services.notify(people=[world.people["duty"]], subject="s", channels=["sms"])
    assert not Delivery.objects.exists()  # the duty officer has no mobile number: nothing to send
    world.people["duty"].mobile = "0912000111"
    world.people["duty"].save()
    services.notify(people=[world.people["duty"]], subject="s", channels=["sms"])
    delivery = Delivery.objects.get()
    assert deliver.call(delivery.pk) is False
    delivery.refresh_from_db()
    assert "ANWEI_SMS_URL" in delivery.last_error and delivery.status == "pending"


def test_webhook_does_not_follow_redirects(world: Any, http_server: Any) -> None:
    contact = _cyber_contact(world)
    ContactChannel.objects.create(contact=contact, channel="webhook", address=http_server.url, secret="x")
    services.notify(contacts=[contact], subject="s", channels=["webhook"])
    http_server.status = 307
    delivery = Delivery.objects.get()
    assert deliver.call(delivery.pk) is False
    delivery.refresh_from_db()
    assert "307" in delivery.last_error and len(http_server.requests) == 1


def test_only_a_permanent_smtp_refusal_fails_at_once() -> None:
    """RFC 5321: a 5xx reply is permanent (no such mailbox, sender or message refused) and is failed at once; a 4xx
    reply or a lost connection may pass later and is retried."""
    import smtplib

    email = CHANNELS["email"]
    assert email.permanent(smtplib.SMTPRecipientsRefused({"a@x.example": (550, b"5.1.1 no such mailbox")}))
    assert email.permanent(smtplib.SMTPDataError(554, b"rejected"))
    assert not email.permanent(smtplib.SMTPRecipientsRefused({"a@x.example": (450, b"mailbox busy")}))
    assert not email.permanent(smtplib.SMTPServerDisconnected("lost"))
    assert not email.permanent(ConnectionRefusedError())
    assert not CHANNELS["webhook"].permanent(smtplib.SMTPDataError(554, b"not mine"))
