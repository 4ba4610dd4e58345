"""Clocks measure what the law measures: a notify/report clock is met when the body it names is reached by any
channel (a delivery sent or acknowledged, a contact recorded by a person, the filer belonging to it), says how and
by whom, and never escalates once met. Undeliverable is an alarm: a must-call for the person on duty, with the
body's phone numbers, until the contact is recorded; the timeline never says "notified" for what did not go out."""

import json
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from anwei.audit.models import AuditEntry
from anwei.directory.models import ExternalContact, Organisation
from anwei.incidents import escalation, selectors, services
from anwei.incidents.models import Deadline, Escalation, Incident, IncidentTask
from anwei.notifications import services as outbox
from anwei.notifications.models import Delivery, Notification

pytestmark = pytest.mark.django_db


def _theft(world: Any, actor: str = "staff_a", hours_ago: float = 2) -> Incident:
    """A theft: the ethics office must be told within 1 hour (陳報政風機構), and the police at once."""
    return services.file_report(
        actor=world.users[actor],
        agency=world.agency,
        category="theft",
        title="公務車失竊",
        unit=world.units["a"],
        aware_at=timezone.now() - timedelta(hours=hours_ago),
    )


def _fail_for_good(delivery: Delivery, error: str) -> None:
    """The worker's last attempt fails: the delivery gives up (the real path, not a row update)."""
    Delivery.objects.filter(pk=delivery.pk).update(attempts=outbox.MAX_ATTEMPTS - 1)
    claimed = outbox.claim(delivery.pk)
    assert claimed is not None
    outbox._failed(claimed, error)


def _police_email(incident: Incident) -> Delivery:
    return Delivery.objects.get(
        notification__source_id=str(incident.pk), notification__contact__email="police@outside.example"
    )


def test_one_failed_email_does_not_make_the_ethics_office_overdue(roster: Any) -> None:
    """The police's e-mail fails for good. The ethics office was reached (its officers' inboxes), so 陳報政風機構
    is met, says how and by whom, and does not escalate to the agency head; the police clock, not reached, does."""
    incident = _theft(roster)
    _fail_for_good(_police_email(incident), "SMTPRecipientsRefused: 550 no such mailbox")
    result = escalation.sweep()
    assert result is not None
    report = Deadline.objects.get(incident=incident, code="report")
    assert report.body == "ethics" and report.met_at is not None
    assert report.met_how == "sent" and report.met_by in {"ethics-person（職稱）", "duty-person（職稱）"}
    assert not Notification.objects.filter(key__startswith=f"incident:{incident.pk}:overdue:report").exists()
    police = Deadline.objects.get(incident=incident, code="notify", body="org:police")
    assert police.met_at is None and police.escalated_at is not None
    assert Notification.objects.filter(key__startswith=f"incident:{incident.pk}:overdue:notify@org:police:").exists()


def test_a_met_clock_never_escalates_even_before_the_sweep_marks_it(roster: Any) -> None:
    """escalate_overdue re-checks each clock: the ethics office was reached, so its clock is met, not escalated."""
    incident = _theft(roster)
    assert Deadline.objects.get(incident=incident, code="report").met_at is None  # not marked yet
    escalation.escalate_overdue(timezone.now())
    report = Deadline.objects.get(incident=incident, code="report")
    assert report.met_at is not None and report.escalated_at is None
    assert not Notification.objects.filter(key__startswith=f"incident:{incident.pk}:overdue:report").exists()


def test_a_filer_is_not_asked_to_acknowledge_his_own_report(roster: Any) -> None:
    incident = _theft(roster, actor="ethics", hours_ago=0.1)
    own = Notification.objects.get(person=roster.people["ethics"], key=f"incident:{incident.pk}:filed")
    assert own.require_ack is False  # he sees his own report in his inbox, but is not asked to acknowledge it
    assert selectors.my_unacknowledged(roster.users["ethics"], incident) == []
    duty = Notification.objects.get(person=roster.people["duty"], key=f"incident:{incident.pk}:filed")
    assert duty.require_ack is True


