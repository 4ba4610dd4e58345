"""`make run` has no mail server: e-mail is kept in the local mailbox, labelled honestly (已存入本機郵件匣, not 已發送),
and administrators read it in the app, every reading audited (issue 14, "A demo that tells the truth")."""

from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings

from anwei.audit.models import AuditEntry
from anwei.notifications import services
from anwei.notifications.models import Delivery, LocalMail
from anwei.notifications.tasks import deliver

pytestmark = pytest.mark.django_db


@override_settings(ANWEI_LOCAL_MAILBOX=True)
def test_email_without_a_mail_server_is_kept_in_the_local_mailbox(world: Any) -> None:
    (n,) = services.notify(
        people=[world.people["duty"]], subject="資安事件通報 第3級", body="請立即處理", channels=["email"]
    )
    delivery = Delivery.objects.get(notification=n)
    deliver.call(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "stored" and delivery.sent_at is None and delivery.last_error == ""
    assert mail.outbox == []
    kept = LocalMail.objects.get(delivery=delivery)
    assert (kept.to, kept.subject) == ("duty@test.example", "資安事件通報 第3級") and "請立即處理" in kept.body

    admin = Client()
    admin.force_login(world.users["admin"])
    page = admin.get("/notifications/deliveries/").content.decode()
    assert "已存入本機郵件匣" in page and "本機郵件匣" in page
    assert "已發送" not in page.split("<tbody>", 1)[1]
    mailbox = admin.get("/notifications/mailbox/")
    assert mailbox.status_code == 200 and "資安事件通報 第3級" in mailbox.content.decode()
    assert AuditEntry.objects.filter(object_type="notifications.localmail", actor=world.users["admin"]).exists()

    ethics = Client()
    ethics.force_login(world.users["ethics"])
    assert ethics.get("/notifications/mailbox/").status_code == 403


def test_with_a_mail_server_email_is_sent_as_before(world: Any) -> None:
    (n,) = services.notify(people=[world.people["duty"]], subject="測試", body="內容", channels=["email"])
    deliver.call(Delivery.objects.get(notification=n).pk)
    assert Delivery.objects.get(notification=n).status == "sent" and len(mail.outbox) == 1
    assert not LocalMail.objects.exists()
