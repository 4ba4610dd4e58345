from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from anwei.core.errors import BusinessRuleError
from anwei.incidents import escalation, rules, services
from anwei.incidents.models import Deadline, Escalation, Incident, TimelineEntry
from anwei.notifications.models import Delivery, Notification
from anwei.notifications.tasks import deliver

pytestmark = pytest.mark.django_db


def _file(world: Any, **kw: Any) -> Incident:
    args = {
        "actor": world.users["staff_a"],
        "agency": world.agency,
        "category": "cyber",
        "title": "公文系統遭入侵",
        "cyber_level": 3,
    } | kw
    return services.file_report(**args)


def _mailed_to() -> set[str]:
    return {to for m in mail.outbox for to in m.to}


def test_level3_cyber_report_routes_clocks_and_mail(roster: Any, django_capture_on_commit_callbacks: Any) -> None:
    aware = timezone.now() - timedelta(minutes=10)
    with django_capture_on_commit_callbacks(execute=False):
        incident = _file(roster, aware_at=aware)
    assert incident.reference.endswith("-0001") and incident.unit == roster.units["a"]
    assert incident.severity == "major"
    people = set(Notification.objects.filter(person__isnull=False).values_list("person__name", flat=True))
    assert {"duty-person", "ethics-person", "head-person"} <= people  # duty officer, ethics officers, agency head
    assert "staff_b-person" not in people
    contacts = set(Notification.objects.filter(contact__isnull=False).values_list("contact__email", flat=True))
    assert contacts == {"mjib@outside.example", "cert@outside.example"}  # 調查處站 and the national contact
    for pk in Delivery.objects.values_list("pk", flat=True):
        deliver.call(pk)
    assert {"duty@test.example", "mjib@outside.example", "cert@outside.example"} <= _mailed_to()
    clocks = {(d.code, d.body): d.due_at for d in incident.deadlines.all()}
    # one 1-hour clock per body the law and the seed name: the ethics office, 調查處站, the national process
    assert clocks[("report", "ethics")] == aware + timedelta(hours=1)
    assert clocks[("notify", "org:investigation")] == aware + timedelta(hours=1)
    assert clocks[("notify", "org:cyber")] == aware + timedelta(hours=1)
    assert clocks[("recovery", "")] == aware + timedelta(hours=36)
    assert clocks[("investigation_report", "")] is None  # counted from recovery
    escalation.sweep()
    assert Deadline.objects.get(incident=incident, code="notify", body="org:investigation").met_how == "sent"


def test_level_change_renotifies_and_recomputes(roster: Any) -> None:
    aware = timezone.now() - timedelta(minutes=5)
    incident = _file(roster, cyber_level=2, aware_at=aware)
    assert incident.deadlines.get(code="recovery").due_at == aware + timedelta(hours=72)
    before = Notification.objects.count()
    incident = services.change_level(
        actor=roster.users["ethics"], incident_id=incident.pk, cyber_level=4, reason="核心系統停頓"
    )
    assert incident.deadlines.get(code="recovery").due_at == aware + timedelta(hours=36)
    renotified = Notification.objects.filter(key__contains=":level:")
    assert renotified.count() > 0 and Notification.objects.count() > before
    assert renotified.filter(contact__email="mjib@outside.example").exists()
    assert "第4級" in renotified.first().subject  # the office's words, not "L4"
    assert incident.timeline.filter(kind=TimelineEntry.Kind.LEVEL, data__new=4).exists()
    with pytest.raises(BusinessRuleError):
        services.change_level(actor=roster.users["ethics"], incident_id=incident.pk, cyber_level=4)


