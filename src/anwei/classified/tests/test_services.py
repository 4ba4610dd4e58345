"""The register's rules, through the services: the issue's 'Done when' scenarios and the DOMAIN §3 rules."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from anwei.audit.models import AuditEntry
from anwei.classified import (
    alerts,
    auditing,
    custody,
    declassification,
    grants,
    policies,
    rules,
    selectors,
    services,
    storage,
    transfers,
)
from anwei.classified.models import ClassifiedItem, CustodyRequest
from anwei.classified.rules import Level, TransferMethod
from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.notifications.models import Notification

from .factories import SECRET_TITLE, item, soon

pytestmark = pytest.mark.django_db


def test_two_copies_approved_listed_on_original_and_late_return_alerts_custodian(world: Any) -> None:
    original = item(world)
    staff_b = world.users["staff_b"]
    grants.grant_need_to_know(actor=world.users["staff_a"], item=original, user=staff_b, reason="會辦財政處")
    req = custody.request(actor=staff_b, item=original, kind="photocopy", purpose="會辦", copies=2, due_back=soon())
    with pytest.raises(NotAllowed):  # never one's own request
        custody.decide(actor=staff_b, req=req, approve=True)
    made = custody.decide(actor=world.users["supervisor_a"], req=req, approve=True)
    assert [c.copy_number for c in made] == [1, 2]
    assert [c.copy_number for c in selectors.copies_of(original)] == [1, 2]
    assert all(c.level == original.level and c.protection_until == original.protection_until for c in made)
    assert made[0].copy_mark == "複製物 第1號"
    assert made[0].custodian == staff_b and made[0].status == ClassifiedItem.Status.ON_LOAN

    # copy 2 comes back on time; copy 1 is late: the check alerts the custodian and the ethics office, once
    custody.return_copy(actor=world.users["staff_a"], copy=made[1])
    late = req.due_back + timedelta(hours=1)
    assert alerts.alert_overdue_returns(now=late) == 2
    assert alerts.alert_overdue_returns(now=late) == 0
    told = set(
        Notification.objects.filter(key=f"classified-overdue-copy-{made[0].pk}").values_list("person", flat=True)
    )
    assert told == {world.people["staff_a"].pk, world.people["ethics"].pk}
    assert SECRET_TITLE not in "".join(
        Notification.objects.values_list("subject", "body").get(person=world.people["ethics"])
    )
    custody.return_copy(actor=world.users["staff_a"], copy=made[0])
    req.refresh_from_db()
    assert req.status == CustodyRequest.Status.RETURNED


def test_top_secret_copy_refused_with_legal_reason(world: Any) -> None:
    top = item(world, level=Level.TOP_SECRET, protection_until=date(2050, 1, 1))
    for kind in ("copy", "photocopy", "fax"):
        with pytest.raises(BusinessRuleError) as exc:
            custody.request(actor=world.users["staff_a"], item=top, kind=kind, purpose="x", copies=1, due_back=soon())
        assert "國家機密保護法第15條第3項" in str(exc.value.message)
        assert exc.value.code == "copy_forbidden"
    # taking it out is not copying: allowed with approval
    req = custody.request(actor=world.users["staff_a"], item=top, kind="take_out", purpose="開會", due_back=soon(2))
    custody.decide(actor=world.users["supervisor_a"], req=req, approve=True)
    top.refresh_from_db()
    assert top.status == ClassifiedItem.Status.ON_LOAN
    assert alerts.alert_overdue_returns(now=timezone.now() + timedelta(hours=3)) == 2
    custody.return_take_out(actor=world.users["staff_a"], req=req)
    top.refresh_from_db()
    assert top.status == ClassifiedItem.Status.IN_CUSTODY


def test_approver_must_be_supervisor_of_owning_unit(world: Any) -> None:
    original = item(world)
    req = custody.request(actor=world.users["staff_a"], item=original, kind="fax", purpose="函送")
    for persona in ("staff_b", "ethics", "auditor", "staff_a"):
        with pytest.raises((NotAllowed, BusinessRuleError)):
            custody.decide(actor=world.users[persona], req=req, approve=True)
    copies = custody.decide(actor=world.users["head"], req=req, approve=True)
    assert len(copies) == 1 and copies[0].due_back is None


def test_request_needs_need_to_know(world: Any) -> None:
    original = item(world)
    with pytest.raises(NotAllowed):
        custody.request(actor=world.users["supervisor_a"], item=original, kind="take_out", purpose="x", due_back=soon())


@pytest.mark.parametrize(
    ("level", "years", "ok"),
    [
        (Level.TOP_SECRET, 30, True),
        (Level.TOP_SECRET, 31, False),
        (Level.SECRET, 20, True),
        (Level.SECRET, 21, False),
        (Level.CONFIDENTIAL, 10, True),
        (Level.CONFIDENTIAL, 11, False),
        (Level.RESTRICTED, 40, True),
    ],
)
def test_protection_period_maximum(world: Any, level: str, years: int, ok: bool) -> None:
    until = date(2026 + years, 1, 5)  # `years` after the classification on 2026-01-05, written out
    if ok:
        assert item(world, level=level, protection_until=until).protection_until == until
    else:
        with pytest.raises(BusinessRuleError) as exc:
            item(world, level=level, protection_until=until)
        assert exc.value.field == "protection_until"
        assert "第11條" in str(exc.value.message)


def test_condition_falls_due_at_the_maximum(world: Any) -> None:
    it = item(world, protection_until=None, declassification_condition="工程決標後")
    assert services.protection_ends(it) == date(2036, 1, 5)
    with pytest.raises(BusinessRuleError):
        item(world, reference_no="X-1", protection_until=None, declassification_condition="")


def test_rules_are_dated() -> None:
    assert rules.rules_on(date(2014, 1, 21)).level(Level.SECRET).max_years == 20
    assert rules.rules_on(date(1999, 1, 1)) is rules.RULE_SETS[0]
    assert "第11條" in rules.rules_on(date(2026, 1, 1)).citations["max_period"]


def test_combining_takes_highest_level(world: Any) -> None:
    a = item(world, level=Level.RESTRICTED, protection_until=date(2027, 1, 1))
    b = item(world, level=Level.SECRET, protection_until=date(2040, 1, 1))
    combined = services.combine_items(
        actor=world.users["staff_a"],
        parts=[a, b],
        unit=world.units["a"],
        title="合併卷",
        classified_on=date(2026, 2, 1),
        classifying_authority="測試縣長",
        custodian=world.users["staff_a"],
        storage_location="建設處機密櫃 1",
        protection_until=date(2040, 1, 1),
    )
    assert combined.level == Level.SECRET
    assert set(combined.combined_from.all()) == {a, b}


def test_proposed_classification_reminder_and_decision(world: Any) -> None:
    proposed = item(world, proposed=True, classified_on=timezone.localdate() - timedelta(days=25))
    assert proposed.decision_due == proposed.classified_on + timedelta(days=30)
    assert alerts.remind_undecided() >= 2  # supervisor_a, head (deciders) and the custodian
    told = set(
        Notification.objects.filter(key=f"classified-decide-soon-{proposed.pk}").values_list("person", flat=True)
    )
    assert {world.people["supervisor_a"].pk, world.people["head"].pk, world.people["staff_a"].pk} <= told
    assert world.people["staff_b"].pk not in told
    with pytest.raises(NotAllowed):
        services.decide_classification(actor=world.users["staff_a"], item=proposed)
    services.decide_classification(actor=world.users["supervisor_a"], item=proposed)
    proposed.refresh_from_db()
    assert not proposed.proposed and proposed.decided_by == world.users["supervisor_a"]


def test_sealed_envelope_transfer_sent_and_received(world: Any) -> None:
    it = item(world)
    staff_a, staff_b = world.users["staff_a"], world.users["staff_b"]
    with pytest.raises(BusinessRuleError) as exc:
        transfers.start_transfer(
            actor=staff_a,
            item=it,
            method=TransferMethod.DOUBLE_ENVELOPE_REGISTERED,
            expected_by=soon(),
            to_user=staff_b,
        )
    assert exc.value.field == "method"
    transfer = transfers.start_transfer(
        actor=staff_a, item=it, method=TransferMethod.SEALED_ENVELOPE, expected_by=soon(4), to_user=staff_b
    )
    with pytest.raises(BusinessRuleError):
        transfers.confirm_received(actor=staff_b, transfer=transfer)  # not sent yet
    with pytest.raises(NotAllowed):
        transfers.confirm_sent(actor=staff_b, transfer=transfer)
    transfers.confirm_sent(actor=staff_a, transfer=transfer)
    it.refresh_from_db()
    assert it.status == ClassifiedItem.Status.IN_TRANSIT
    transfers.confirm_received(actor=staff_b, transfer=transfer)
    transfer.refresh_from_db()
    it.refresh_from_db()
    assert transfer.sent_at and transfer.received_at and transfer.received_by == staff_b
    assert it.custodian == staff_b and it.status == ClassifiedItem.Status.IN_CUSTODY
    assert policies.items.can_read(staff_b, it)


def test_top_secret_must_be_hand_carried_and_late_transfer_alerts(world: Any) -> None:
    top = item(world, level=Level.TOP_SECRET, protection_until=date(2040, 1, 1))
    staff_b = world.users["staff_b"]
    with pytest.raises(BusinessRuleError):
        transfers.start_transfer(
            actor=world.users["staff_a"],
            item=top,
            method=TransferMethod.SEALED_ENVELOPE,
            expected_by=soon(),
            to_user=staff_b,
        )
    transfer = transfers.start_transfer(
        actor=world.users["staff_a"], item=top, method=TransferMethod.HAND_CARRIED, expected_by=soon(1), to_user=staff_b
    )
    assert alerts.alert_unconfirmed_transfers(now=timezone.now()) == 0
    assert alerts.alert_unconfirmed_transfers(now=transfer.expected_by + timedelta(minutes=1)) == 3


def test_declassify_notifies_copy_holders_then_destruction(world: Any) -> None:
    original = item(world)
    req = custody.request(
        actor=world.users["staff_a"], item=original, kind="copy", purpose="x", copies=1, due_back=soon()
    )
    (copy,) = custody.decide(actor=world.users["supervisor_a"], req=req, approve=True)
    with pytest.raises(BusinessRuleError):  # originals only after declassification
        declassification.destroy(actor=world.users["supervisor_a"], item=original, method="碎紙", reason="逾期")
    record = declassification.destroy(actor=world.users["supervisor_a"], item=copy, method="碎紙", reason="無需使用")
    assert record.original == original
    req2 = custody.request(
        actor=world.users["staff_a"], item=original, kind="copy", purpose="y", copies=1, due_back=soon()
    )
    (copy2,) = custody.decide(actor=world.users["supervisor_a"], req=req2, approve=True)
    assert copy2.copy_number == 2
    custody.return_copy(actor=world.users["staff_a"], copy=copy2)
    change = declassification.change_level(
        actor=world.users["supervisor_a"],
        item=original,
        reason="工程完工",
        authority="測試縣長",
        to_level=Level.RESTRICTED,
    )
    copy2.refresh_from_db()
    assert copy2.level == Level.RESTRICTED
    assert Notification.objects.filter(key=f"classified-level-change-{change.pk}").exists()
    declassification.change_level(
        actor=world.users["supervisor_a"], item=original, reason="解密", authority="測試縣長", declassify=True
    )
    declassification.destroy(
        actor=world.users["ethics"], item=original, method="碎紙", reason="解密後銷毀", witness="政風處"
    )
    original.refresh_from_db()
    assert original.status == ClassifiedItem.Status.DESTROYED


def test_need_to_know_listing_and_search(world: Any) -> None:
    it = item(world)
    sup = world.users["supervisor_a"]
    assert it in selectors.register(sup)  # register access: sees the reference
    assert list(selectors.register(sup, q="反滲透")) == []  # but a title search finds nothing
    assert list(selectors.register(sup, q=it.reference_no)) == [it]
    (row,) = selectors.rows(sup, [it])
    assert row.title is None
    assert list(selectors.register(world.users["staff_a"], q="反滲透")) == [it]
    assert list(selectors.register(world.users["staff_b"])) == []  # no scope over unit A, no grant
    grants.grant_need_to_know(actor=sup, item=it, user=world.users["staff_b"], reason="書面授權")
    assert list(selectors.register(world.users["staff_b"], q="反滲透")) == [it]
    with pytest.raises(NotAllowed):
        grants.grant_need_to_know(actor=world.users["staff_b"], item=it, user=world.users["auditor"], reason="x")


def test_audit_never_names_the_title(world: Any) -> None:
    it = item(world)
    auditing.record_view(actor=world.users["supervisor_a"], item=it)
    entries = AuditEntry.objects.filter(object_type="classified.classifieditem")
    assert entries.filter(action="view").exists()
    assert not any(SECRET_TITLE in e.object_repr or SECRET_TITLE in str(e.changes) for e in entries)


def test_periodic_task_raises_the_overdue_alert(world: Any) -> None:
    from anwei.classified import tasks

    original = item(world)
    req = custody.request(
        actor=world.users["staff_a"], item=original, kind="copy", purpose="x", copies=1, due_back=soon()
    )
    custody.decide(actor=world.users["supervisor_a"], req=req, approve=True)
    assert tasks.check_custody.call() == 0
    ClassifiedItem.objects.filter(original=original).update(due_back=timezone.now() - timedelta(minutes=5))
    assert tasks.check_custody.call() == 2


def test_ended_protection_reminds_custodian_and_ethics(world: Any) -> None:
    it = item(world, classified_on=date(2010, 1, 4), protection_until=None, declassification_condition="計畫結束")
    item(world, protection_until=date(2030, 1, 1))  # still protected: no reminder
    assert alerts.remind_protection_ended(now=timezone.now()) == 2  # condition deemed met on 2020-01-04
    told = set(Notification.objects.filter(key=f"classified-protection-ended-{it.pk}").values_list("person", flat=True))
    assert told == {world.people["staff_a"].pk, world.people["ethics"].pk}


def test_custodian_records_storage_location(world: Any) -> None:
    it = item(world)
    with pytest.raises(NotAllowed):
        storage.move(actor=world.users["supervisor_a"], item=it, storage_location="別處")
    storage.move(actor=world.users["staff_a"], item=it, storage_location="建設處保密櫃 2")
    it.refresh_from_db()
    assert it.storage_location == "建設處保密櫃 2"


def test_late_proposed_classification_is_reminded_once_after_the_deadline(world: Any) -> None:
    ruleset = rules.rules_on(timezone.localdate())
    late = item(world, proposed=True, classified_on=timezone.localdate() - timedelta(days=ruleset.decision_days + 1))
    early = item(world, proposed=True, classified_on=timezone.localdate() - timedelta(days=1))
    assert late.decision_due is not None and late.decision_due < timezone.localdate()
    assert alerts.remind_undecided() >= 3
    told = set(Notification.objects.filter(key=f"classified-decide-late-{late.pk}").values_list("person", flat=True))
    assert told == {world.people[p].pk for p in ("supervisor_a", "head", "staff_a")}
    assert not Notification.objects.filter(key=f"classified-decide-soon-{late.pk}").exists()
    assert not Notification.objects.filter(key__endswith=f"-{early.pk}", key__startswith="classified-decide").exists()
    subject = Notification.objects.filter(key=f"classified-decide-late-{late.pk}").first()
    assert subject is not None and late.reference_no in subject.subject and SECRET_TITLE not in subject.subject
    assert "第6條" in subject.subject
    assert alerts.remind_undecided() == 0  # once


def test_level_change_notifies_the_holder_of_a_copy_still_out(world: Any) -> None:
    original = item(world)
    staff_b = world.users["staff_b"]
    grants.grant_need_to_know(actor=world.users["staff_a"], item=original, user=staff_b, reason="會辦")
    req = custody.request(actor=staff_b, item=original, kind="photocopy", purpose="會辦", copies=1, due_back=soon())
    (copy,) = custody.decide(actor=world.users["supervisor_a"], req=req, approve=True)
    assert copy.custodian == staff_b and copy.status == ClassifiedItem.Status.ON_LOAN
    change = declassification.change_level(
        actor=world.users["supervisor_a"], item=original, reason="調降", authority="縣長", to_level=Level.RESTRICTED
    )
    note = Notification.objects.get(key=f"classified-level-change-{change.pk}", person=world.people["staff_b"])
    assert original.reference_no in note.subject and "密" in note.subject and SECRET_TITLE not in note.subject
    copy.refresh_from_db()
    assert copy.level == Level.RESTRICTED and copy.status == ClassifiedItem.Status.ON_LOAN


def test_the_proposed_label_takes_its_days_from_the_rule_set(monkeypatch: Any) -> None:
    from dataclasses import replace

    from anwei.classified.forms import ItemForm
    from anwei.classified.models import ClassifiedItem as Item
    from anwei.directory.models import Unit

    changed = replace(rules.RULE_SETS[0], effective_from=timezone.localdate() - timedelta(days=1), decision_days=45)
    monkeypatch.setattr(rules, "RULE_SETS", [*rules.RULE_SETS, changed])
    form = ItemForm(units=Unit.objects.none(), users=Item.objects.none())
    assert "45" in str(form.fields["proposed"].label) and "30" not in str(form.fields["proposed"].label)
    monkeypatch.setattr(rules, "RULE_SETS", rules.RULE_SETS[:1])
    assert "30" in str(ItemForm(units=Unit.objects.none(), users=Item.objects.none()).fields["proposed"].label)
