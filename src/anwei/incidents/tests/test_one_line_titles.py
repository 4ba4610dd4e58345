"""Finding (issue 15): a line break in a report's title stopped every e-mail of that report ("Header values may
not contain linefeed"). Single-line fields lose their control characters at the input boundary (form, API,
service), and the e-mail channel never fails on a subject's content."""

import json
from email.header import decode_header, make_header
from typing import Any

import pytest

from anwei.incidents.models import Incident
from anwei.notifications import services as notifications
from anwei.notifications.models import Delivery, Notification
from anwei.notifications.tasks import deliver
from anwei.notifications.tests.servers import smtp_server

__all__ = ["smtp_server"]

RAW = "機房\r\n門禁\t遭破壞\x0b"
CLEAN = "機房 門禁 遭破壞"


@pytest.mark.django_db
def test_api_and_form_keep_a_title_on_one_line(roster: Any, client_for: Any) -> None:
    staff = client_for("staff_a")
    body = {"category": "theft", "title": RAW, "location": "三樓\n機房"}
    response = staff.post("/api/v1/incidents", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["title"] == CLEAN
    assert response.json()["location"] == "三樓 機房"
    page = staff.post("/incidents/new/", {"category": "theft", "title": RAW})
    assert page.status_code == 302
    assert list(Incident.objects.order_by("pk").values_list("title", flat=True)) == [CLEAN, CLEAN]
    subjects = set(Notification.objects.values_list("subject", flat=True))
    assert subjects and all("\n" not in s and "\r" not in s for s in subjects)
    # a title of nothing but line breaks is no title
    empty = staff.post(
        "/api/v1/incidents", data=json.dumps({"category": "theft", "title": "\r\n"}), content_type="application/json"
    )
    assert empty.status_code == 422


@pytest.mark.django_db(transaction=True)
def test_an_email_is_sent_whatever_line_breaks_its_stored_subject_holds(world: Any, smtp_server: Any) -> None:
    (n,) = notifications.notify(people=[world.people["duty"]], subject="通報", body="內容", channels=["email"])
    Notification.objects.filter(pk=n.pk).update(subject=f"[114-0001] 新通報：{RAW}")  # written before the fix
    delivery = Delivery.objects.get(notification=n)
    assert deliver.call(delivery.pk) is True
    (message,) = smtp_server.messages
    assert str(make_header(decode_header(message["Subject"]))) == f"[114-0001] 新通報：{CLEAN}"
    delivery.refresh_from_db()
    assert delivery.status == "sent"
