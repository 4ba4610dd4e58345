"""The "done when" journey end to end with a real SMTP server on 127.0.0.1 (aiosmtpd): file a level-3 cyber report
through the API, deliver the outbox, raise it to level 4, let a notification go unacknowledged and run the
escalation sweep later."""

import email
import json
import socket
from collections.abc import Iterator
from datetime import timedelta
from email.header import decode_header, make_header
from email.message import Message
from typing import Any

import pytest
from django.utils import timezone

from anwei.incidents import escalation
from anwei.incidents.models import Incident
from anwei.notifications.models import Delivery
from anwei.notifications.tasks import deliver

pytestmark = pytest.mark.django_db


class Recorder:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.original_content or envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(settings: Any) -> Iterator[Recorder]:
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    try:
        yield recorder
    finally:
        controller.stop()


def _deliver_all() -> None:
    for pk in Delivery.objects.filter(status=Delivery.Status.PENDING).values_list("pk", flat=True):
        assert deliver.call(pk) is True


def _mail(recorder: Recorder) -> list[tuple[str, str]]:
    return [(str(m["To"]), str(make_header(decode_header(str(m["Subject"]))))) for m in recorder.messages]


def test_level3_cyber_journey_over_smtp(roster: Any, client_for: Any, smtp: Recorder) -> None:
    aware = (timezone.now() - timedelta(minutes=20)).replace(microsecond=0)
    response = client_for("staff_a").post(
        "/api/v1/incidents",
        data=json.dumps({"category": "cyber", "title": "網站遭置換", "cyber_level": 3, "aware_at": aware.isoformat()}),
        content_type="application/json",
    )
    assert response.status_code == 201
    incident = Incident.objects.get()
    _deliver_all()
    first = _mail(smtp)
    to = {t for t, _ in first}
    assert {"duty@test.example", "mjib@outside.example", "cert@outside.example"} <= to
    assert all(incident.reference in s and "第3級" in s for _, s in first)
    clocks = {d.code: d.due_at for d in incident.deadlines.all()}
    assert clocks["notify"] - aware == timedelta(hours=1) and clocks["recovery"] - aware == timedelta(hours=36)

    # raising to level 4 re-notifies everyone, the investigation station included
    raised = client_for("ethics").post(
        f"/api/v1/incidents/{incident.pk}/level",
        data=json.dumps({"cyber_level": 4, "reason": "確認涉及一般公務機密"}),
        content_type="application/json",
    )
    assert raised.status_code == 200
    _deliver_all()
    second = _mail(smtp)[len(first) :]
    assert ("mjib@outside.example" in {t for t, _ in second}) and all("第4級" in s for _, s in second)

    # nobody acknowledges: 31 minutes later the sweep passes the duty officer's notification up to the ethics office
    escalation.sweep(timezone.now() + timedelta(minutes=31))
    _deliver_all()
    third = _mail(smtp)[len(first) + len(second) :]
    assert "ethics@test.example" in {t for t, _ in third}
    events = [e.kind for e in incident.timeline.all()]
    assert events[0] == "created" and "level" in events and "escalated" in events