def test_the_ethics_officer_filing_meets_the_clock_and_nothing_escalates(roster: Any) -> None:
    incident = _theft(roster, actor="ethics")
    report = Deadline.objects.get(incident=incident, code="report")
    assert report.met_at == incident.created_at and report.met_how == "filed" and report.met_by == "ethics-person"
    # every e-mail fails; nobody acknowledges: the clock stays met, and the duty officer's notification is not
    # passed up the ladder — the ethics office he belongs to filed the report
    for d in Delivery.objects.filter(notification__source_id=str(incident.pk), channel="email"):
        _fail_for_good(d, "SMTPServerDisconnected")
    escalation.sweep(timezone.now() + timedelta(minutes=31))
    duty = Notification.objects.get(person=roster.people["duty"], key=f"incident:{incident.pk}:filed")
    assert not Escalation.objects.filter(notification=duty).exists()
    assert not Notification.objects.filter(key__startswith=f"incident:{incident.pk}:overdue:report").exists()
    assert not Notification.objects.filter(key__startswith=f"incident:{incident.pk}:esc:", body__contains="duty-person")


def test_a_phone_call_recorded_through_the_api_meets_the_clock(roster: Any, client_for: Any) -> None:
    incident = services.file_report(
        actor=roster.users["staff_a"],
        agency=roster.agency,
        category="cyber",
        title="網站遭置換",
        cyber_level=3,
        aware_at=timezone.now() - timedelta(minutes=50),
    )
    station = Deadline.objects.get(incident=incident, code="notify", body="org:investigation")
    reached = (timezone.now() - timedelta(minutes=5)).replace(microsecond=0)
    payload = {
        "clock": station.pk,
        "channel": "phone",
        "reached_at": reached.isoformat(),
        "person_reached": "調查站值日官王先生",
        "reference": "1150012",
    }
    url = f"/api/v1/incidents/{incident.pk}/contacts"
    post = lambda who, data: client_for(who).post(url, json.dumps(data), content_type="application/json")  # noqa: E731
    assert post("staff_a", payload).status_code == 403  # staff do not handle reports
    assert post("duty", payload | {"channel": "email"}).status_code == 422
    response = post("duty", payload)
    assert response.status_code == 201, response.content
    assert response.json()["clock"] == station.pk and response.json()["reference"] == "1150012"
    clocks = {c["id"]: c for c in client_for("duty").get(f"/api/v1/incidents/{incident.pk}").json()["clocks"]}
    got = clocks[station.pk]
    assert got["state"] == "met" and got["met_how"] == "phone" and got["met_by"] == "調查站值日官王先生"
    assert datetime.fromisoformat(got["met_at"]) == reached
    from anwei.incidents.models import Contact

    contact = Contact.objects.get()
    assert contact.recorded_by == roster.users["duty"] and contact.body == "org:investigation"
    assert AuditEntry.objects.filter(object_type="incidents.contact", object_id=str(contact.pk)).exists()
    # an hour later nothing escalates for the station, and no escalation names it
    escalation.sweep(timezone.now() + timedelta(hours=2))
    assert Deadline.objects.get(pk=station.pk).escalated_at is None
    note = Notification.objects.get(contact__email="mjib@outside.example", key=f"incident:{incident.pk}:filed")
    assert not Escalation.objects.filter(notification=note).exists()


def test_no_usable_address_is_a_must_call_until_the_contact_is_recorded(roster: Any, client_for: Any) -> None:
    """The police have a phone number only: nothing can go out, so the person on duty gets a must-call with the
    numbers (click-to-call on the board), the timeline says 待電話聯繫, never "notified"; recording the call
    closes it and meets the police clock."""
    from anwei.incidents import contacts, todo

    police = ExternalContact.objects.get(email="police@outside.example")
    ExternalContact.objects.filter(pk=police.pk).update(email="", phone="(03)822-4021")
    Organisation.objects.filter(pk=police.organisation_id).update(phone="110")
    incident = _theft(roster, hours_ago=0.1)
    now = timezone.now()
    (item,) = [i for i in todo.items(roster.users["duty"], now) if i.kind == "must_call"]
    assert incident.reference in item.title and "警察機關" in item.title
    assert "(03)822-4021" in item.detail and "110" in item.detail
    police_clock = Deadline.objects.get(incident=incident, code="notify", body="org:police")
    assert item.due_at == police_clock.due_at and item.url.startswith(f"/incidents/{incident.pk}/")
    assert [i.kind for i in todo.items(roster.users["ethics"], now)] == ["must_call"]  # the ethics office too
    assert list(todo.items(roster.users["staff_a"], now)) == []
    board = client_for("duty").get("/incidents/").content.decode()
    assert 'href="tel:038224021"' in board and 'href="tel:110"' in board
    events = selectors.timeline(incident)
    mine = [e for e in events if e.who == str(police)]
    assert {e.kind for e in mine} == {"failed", "must_call"}
    assert "notified" not in {e.kind for e in events}
    contacts.record_contact(
        actor=roster.users["duty"],
        incident_id=incident.pk,
        clock=police_clock,
        channel="phone",
        reached_at=timezone.now(),
        person_reached="值勤員警林警員",
        reference="A-17",
    )
    assert list(todo.items(roster.users["duty"], timezone.now())) == []
    assert "must_call" not in {e.kind for e in selectors.timeline(incident)}
    police_clock.refresh_from_db()
    assert police_clock.met_how == "phone" and police_clock.met_by == "值勤員警林警員"