def test_unacknowledged_notification_escalates_up_the_ladder(roster: Any) -> None:
    """Each notification goes from its recipient's own rung to the next one up: the duty officer's to the ethics
    office, the ethics office's to the agency head, the agency head's to nobody, an outside contact's to the ethics
    office; each rung gets one escalation notice for the report, however many notifications reach it."""
    incident = _file(roster)  # L3: duty officer, ethics office, agency head, 調查處站 and the national cyber contact
    filed = Notification.objects.filter(key=f"incident:{incident.pk}:filed")
    duty_note = filed.get(person=roster.people["duty"])
    ethics_note = filed.get(person=roster.people["ethics"])
    head_note = filed.get(person=roster.people["head"])
    station_note = filed.get(contact__email="mjib@outside.example")
    services.acknowledge(actor=roster.users["ethics"], incident_id=incident.pk, notification_id=ethics_note.pk)
    assert escalation.sweep()["escalated"] == 0  # not yet: the rule gives 30 minutes
    later = timezone.now() + timedelta(minutes=31)
    # the agency head and the two outside contacts; not the duty officer: the ethics office he belongs to has the
    # report in hand (an ethics officer acknowledged it), and no escalation names a body that was reached
    assert escalation.sweep(later)["escalated"] == 3
    top = len(rules.ESCALATION_LADDER)
    rungs = dict(Escalation.objects.values_list("notification_id", "rung"))
    assert duty_note.pk not in rungs and rungs[station_note.pk] == 1  # → the ethics office
    assert rungs[head_note.pk] == top  # the top rung: no one further up
    escalated = Notification.objects.filter(key__contains=":esc:")
    assert list(escalated.values_list("key", "person")) == [
        (f"incident:{incident.pk}:esc:1", roster.people["ethics"].pk)
    ]
    assert not escalated.filter(person=roster.people["duty"]).exists()  # never down the ladder to the duty officer
    up = escalated.get()
    assert up.require_ack and "mjib" not in up.body and "測試調查站值日" in up.body and "duty-person" not in up.body
    assert incident.timeline.filter(kind=TimelineEntry.Kind.ESCALATED, data__rung=top).count() == 1
    # the ethics office does not acknowledge its escalation notice either → the agency head, once; the
    # notifications already passed up are not passed again
    assert escalation.sweep(later)["escalated"] == 1
    assert Escalation.objects.get(notification=up).rung == 2
    assert list(escalated.filter(person=roster.people["head"]).values_list("key", flat=True)) == [
        f"incident:{incident.pk}:esc:2"
    ]
    assert escalation.sweep(later)["escalated"] == 1  # the agency head's escalation notice: no one further up
    assert escalation.sweep(later)["escalated"] == 0
    assert escalated.count() == 2 and Escalation.objects.count() == 5
    assert incident.timeline.filter(kind=TimelineEntry.Kind.ESCALATED).count() == 4


def test_someone_on_no_rung_escalates_to_the_duty_officer(roster: Any) -> None:
    incident = _file(roster, category="theft", title="工地器材失竊", cyber_level=None, unit=roster.units["a"])
    supervisor = Notification.objects.get(person=roster.people["supervisor_a"], key__endswith=":filed")
    for n in Notification.objects.exclude(pk=supervisor.pk):
        n.acknowledged_at = timezone.now()
        n.save()
    assert escalation.sweep(timezone.now() + timedelta(minutes=31))["escalated"] == 1
    assert Escalation.objects.get(notification=supervisor).rung == 0
    assert Notification.objects.get(key=f"incident:{incident.pk}:esc:0").person == roster.people["duty"]


def test_overdue_clock_escalates_once(roster: Any) -> None:
    incident = _file(roster, aware_at=timezone.now() - timedelta(hours=40))
    result = escalation.sweep()
    assert result["overdue"] >= 1  # recovery (36 h) and notify (1 h) are past
    assert Deadline.objects.get(incident=incident, code="recovery").escalated_at is not None
    assert escalation.sweep()["overdue"] == 0
    assert Notification.objects.filter(key__startswith=f"incident:{incident.pk}:overdue:recovery:").exists()


def test_bad_input_saves_nothing(roster: Any) -> None:
    with pytest.raises(BusinessRuleError) as exc:
        _file(roster, cyber_level=None)
    assert exc.value.field == "cyber_level"
    with pytest.raises(BusinessRuleError) as exc:
        _file(roster, category="theft", cyber_level=2)
    assert exc.value.field == "cyber_level"
    with pytest.raises(BusinessRuleError) as exc:
        _file(roster, title=" ")
    assert exc.value.field == "title"
    with pytest.raises(BusinessRuleError) as exc:
        _file(roster, aware_at=timezone.now() + timedelta(hours=2))
    assert exc.value.field == "aware_at"
    assert not Incident.objects.exists() and not Notification.objects.exists()


