"""CSV downloads of the inbox and of the delivery status (UTF-8 with a BOM, streamed, audited as exports)."""

from typing import Any

import pytest

from anwei.audit.models import AuditEntry
from anwei.notifications import services
from anwei.notifications.models import Delivery

pytestmark = pytest.mark.django_db


def _csv(response: Any) -> str:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("\ufeff")
    return text


def test_the_inbox_downloads_only_ones_own_notifications(world: Any, client_for: Any) -> None:
    services.notify(people=[world.people["staff_a"]], subject="甲的通知-預警情資", key="a")
    services.notify(people=[world.people["staff_b"]], subject="乙的通知-洩密案", key="b")
    text = _csv(client_for("staff_a").get("/notifications/inbox.csv"))
    assert "甲的通知-預警情資" in text and "乙的通知-洩密案" not in text
    assert AuditEntry.objects.filter(action="export", object_type="notifications.notification").count() == 1


def test_deliveries_download_per_channel_with_subjects_only_for_ethics_officers(world: Any, client_for: Any) -> None:
    (n,) = services.notify(people=[world.people["staff_b"]], subject="洩密案通報-限閱", key="c")
    Delivery.objects.filter(notification=n, channel="email").update(status="failed", last_error="550 refused")
    ethics = _csv(client_for("ethics").get("/notifications/deliveries.csv"))
    assert "洩密案通報-限閱" in ethics and "550 refused" in ethics
    assert len(ethics.strip().splitlines()) == 1 + 2  # the header, then the in-app and the e-mail delivery
    failed = _csv(client_for("ethics").get("/notifications/deliveries.csv?status=failed"))
    assert len(failed.strip().splitlines()) == 2 and "staff_b@test.example" in failed
    admin = _csv(client_for("admin").get("/notifications/deliveries.csv"))
    assert "洩密案通報-限閱" not in admin and f"#{n.pk}" in admin
    assert client_for("staff_b").get("/notifications/deliveries.csv").status_code == 403
    assert AuditEntry.objects.filter(action="export", object_type="notifications.delivery").count() == 3