def test_a_delivery_failed_for_good_is_a_must_call_with_the_reason_on_the_timeline(roster: Any) -> None:
    from anwei.incidents import todo

    incident = _theft(roster, hours_ago=0.1)
    email = _police_email(incident)
    outbox_now = timezone.now()
    assert list(todo.items(roster.users["duty"], outbox_now)) == []  # still being sent: no alarm yet
    _fail_for_good(email, "SMTPRecipientsRefused: {'police@outside.example': (550, b'5.1.1 mailbox unavailable')}")
    (item,) = todo.items(roster.users["duty"], timezone.now())
    assert item.kind == "must_call" and "警察機關" in item.title
    failed = [e for e in selectors.timeline(incident) if e.kind == "failed"]
    assert len(failed) == 1 and "550" in failed[0].text and "{'" not in failed[0].text


def test_illicit_liquor_reaches_the_finance_unit_and_the_police(roster: Any) -> None:
    finance = roster.units["b"]  # 財政處
    finance.code = "finance"
    finance.save()
    incident = services.file_report(
        actor=roster.users["staff_a"],
        agency=roster.agency,
        category="illicit-liquor",
        title="夜市販售來路不明米酒",
        unit=roster.units["a"],
    )
    assert IncidentTask.objects.get(incident=incident).unit == finance
    assert Notification.objects.filter(
        key=f"incident:{incident.pk}:filed", contact__email="police@outside.example"
    ).exists()


def test_a_call_to_a_body_named_without_a_clock_is_recorded_through_the_api(roster: Any, client_for: Any) -> None:
    """A liquor report tells the police (no clock of their own); with no usable address they are a must-call, and
    the duty officer's phone call, recorded through the API for the body, ends it."""
    from anwei.incidents import todo

    ExternalContact.objects.filter(email="police@outside.example").update(email="")
    roster.units["b"].code = "finance"
    roster.units["b"].save()
    incident = services.file_report(
        actor=roster.users["staff_a"],
        agency=roster.agency,
        category="illicit-liquor",
        title="夜市販售來路不明米酒",
        unit=roster.units["a"],
    )
    assert not Deadline.objects.filter(incident=incident, body="org:police").exists()
    calls = [i for i in todo.items(roster.users["duty"], timezone.now()) if i.kind == "must_call"]
    assert len(calls) == 1 and "警察機關" in calls[0].title
    url = f"/api/v1/incidents/{incident.pk}/contacts"
    payload = {"body": "org:police", "channel": "phone", "person_reached": "值班員警", "reference": "A-1"}
    post = lambda data: client_for("duty").post(url, json.dumps(data), content_type="application/json")  # noqa: E731
    assert post(payload | {"body": "org:nobody"}).status_code == 422
    response = post(payload)
    assert response.status_code == 201, response.content
    assert response.json()["body"] == "org:police" and response.json()["clock"] is None
    assert [i for i in todo.items(roster.users["duty"], timezone.now()) if i.kind == "must_call"] == []


