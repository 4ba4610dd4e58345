"""Demo data attaches to the plan; reminders before the due date, when overdue, then to the supervisor; the
six-monthly cadence."""

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from tests.personas import World

from anwei.accounts.roles import Role
from anwei.audit.models import AuditEntry
from anwei.core.errors import BusinessRuleError
from anwei.directory import demo as directory_demo
from anwei.inspections import cadence, corrective, demo, selectors, services
from anwei.inspections.models import ChecklistTemplate, CorrectiveAction, Round
from anwei.notifications.models import Notification
from anwei.plans.models import Plan

from .test_flow import school_round

pytestmark = pytest.mark.django_db


def test_demo_without_a_plan_installs_checklists_only() -> None:
    ctx = directory_demo.start()
    demo.load(ctx)
    assert ChecklistTemplate.objects.count() == 6
    assert not Round.objects.exists()


def test_demo_attaches_rounds_to_the_active_plan() -> None:
    ctx = directory_demo.start()
    now = timezone.now()
    plan = Plan.objects.create(
        agency=ctx.agency,
        owning_unit=ctx.units["ethics"],
        title="春安",
        period_start=now - timedelta(days=1),
        period_end=now + timedelta(days=24),
        status=Plan.Status.APPROVED,
    )
    demo.load(ctx)
    school_round = Round.objects.get(version__template__code="school-computer")
    assert school_round.plan == plan
    assert selectors.summary(school_round).done == 1
    assert CorrectiveAction.objects.filter(unit=ctx.units["school_1"]).exists()


def _overdue_action(world: World, setup: dict[str, Any]) -> CorrectiveAction:
    round_ = school_round(world, setup)
    services.add_targets(actor=world.users["ethics"], round_=round_, units=[world.units["a1"]])
    inspection = round_.inspections.get()
    answers = {i.pk: {"choice": "yes", "number": "3"} for i in round_.version.items.all()}
    first = round_.version.items.order_by("order").first()
    assert first is not None
    answers[first.pk] = {"choice": "no"}
    services.save_answers(actor=setup["inspector"], inspection=inspection, answers=answers)
    services.submit_inspection(actor=setup["inspector"], inspection=inspection)
    return CorrectiveAction.objects.get()


def test_reminders_unit_first_then_supervisor(world: World, setup: dict[str, Any]) -> None:
    action = _overdue_action(world, setup)
    unit_person, supervisor = world.people["in_a1"], world.people["supervisor_a"]
    today = timezone.localdate()
    Notification.objects.all().delete()
    # due tomorrow: the unit is reminded once
    CorrectiveAction.objects.filter(pk=action.pk).update(due_on=today + timedelta(days=1))
    assert corrective.send_reminders() == 1
    assert corrective.send_reminders() == 0
    assert Notification.objects.get().person == unit_person
    # overdue by one day: the unit again, not yet the supervisor
    CorrectiveAction.objects.filter(pk=action.pk).update(due_on=today - timedelta(days=1))
    corrective.send_reminders()
    assert not Notification.objects.filter(person=supervisor).exists()
    # overdue by three days: the supervisor hears
    CorrectiveAction.objects.filter(pk=action.pk).update(due_on=today - timedelta(days=3))
    corrective.send_reminders()
    assert Notification.objects.filter(person=supervisor, key__contains="escalated").exists()
    assert AuditEntry.objects.filter(object_type="inspections.correctiveaction", actor_label="reminders").exists()
    # closed actions are left alone
    CorrectiveAction.objects.filter(pk=action.pk).update(status="closed")
    assert corrective.send_reminders() == 0


def test_sent_back_action_reopens(world: World, setup: dict[str, Any]) -> None:
    action = _overdue_action(world, setup)
    corrective.answer_action(actor=world.users["supervisor_a"], action=action, response="已處理")
    with pytest.raises(BusinessRuleError, match="sent back"):
        corrective.verify_action(actor=setup["inspector"], action=action, accept=False)
    corrective.verify_action(actor=setup["inspector"], action=action, accept=False, note="仍未改善")
    action.refresh_from_db()
    assert (action.status, action.times_returned) == ("open", 1)


def test_cadence_six_months(world: World, setup: dict[str, Any]) -> None:
    from anwei.accounts import services as accounts

    rows = {r.unit.pk: r for r in selectors.cadence(world.users["ethics"])}
    assert rows[world.units["a"].pk].next_due is None and rows[world.units["a"].pk].overdue
    assert world.units["a1"].pk not in rows  # departments only
    today = timezone.localdate()
    round_ = services.create_round(
        actor=world.users["ethics"],
        plan=setup["plan"],
        unit=world.units["ethics"],
        template=ChecklistTemplate.objects.get(code="confidentiality"),
        title="公務機密維護檢查",
        starts_on=today,
        ends_on=today,
        inspectors=[setup["inspector"]],
        targets=[world.units["a"]],
    )
    inspection = round_.inspections.get()
    answers = {i.pk: {"choice": "yes", "number": "5"} for i in round_.version.items.all()}
    services.save_answers(actor=setup["inspector"], inspection=inspection, answers=answers)
    services.submit_inspection(actor=setup["inspector"], inspection=inspection)
    # moved to a fixed day so the expected date is written out: 2026-08-31 + six months = 2027-02-28 (no 31 Feb)
    done = timezone.make_aware(datetime(2026, 8, 31, 10))
    type(inspection).objects.filter(pk=inspection.pk).update(submitted_at=done)
    rows = {r.unit.pk: r for r in selectors.cadence(world.users["ethics"], today=date(2026, 12, 6))}
    assert rows[world.units["a"].pk].next_due == date(2027, 2, 28)
    assert not rows[world.units["a"].pk].overdue
    rows = {r.unit.pk: r for r in selectors.cadence(world.users["ethics"], today=date(2027, 3, 1))}
    assert rows[world.units["a"].pk].overdue
    # B was never inspected: the ethics officer is reminded, once
    accounts.assign_role(actor=None, user=world.users["ethics"], role=Role.ETHICS_OFFICER, unit=world.units["b"])
    assert cadence.remind_due() >= 1
    assert cadence.remind_due() == 0
    assert Notification.objects.filter(person=world.people["ethics"], key__startswith="inspections-cadence").exists()


def test_leak_flag_is_audited_and_needs_the_inspector(world: World, setup: dict[str, Any]) -> None:
    from anwei.core.errors import NotAllowed

    action = _overdue_action(world, setup)
    finding = action.finding
    with pytest.raises(NotAllowed):
        corrective.set_leak_suspected(actor=world.users["supervisor_a"], finding=finding, suspected=True)
    corrective.set_leak_suspected(actor=setup["inspector"], finding=finding, suspected=True)
    finding.refresh_from_db()
    assert finding.suggests_leak and finding.leak_report_id is None  # this inspector holds no role to file reports
    corrective.set_leak_suspected(actor=world.users["ethics"], finding=finding, suspected=True)
    finding.refresh_from_db()
    # the ethics office may file for the unit: a `leak` incident is opened, linked to the finding
    from anwei.incidents.models import Incident

    assert corrective.leak_reports_available() and finding.leak_report_id is not None
    incident = Incident.objects.get(pk=finding.leak_report_id)
    assert incident.category == "leak" and incident.unit == finding.unit
    assert (incident.source_type, incident.source_id) == ("inspections.finding", str(finding.pk))
    assert AuditEntry.objects.filter(object_type="inspections.finding", action="update").exists()
