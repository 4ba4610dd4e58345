"""Acknowledgement in the app, by API and by the signed, single-use, expiring link in the message."""

import json
from typing import Any

import pytest
from django.core import signing

from anwei.audit.models import AuditEntry
from anwei.directory.models import ExternalContact, Organisation
from anwei.notifications import links, services
from anwei.notifications.models import Notification
from anwei.notifications.signals import notification_acknowledged

pytestmark = pytest.mark.django_db(transaction=True)


def _audits(n: Notification) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_type="notifications.notification", object_id=str(n.pk)))


def _for(world: Any, persona: str = "duty") -> Notification:
    (n,) = services.notify(people=[world.people[persona]], subject="請確認收到", require_ack=True, channels=["inapp"])
    return n


def test_inbox_detail_and_button(world: Any, client_for: Any) -> None:
    n = _for(world)
    client = client_for("duty")
    page = client.get("/notifications/").content.decode()
    assert "請確認收到" in page and 'id="unread-count"' in page  # the header badge
    assert "收件匣" in page and "則未讀" in page  # zh-Hant by default
    detail = client.get(f"/notifications/{n.pk}/").content.decode()
    assert "請確認收到" in detail and f"/notifications/{n.pk}/acknowledge/" in detail
    assert 'id="unread-count"' not in client.get("/notifications/").content.decode()  # read now
    response = client.post(f"/notifications/{n.pk}/acknowledge/", headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'id="ack"' in response.content.decode()
    n.refresh_from_db()
    assert n.acknowledged_by == world.users["duty"]
    client.post(f"/notifications/{n.pk}/acknowledge/")
    assert len(_audits(n)) == 1  # once
    assert client_for("ethics").post(f"/notifications/{n.pk}/acknowledge/").status_code == 404


def test_api_acknowledge_and_inbox(world: Any, client_for: Any) -> None:
    n = _for(world)
    client = client_for("duty")
    body = client.get("/api/v1/notifications/inbox?unread=true").json()
    assert body["count"] == 1 and body["items"][0]["subject"] == "請確認收到"
    assert client.get("/api/v1/notifications/inbox/unread").json() == {"unread": 1}
    response = client.post(f"/api/v1/notifications/inbox/{n.pk}/acknowledge", content_type="application/json")
    assert response.status_code == 200 and response.json()["acknowledged_at"]
    other = client_for("staff_a").post(f"/api/v1/notifications/inbox/{n.pk}/acknowledge")
    assert other.status_code == 404 and other.json()["error"]["code"] == "not_found"


def test_signed_link_needs_its_recipient_signed_in_and_works_once(world: Any, client_for: Any) -> None:
    n = _for(world)
    seen: list[str] = []

    def on_ack(sender: Any, notification: Notification, via: str, **kwargs: Any) -> None:
        seen.append(via)

    notification_acknowledged.connect(on_ack)
    try:
        url = f"/notifications/ack/{links.ack_token(n)}/"
        from django.test import Client

        anonymous = Client().get(url)
        assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
        assert client_for("ethics").post(url).status_code == 404  # never for someone else
        duty = client_for("duty")
        assert "請確認收到" in duty.get(url).content.decode()
        n.refresh_from_db()
        assert n.acknowledged_at is None  # opening (or a link scanner) does not acknowledge
        assert duty.post(url).status_code == 302
        n.refresh_from_db()
        assert n.acknowledged_by == world.users["duty"]
        first = n.acknowledged_at
        duty.post(url)  # single use: nothing changes the second time
        n.refresh_from_db()
        assert n.acknowledged_at == first and len(_audits(n)) == 1 and seen == ["link"]
        assert _audits(n)[0].changes["via"] == [None, "link"]
    finally:
        notification_acknowledged.disconnect(on_ack)


def test_link_expires_and_cannot_be_forged(world: Any, client_for: Any, settings: Any) -> None:
    n = _for(world)
    other = _for(world, "ethics")
    token = links.ack_token(n)
    duty = client_for("duty")
    forged = signing.TimestampSigner(salt="another").sign(f"{n.pk}.p{n.person_id}")
    assert duty.get(f"/notifications/ack/{forged}/").status_code == 404
    # a valid signature for another recipient's notification does not work for this one
    swapped = token.replace(f"{n.pk}.p{n.person_id}", f"{other.pk}.p{n.person_id}", 1)
    assert duty.get(f"/notifications/ack/{swapped}/").status_code == 404
    settings.ANWEI_ACK_LINK_MAX_AGE = -1
    assert duty.post(f"/notifications/ack/{token}/").status_code == 404
    n.refresh_from_db()
    assert n.acknowledged_at is None


def test_an_outside_contact_acknowledges_with_the_link_alone(world: Any) -> None:
    from django.test import Client

    org = Organisation.objects.create(
        agency=world.agency, name="法務部調查局花蓮縣調查站", kind=Organisation.Kind.OTHER
    )
    contact = ExternalContact.objects.create(organisation=org, name="值日官", email="duty@mjib.example")
    (n,) = services.notify(contacts=[contact], subject="資安事件通報", require_ack=True)
    client = Client()
    url = f"/notifications/ack/{links.ack_token(n)}/"
    assert client.post(url).status_code == 302
    n.refresh_from_db()
    assert n.acknowledged_at is not None and n.acknowledged_by is None
    (entry,) = _audits(n)
    assert entry.actor_label == "contact:值日官（法務部調查局花蓮縣調查站）" and json.dumps(entry.changes)