def test_the_reporter_is_shown_on_the_page_and_in_the_api(roster: Any, client_for: Any) -> None:
    staff = client_for("staff_a")
    response = staff.post(
        "/incidents/new/",
        {"category": "theft", "title": "機車失竊", "unit": roster.units["a"].pk, "aware_at": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    incident = Incident.objects.get()
    page = client_for("ethics").get(f"/incidents/{incident.pk}/").content.decode()
    reporter = re.search(r"<dt>[^<]*</dt><dd>staff_a-person（職稱）</dd>", page)
    assert reporter is not None, re.findall(r"<dd>[^<]*</dd>", page)
    assert client_for("ethics").get(f"/api/v1/incidents/{incident.pk}").json()["reporter_name"] == "staff_a-person"


def test_a_body_with_a_clock_and_nobody_to_notify_is_a_must_call(roster: Any) -> None:
    """The directory has the police station's number but no contact person there: nobody can be notified, so the
    person on duty must call the station itself."""
    from anwei.incidents import todo

    org = Organisation.objects.get(kind="police")
    org.contacts.all().delete()
    Organisation.objects.filter(pk=org.pk).update(phone="(03)8224021")
    incident = _theft(roster, hours_ago=0.1)
    (item,) = todo.items(roster.users["duty"], timezone.now())
    assert item.kind == "must_call" and incident.reference in item.title and item.detail == "(03)8224021"


def test_a_rule_deadline_names_a_known_body(client_for: Any, world: Any) -> None:
    from anwei.core.errors import BusinessRuleError
    from anwei.incidents import rulebook

    rule = {"category": "theft", "source": "DOMAIN §5", "deadlines": [{"code": "notify", "hours": 1, "body": "org:x"}]}
    with pytest.raises(BusinessRuleError) as exc:
        rulebook.validate(rule)
    assert exc.value.field == "deadlines"
    rulebook.validate(rule | {"deadlines": [{"code": "notify", "hours": 1, "body": "org:police"}]})
    form = client_for("admin").get("/incidents/rules/new/").content.decode()
    assert "org:investigation = 調查處站" in form


def test_an_email_kept_in_the_local_mailbox_reached_nobody_so_it_is_a_must_call(roster: Any, settings: Any) -> None:
    """`make run` without a mail server keeps e-mail in the local mailbox: the police were not reached, so the person
    on duty must call them, and the timeline says why instead of 已發送."""
    from anwei.incidents import todo

    settings.ANWEI_LOCAL_MAILBOX = True
    incident = _theft(roster, hours_ago=0.1)
    email = _police_email(incident)
    assert outbox.deliver_now(email.pk) is False
    email.refresh_from_db()
    assert email.status == Delivery.Status.STORED
    (item,) = todo.items(roster.users["duty"], timezone.now())
    assert item.kind == "must_call" and "警察機關" in item.title
    police_clock = incident.deadlines.get(code="notify", body="org:police")
    escalation.sweep(timezone.now())
    police_clock.refresh_from_db()
    assert police_clock.met_at is None
    (failed,) = [e for e in selectors.timeline(incident) if e.kind == "failed"]
    assert "本機郵件匣" in failed.text
    assert not [e for e in selectors.timeline(incident) if e.who == failed.who and e.kind == "sent"]


def test_an_outside_body_whose_email_went_out_is_not_passed_up_as_unacknowledged(roster: Any) -> None:
    """The national cyber contact's e-mail was sent: its clock is met by it, and it has no inbox here to
    acknowledge in, so the acknowledgement sweep does not pass it up to the ethics office (no escalation names a
    body that was reached); the station, whose e-mail failed, is passed up."""
    incident = services.file_report(
        actor=roster.users["staff_a"],
        agency=roster.agency,
        category="cyber",
        title="網站遭置換",
        cyber_level=3,
        aware_at=timezone.now() - timedelta(minutes=10),
    )
    notes = Notification.objects.filter(key=f"incident:{incident.pk}:filed", contact__isnull=False)
    cyber = notes.get(contact__organisation__kind="cyber")
    station = notes.get(contact__organisation__kind="investigation")
    Delivery.objects.filter(notification=cyber).update(status=Delivery.Status.SENT, sent_at=timezone.now())
    _fail_for_good(Delivery.objects.get(notification=station), "SMTPRecipientsRefused: 550 no such mailbox")
    escalation.sweep(timezone.now() + timedelta(minutes=45))
    assert Deadline.objects.get(incident=incident, body="org:cyber").met_how == "sent"
    assert not Escalation.objects.filter(notification=cyber).exists()
    assert Escalation.objects.filter(notification=station).exists()


def test_a_duty_officer_off_shift_still_sees_the_must_calls(roster: Any) -> None:
    """The duty-officer role (值勤人員) is the job of making the calls: the must-call is on their list even when the
    roster has someone else on the ethics duty now; a staff member never gets it."""
    from anwei.directory.models import DutyShift
    from anwei.incidents import todo

    incident = _theft(roster, hours_ago=0.1)
    _fail_for_good(_police_email(incident), "SMTPRecipientsRefused: 550 mailbox unavailable")
    DutyShift.objects.all().delete()  # nobody on the roster now
    (item,) = todo.items(roster.users["duty"], timezone.now())
    assert item.kind == "must_call"
    assert list(todo.items(roster.users["staff_a"], timezone.now())) == []