def test_cyber_closure_needs_the_investigation_report(roster: Any) -> None:
    incident = _file(roster, aware_at=timezone.now() - timedelta(hours=3))
    ethics = roster.users["ethics"]
    with pytest.raises(BusinessRuleError) as exc:
        services.close(actor=ethics, incident_id=incident.pk, outcome="已處理")
    assert exc.value.field == "recovered_at"
    incident = services.mark_recovered(actor=ethics, incident_id=incident.pk)
    report_clock = incident.deadlines.get(code="investigation_report")
    assert report_clock.due_at is not None and report_clock.due_at > incident.recovered_at + timedelta(days=27)
    with pytest.raises(BusinessRuleError) as exc:
        services.close(actor=ethics, incident_id=incident.pk, outcome="已處理", root_cause="弱密碼")
    assert exc.value.field == "scope_and_damage"
    report = dict.fromkeys(services.REPORT_FIELDS, "已填寫")
    incident = services.close(actor=ethics, incident_id=incident.pk, outcome="已處理", **report)
    incident.refresh_from_db()
    assert incident.status == Incident.Status.CLOSED and incident.root_cause == "已填寫"


def test_fraud_impersonation_gives_press_release_task(roster: Any) -> None:
    roster.units["b"].code = "pr"
    roster.units["b"].save()
    incident = _file(roster, category="fraud-impersonation", title="假冒處長詐騙", cyber_level=None)
    task = incident.tasks.get()
    assert task.unit == roster.units["b"] and "新聞稿" in task.title
    assert incident.timeline.filter(kind=TimelineEntry.Kind.TASK).exists()


def test_reference_numbers_per_agency_and_year(roster: Any) -> None:
    first = _file(roster)
    second = _file(roster, category="theft", cyber_level=None, title="電腦失竊")
    assert (first.year, first.number + 1) == (second.year, second.number)
    assert second.reference == f"{second.year}-0002"


def test_restricted_report_keeps_its_title_out_of_messages(roster: Any) -> None:
    incident = _file(roster, category="leak", title="機密公文外流", cyber_level=None)
    assert incident.restricted
    for n in Notification.objects.filter(source_id=str(incident.pk)):
        assert "機密公文外流" not in n.subject + n.body


def test_report_attaches_to_the_active_plan(roster: Any) -> None:
    from anwei.plans.models import Plan

    now = timezone.now()
    plan = Plan.objects.create(
        agency=roster.agency,
        owning_unit=roster.units["ethics"],
        title="春節安全維護計畫",
        period_start=now - timedelta(days=3),
        period_end=now + timedelta(days=20),
        status=Plan.Status.ACTIVE,
    )
    assert _file(roster).plan == plan
    plan.period_end = now - timedelta(days=1)
    plan.save()
    assert _file(roster).plan is None


def test_timeline_dates_a_failed_delivery_when_it_failed(roster: Any) -> None:
    from anwei.notifications import services as outbox

    incident = _file(roster, category="theft", title="公務車失竊", cyber_level=None)
    duty = Notification.objects.get(person=roster.people["duty"])
    Notification.objects.filter(source_id=str(incident.pk)).update(created_at=timezone.now() - timedelta(hours=2))
    Delivery.objects.filter(status=Delivery.Status.SENT).update(sent_at=timezone.now() - timedelta(hours=2))
    note = services.add_note(actor=roster.users["ethics"], incident_id=incident.pk, text="已通知警方")
    TimelineEntry.objects.filter(pk=note.pk).update(at=timezone.now() - timedelta(hours=1))
    email = Delivery.objects.get(notification=duty, channel="email")
    Delivery.objects.filter(pk=email.pk).update(attempts=outbox.MAX_ATTEMPTS - 1)
    claimed = outbox.claim(email.pk)
    assert claimed is not None
    refused = "SMTPRecipientsRefused: {'duty@test.example': (550, b'5.1.1 no such user')}"
    outbox._failed(claimed, refused)  # the last attempt: it gives up now, two hours after notifying
    email.refresh_from_db()
    assert email.status == Delivery.Status.FAILED and email.failed_at is not None
    from anwei.incidents import selectors

    events = selectors.timeline(incident)
    kinds = [e.kind for e in events]
    failed = next(e for e in events if e.kind == "failed")
    assert failed.at == email.failed_at
    assert kinds.index("sent") < kinds.index("note") < kinds.index("failed")
    assert "550" in failed.text and "{'" not in failed.text  # the reason, in words, without the Python around it
