"""Escalation: an undeliverable notification escalates at once (a real local SMTP server refusing the mailbox), the
sweep runs one at a time, and a clock moved later by a lower level escalates again when the new time passes."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from anwei.incidents import escalation, services
from anwei.incidents.models import Deadline, Escalation, Incident, TimelineEntry
from anwei.notifications.channels import labels
from anwei.notifications.models import Delivery, Lock, Notification
from anwei.notifications.tasks import deliver
from anwei.notifications.tests.servers import SmtpServer, start_smtp

pytestmark = pytest.mark.django_db


@pytest.fixture
def refusing_smtp(settings: Any) -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1 that has no mailbox for the duty officer."""
    controller, server = start_smtp(refuse={"duty@test.example"})
    settings.MAILERS = server.mailers()
    try:
        yield server
    finally:
        controller.stop()


def _file(world: Any, **kw: Any) -> Incident:
    args = {"actor": world.users["staff_a"], "agency": world.agency, "category": "theft", "title": "公務車失竊"} | kw
    return services.file_report(**args)


def test_refused_email_escalates_at_once_though_the_inbox_got_it(
    roster: Any, refusing_smtp: SmtpServer, django_capture_on_commit_callbacks: Any
) -> None:
    incident = _file(roster)
    duty = Notification.objects.get(person=roster.people["duty"], key=f"incident:{incident.pk}:filed")
    email = Delivery.objects.get(notification=duty, channel="email")
    inbox = Delivery.objects.get(notification=duty, channel="inapp")
    assert inbox.status == Delivery.Status.SENT  # the in-app copy is in the inbox once the filing committed
    assert not Escalation.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):  # the worker's commits, then the signal
        assert deliver.call(email.pk) is False
    email.refresh_from_db()
    # 550 is a permanent refusal (RFC 5321): failed at the first attempt, not retried for half an hour
    assert email.status == Delivery.Status.FAILED and "550" in email.last_error and email.attempts == 1
    assert refusing_smtp.recorder.refused == ["duty@test.example"]
    # escalated now — long before the rule's 30 minutes to acknowledge — to the ethics office, with the reason
    assert Escalation.objects.get(notification=duty).rung == 1
    (up,) = Notification.objects.filter(key=f"incident:{incident.pk}:esc:1")
    assert up.person == roster.people["ethics"] and up.require_ack
    entry = incident.timeline.get(kind=TimelineEntry.Kind.ESCALATED)
    assert entry.data["notifications"] == [duty.pk] and entry.data["to"] == [roster.people["ethics"].pk]
    assert "duty-person" in entry.text and str(labels()["email"]) in entry.text
    # the sweep does not pass it up a second time
    assert escalation.sweep(timezone.now() + timedelta(minutes=31))["escalated"] >= 1
    assert Escalation.objects.filter(notification=duty).count() == 1
    assert Notification.objects.filter(key=f"incident:{incident.pk}:esc:1").count() == 1


def test_a_failed_delivery_of_an_acknowledged_notification_does_not_escalate(roster: Any) -> None:
    incident = _file(roster)
    duty = Notification.objects.get(person=roster.people["duty"], key=f"incident:{incident.pk}:filed")
    services.acknowledge(actor=roster.users["duty"], incident_id=incident.pk, notification_id=duty.pk)
    Delivery.objects.filter(notification=duty, channel="email").update(status=Delivery.Status.FAILED)
    assert escalation.escalate_undeliverable(duty) is False
    assert not Escalation.objects.exists()


def test_only_one_sweep_runs_at_a_time(roster: Any, monkeypatch: Any) -> None:
    incident = _file(roster, aware_at=timezone.now() - timedelta(hours=3))  # the 1 h report clock is overdue
    Lock.objects.create(name=escalation.LOCK, holder="other-host:1", held_until=timezone.now() + timedelta(minutes=1))
    assert escalation.sweep() is None  # another sweep holds the lock
    assert not Deadline.objects.filter(incident=incident, escalated_at__isnull=False).exists()
    Lock.objects.filter(name=escalation.LOCK).update(held_until=timezone.now())  # its lease ran out
    inner: list[Any] = []
    original = escalation.mark_notify_clocks

    def clocks_and_a_second_sweep(now: Any) -> int:
        inner.append(escalation.sweep(now))  # a second sweep starting while this one runs
        return original(now)

    monkeypatch.setattr(escalation, "mark_notify_clocks", clocks_and_a_second_sweep)
    result = escalation.sweep()
    assert result is not None and result["overdue"] == 1
    assert inner == [None]
    assert Lock.objects.get(name=escalation.LOCK).held_until <= timezone.now()  # released when done


def test_lowering_the_level_moves_the_recovery_clock_and_it_escalates_again(roster: Any) -> None:
    aware = timezone.now() - timedelta(hours=40)
    incident = _file(roster, category="cyber", title="網站遭入侵", cyber_level=3, aware_at=aware)
    recovery = Deadline.objects.get(incident=incident, code="recovery")
    assert recovery.due_at == aware + timedelta(hours=36)
    escalation.sweep()
    recovery.refresh_from_db()
    assert recovery.escalated_at is not None
    overdue = Notification.objects.filter(key__startswith=f"incident:{incident.pk}:overdue:recovery:")
    assert overdue.filter(person=roster.people["head"]).count() == 1

    incident = services.change_level(
        actor=roster.users["ethics"], incident_id=incident.pk, cyber_level=2, reason="僅非核心系統"
    )
    recovery.refresh_from_db()
    assert recovery.due_at == aware + timedelta(hours=72)  # L1/L2: 72 h
    assert recovery.escalated_at is None  # the new time has not passed: it may escalate again
    assert escalation.sweep()["overdue"] == 0  # not yet overdue at 40 h

    when = aware + timedelta(hours=73)
    assert escalation.sweep(when)["overdue"] == 1
    recovery.refresh_from_db()
    assert recovery.escalated_at == when
    assert overdue.filter(person=roster.people["head"]).count() == 2  # told again, for the new due time
    assert incident.timeline.filter(kind=TimelineEntry.Kind.OVERDUE, data__code="recovery").count() == 2
