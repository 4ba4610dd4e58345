import hashlib
import threading
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from anwei.audit.models import AuditEntry
from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.incidents import escalation, routing, rulebook, services
from anwei.incidents.attachments import check
from anwei.incidents.models import Escalation, Incident, RoutingRule
from anwei.notifications.models import Delivery, Notification

pytestmark = pytest.mark.django_db


def test_default_rules_are_dated_and_cite_their_source() -> None:
    rules = RoutingRule.objects.all()
    assert rules.count() >= 10
    assert all(r.source and r.effective_from for r in rules)
    cyber = [r for r in rules if r.category == "cyber"]
    assert any("資通安全事件通報及應變辦法" in r.source for r in cyber)


def test_rules_apply_by_the_date_of_awareness(roster: Any) -> None:
    # the national-security rule cites Art. 2 from 2022 and Art. 2-1 before it
    old = Incident(agency=roster.agency, category="national-security", severity="major")
    old.aware_at = timezone.make_aware(timezone.datetime(2014, 1, 25, 10))
    new = Incident(agency=roster.agency, category="national-security", severity="major", aware_at=timezone.now())
    old_sources = {r.source for r in routing.applicable_rules(old)}
    new_sources = {r.source for r in routing.applicable_rules(new)}
    assert any("seed era" in s for s in old_sources) and not any("seed era" in s for s in new_sources)
    assert any("(2022" in s for s in new_sources) and not any("(2022" in s for s in old_sources)
    # the 2021 cyber rules did not exist in 2014
    cyber_2014 = Incident(agency=roster.agency, category="cyber", cyber_level=3, aware_at=old.aware_at)
    assert not [r for r in routing.applicable_rules(cyber_2014) if r.category == "cyber"]


def test_admin_edits_a_rule_with_audit_others_may_not(roster: Any) -> None:
    rule = RoutingRule.objects.get(category="petition")
    with pytest.raises(NotAllowed):
        rulebook.update_rule(actor=roster.users["ethics"], rule_id=rule.pk, ack_minutes=5)
    rulebook.update_rule(
        actor=roster.users["admin"], rule_id=rule.pk, ack_minutes=5, recipients=["role:agency_head", "org:police"]
    )
    entry = AuditEntry.objects.filter(object_type="incidents.routingrule", object_id=str(rule.pk)).latest("seq")
    assert entry.changes["ack_minutes"] == [30, 5]
    with pytest.raises(BusinessRuleError) as exc:
        rulebook.update_rule(actor=roster.users["admin"], rule_id=rule.pk, recipients=["everyone"])
    assert exc.value.field == "recipients"
    with pytest.raises(BusinessRuleError) as exc:
        rulebook.create_rule(
            actor=roster.users["admin"],
            name="x",
            category="theft",
            effective_from=date(2026, 1, 1),
            source="",
        )
    assert exc.value.field == "source"
    # the edited rule now routes petitions to the police too
    services.file_report(actor=roster.users["staff_a"], agency=roster.agency, category="petition", title="陳情")
    assert Notification.objects.filter(contact__email="police@outside.example").exists()


def test_rule_edit_page_shows_field_errors(roster: Any, client_for: Any) -> None:
    rule = RoutingRule.objects.get(category="petition")
    admin = client_for("admin")
    r = admin.post(
        f"/incidents/rules/{rule.pk}/edit/",
        {
            "name": rule.name,
            "category": "petition",
            "recipients": "[oops",
            "effective_from": "2014-01-01",
            "source": "x",
            "ack_minutes": 30,
        },
    )
    assert r.status_code == 200 and 'id="id_recipients_error"' in r.content.decode()


def test_attachment_checks(settings: Any) -> None:
    settings.ANWEI_MAX_UPLOAD_BYTES = 1024
    assert check(SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20)).content_type == "image/png"
    assert check(SimpleUploadedFile("log.txt", "登入紀錄\n".encode())).content_type == "text/plain"
    content = b"%PDF-1.7 x"
    info = check(SimpleUploadedFile("r.pdf", content))
    assert info.size == len(content) == 10
    assert info.sha256 == hashlib.sha256(content).hexdigest()
    assert info.content_type == "application/pdf"
    for name, content in [
        ("big.pdf", b"%PDF-" + b"0" * 2000),  # too large
        ("x.pdf", b"\x89PNG\r\n\x1a\n"),  # content does not match the name
        ("run.exe", b"MZ\x90\x00\x03"),  # not an accepted type
        ("empty.txt", b""),
    ]:
        with pytest.raises(BusinessRuleError) as exc:
            check(SimpleUploadedFile(name, content))
        assert exc.value.field == "attachments"


def test_report_filed_by_another_app_keeps_its_source(roster: Any) -> None:
    finding = roster.people["in_a1"]  # any record stands for the calling app's record
    incident = services.file_report(
        actor=None,
        agency=roster.agency,
        category="site-safety",
        title="工地圍籬破損",
        unit=roster.units["a1"],
        source=finding,
    )
    assert (incident.source_type, incident.source_id) == ("directory.person", str(finding.pk))
    assert incident.filed_by is None and incident.unit == roster.units["a1"]


