"""Separation of duties on corrective actions: an inspector who is also staff of the inspected unit answers its
action but may not verify or close it (service, page and API refuse; the page hides the buttons); the to-do lists
hold the action for the unit to answer, then for the other inspector to verify — never for its own answerer."""

from datetime import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.personas import World

from anwei.core.errors import BusinessRuleError
from anwei.inspections import corrective, services
from anwei.inspections.models import ChecklistTemplate, CorrectiveAction
from anwei.inspections.todo import items as todo_items

pytestmark = pytest.mark.django_db


def _action(world: World, setup: dict[str, Any]) -> CorrectiveAction:
    """A round over unit A whose inspectors are the plain inspector and staff_a (staff of A); one failed item."""
    today = timezone.localdate()
    round_ = services.create_round(
        actor=world.users["ethics"],
        plan=setup["plan"],
        unit=world.units["ethics"],
        template=ChecklistTemplate.objects.get(code="school-computer"),
        title="資訊機密維護檢查",
        starts_on=today,
        ends_on=today,
        inspectors=[setup["inspector"], world.users["staff_a"]],
        targets=[world.units["a"]],
    )
    inspection = round_.inspections.get()
    answers = {i.pk: {"choice": "yes", "number": "1"} for i in round_.version.items.all()}
    first = round_.version.items.order_by("order").first()
    assert first is not None
    answers[first.pk] = {"choice": "no", "note": "密碼貼於螢幕"}
    services.save_answers(actor=setup["inspector"], inspection=inspection, answers=answers)
    services.submit_inspection(actor=setup["inspector"], inspection=inspection)
    return CorrectiveAction.objects.get(finding__inspection=inspection)


def _kinds(user: Any) -> list[tuple[str, str]]:
    return [(i.kind, i.url) for i in todo_items(user, datetime.now().astimezone())]


def test_inspector_who_is_the_units_staff_cannot_verify_his_own_action(world: World, setup: dict[str, Any]) -> None:
    staff, inspector = world.users["staff_a"], setup["inspector"]
    action = _action(world, setup)
    url = f"/inspections/actions/{action.pk}/"
    # open: the unit's staff has it to answer; the inspectors have nothing yet
    assert _kinds(staff) == [("corrective_action", url)]
    assert _kinds(inspector) == []
    corrective.answer_action(actor=staff, action=action, response="已撤除便條並重設密碼")

    with pytest.raises(BusinessRuleError) as refused:
        corrective.verify_action(actor=staff, action=action, accept=True)
    assert refused.value.code == "own_action"
    action.refresh_from_db()
    assert action.status == CorrectiveAction.Status.ANSWERED

    # the page hides the buttons, says why, and refuses a forged post in zh-Hant
    c = Client()
    c.force_login(staff)
    page = c.get(url).content.decode()
    assert "複查通過，結案" not in page and "退回單位" not in page
    assert "須由其他檢查人員或政風機構驗證及結案" in page
    response = c.post(f"{url}verify/", {"decision": "close", "note": ""})
    assert response.status_code == 422
    assert "須由其他檢查人員或政風機構驗證及結案" in response.content.decode()
    action.refresh_from_db()
    assert action.status == CorrectiveAction.Status.ANSWERED

    # the API refuses it too
    api = c.post(f"/api/v1/inspections/actions/{action.pk}/verify", {"accept": True}, content_type="application/json")
    assert api.status_code in (400, 409, 422)
    action.refresh_from_db()
    assert action.status == CorrectiveAction.Status.ANSWERED

    # waiting for the other inspector (and the ethics office), never for the answerer
    assert _kinds(staff) == []
    assert _kinds(inspector) == [("corrective_action", url)]
    assert ("corrective_action", url) in _kinds(world.users["ethics"])
    corrective.verify_action(actor=inspector, action=action, accept=True, note="複查確認")
    action.refresh_from_db()
    assert action.status == CorrectiveAction.Status.CLOSED
    assert _kinds(inspector) == [] and _kinds(staff) == []