def test_undeliverable_notification_escalates_at_once(roster: Any) -> None:
    incident = services.file_report(actor=roster.users["staff_a"], agency=roster.agency, category="theft", title="失竊")
    duty = Notification.objects.get(person=roster.people["duty"])
    Delivery.objects.filter(notification=duty).update(status=Delivery.Status.FAILED)
    assert escalation.sweep()["escalated"] == 1
    assert Escalation.objects.get(notification=duty).rung == 1
    assert incident.timeline.filter(kind="escalated").exists()


def test_substitute_on_duty_is_notified(roster: Any) -> None:
    from anwei.directory.models import DutyShift

    DutyShift.objects.update(primary_unavailable=True)
    rule = RoutingRule.objects.get(category="*", min_severity="")
    rulebook.update_rule(actor=roster.users["admin"], rule_id=rule.pk, recipients=["duty:ethics"])
    incident = services.file_report(actor=roster.users["staff_a"], agency=roster.agency, category="theft", title="失竊")
    people = set(Notification.objects.filter(source_id=str(incident.pk)).values_list("person__name", flat=True))
    assert "ethics-person" in people and "duty-person" not in people


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_escalate_once(roster: Any) -> None:
    services.file_report(actor=roster.users["staff_a"], agency=roster.agency, category="theft", title="失竊")
    later = timezone.now() + timedelta(hours=1)
    results: list[int] = []

    def run() -> None:
        from django.db import connection

        try:
            results.append((escalation.sweep(later) or {"escalated": -1})["escalated"])  # -1: the other held the lock
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    filed = Notification.objects.filter(key__endswith=":filed")
    assert Escalation.objects.filter(notification__in=filed).count() == filed.count()  # each once (unique row)
    assert sum(r for r in results if r > 0) == Escalation.objects.count()  # each claimed by one sweep only
    keys = list(Notification.objects.filter(key__contains=":esc:").values_list("key", "person_id"))
    assert len(keys) == len(set(keys))


MAJOR = ("accident", "casualty", "sabotage", "arson", "explosion", "terror")


def test_major_incidents_reach_the_agency_head_at_any_severity(roster: Any) -> None:
    for code in MAJOR:
        (rule,) = [r for r in RoutingRule.objects.filter(category=code) if "role:agency_head" in r.recipients]
        assert "立即陳報機關首長" in rule.source and "seed" in rule.source
        assert rule.effective_from == date(2014, 1, 1) and rule.active
        incident = services.file_report(
            actor=roster.users["staff_a"], agency=roster.agency, category=code, title=f"{code} 測試", severity="normal"
        )
        assert incident.severity == "normal"
        told = Notification.objects.filter(source_id=str(incident.pk), person=roster.people["head"])
        assert told.count() == 1, code
    theft = services.file_report(actor=roster.users["staff_a"], agency=roster.agency, category="theft", title="失竊")
    assert not Notification.objects.filter(source_id=str(theft.pk), person=roster.people["head"]).exists()


def test_the_major_incident_migration_loads_once_and_unloads() -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("anwei.incidents.migrations.0003_major_incidents_agency_head")
    count = RoutingRule.objects.count()
    migration.load(apps, None)  # run again: nothing twice
    assert RoutingRule.objects.count() == count
    migration.unload(apps, None)
    assert RoutingRule.objects.count() == count - len(MAJOR)
    assert not [r for r in RoutingRule.objects.filter(category__in=MAJOR) if "role:agency_head" in r.recipients]


def test_rule_channels_add_to_the_inbox_email_and_the_recipients_own(roster: Any) -> None:
    from anwei.notifications.models import ContactChannel

    duty = roster.people["duty"]
    duty.mobile = "0912-345-678"
    duty.save()
    ContactChannel.objects.create(person=duty, channel="webhook", address="https://hooks.example/duty", secret="s")
    rule = RoutingRule.objects.get(category="*", min_severity="")
    rulebook.update_rule(actor=roster.users["admin"], rule_id=rule.pk, channels=["sms"])
    incident = services.file_report(actor=roster.users["staff_a"], agency=roster.agency, category="theft", title="失竊")
    told = Notification.objects.get(source_id=str(incident.pk), person=duty)
    channels = sorted(told.deliveries.values_list("channel", flat=True))
    assert channels == ["email", "inapp", "sms", "webhook"]  # the rule's SMS added, nothing replaced
    assert told.deliveries.get(channel="sms").address == "0912345678"
    ethics = Notification.objects.get(source_id=str(incident.pk), person=roster.people["ethics"])
    assert sorted(ethics.deliveries.values_list("channel", flat=True)) == ["email", "inapp"]  # no mobile: no SMS
