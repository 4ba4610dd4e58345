"""Units given a task are told, open it, answer and mark it done on the task page; the handler sees it. A unit
with no account holder is served through the supervisor above it, else the ethics office as its proxy — never
silently nobody (issue 14, 'everyone who must act')."""

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from anwei.directory import services as directory
from anwei.directory.models import Person, Unit
from anwei.incidents import services, todo_tasks
from anwei.incidents.models import IncidentTask, TimelineEntry
from anwei.notifications.models import Notification

pytestmark = pytest.mark.django_db

RESTRICTED_TITLE = "機密公文外流-交辦測試"


def _told(task: IncidentTask) -> set[int]:
    key = f"incident:{task.incident_id}:task:{task.pk}"
    return set(Notification.objects.filter(key=key).values_list("person_id", flat=True))


def test_the_unit_is_told_and_its_staff_answer_and_finish_the_task_on_its_page(world: Any, client_for: Any) -> None:
    report = services.file_report(
        actor=world.users["ethics"], agency=world.agency, category="theft", title="辦公室遭竊", unit=world.units["a"]
    )
    task = services.assign_task(
        actor=world.users["ethics"], incident_id=report.pk, unit=world.units["b"], title="清查財產帳冊"
    )
    assert _told(task) == {world.people["staff_b"].pk}  # 財政處's own account holder
    notification = Notification.objects.get(key=f"incident:{report.pk}:task:{task.pk}")
    assert notification.url == f"/incidents/tasks/{task.pk}/"

    staff = client_for("staff_b")
    page = staff.get(notification.url)
    assert page.status_code == 200
    assert "清查財產帳冊" in page.content.decode()
    done = staff.post(notification.url, {"answer": "帳冊已清查，無短少", "done": "on"})
    assert done.status_code == 302

    task.refresh_from_db()
    assert task.answer == "帳冊已清查，無短少"
    assert task.answered_by == world.users["staff_b"] and task.done_by == world.users["staff_b"]
    assert task.done_at is not None
    kinds = list(report.timeline.values_list("kind", "text"))
    assert (TimelineEntry.Kind.TASK_DONE, "清查財產帳冊") in kinds
    assert any("帳冊已清查，無短少" in text for kind, text in kinds if kind == TimelineEntry.Kind.NOTE)

    handler_page = client_for("ethics").get(reverse("incidents:detail", args=[report.pk])).content.decode()
    assert "帳冊已清查，無短少" in handler_page
    assert "已完成" in handler_page  # zh-Hant: the badge "done"

    # another unit's staff may neither open nor finish it
    assert client_for("staff_a").get(notification.url).status_code == 404


def test_the_unit_sees_the_task_of_a_restricted_report_but_not_the_report(world: Any, client_for: Any) -> None:
    report = services.file_report(
        actor=world.users["ethics"], agency=world.agency, category="leak", title=RESTRICTED_TITLE
    )
    task = services.assign_task(
        actor=world.users["ethics"], incident_id=report.pk, unit=world.units["b"], title="調閱門禁紀錄"
    )
    page = client_for("staff_b").get(f"/incidents/tasks/{task.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "調閱門禁紀錄" in body and report.reference in body
    assert RESTRICTED_TITLE not in body
    assert client_for("staff_b").get(f"/incidents/{report.pk}/").status_code == 404  # the report stays need-to-know
    subject = Notification.objects.get(key=f"incident:{report.pk}:task:{task.pk}").subject
    assert RESTRICTED_TITLE not in subject


def test_a_unit_with_no_account_holder_is_served_by_the_supervisor_above_it(world: Any) -> None:
    # 工務科 (A1, under 建設處 A) has a person but nobody with an account: 建設處's supervisor is told
    report = services.file_report(actor=world.users["ethics"], agency=world.agency, category="theft", title="工地失竊")
    task = services.assign_task(
        actor=world.users["ethics"], incident_id=report.pk, unit=world.units["a1"], title="清點材料"
    )
    assert task.served_via == "supervisor"
    assert _told(task) == {world.people["supervisor_a"].pk}


def test_the_fraud_press_release_for_a_unit_without_accounts_goes_to_the_ethics_office_as_proxy(
    world: Any, client_for: Any
) -> None:
    secretariat = directory.create_unit(
        actor=None, agency=world.agency, name="秘書處", parent=world.units["root"], code="pr"
    )
    Person.objects.create(agency=world.agency, unit=secretariat, name="鄭專員", title="公關專員")  # no account
    report = services.file_report(
        actor=world.users["staff_a"], agency=world.agency, category="fraud-impersonation", title="假冒財政處來電"
    )
    task = report.tasks.get()
    assert task.unit == secretariat
    assert task.served_via == "proxy"
    assert _told(task) == {world.people["ethics"].pk}  # the ethics office, the unit's proxy
    notification = Notification.objects.get(key=f"incident:{report.pk}:task:{task.pk}")
    assert "由政風室代轉" in notification.subject and "秘書處" in notification.subject
    assigned = report.timeline.get(kind=TimelineEntry.Kind.TASK).text
    assert "秘書處" in assigned and "由政風室代轉" in assigned  # the handler sees who carries it

    ethics = client_for("ethics")
    page = ethics.get(notification.url).content.decode()
    assert "由政風室代轉" in page
    # on the ethics officer's to-do list (incidents/todo.py wires todo_tasks in), and nobody else's
    assert [(i.kind, i.url, i.due_at) for i in todo_tasks.items(world.users["ethics"], timezone.now())] == [
        ("task", f"/incidents/tasks/{task.pk}/", report.aware_at + timedelta(hours=24))
    ]
    for persona in ("staff_a", "staff_b", "supervisor_a", "head", "duty"):
        assert list(todo_tasks.items(world.users[persona], timezone.now())) == []
    assert ethics.post(notification.url, {"answer": "已轉知秘書處，新聞稿已發布", "done": "on"}).status_code == 302
    task.refresh_from_db()
    assert task.done_at is not None and task.answer == "已轉知秘書處，新聞稿已發布"
    assert list(todo_tasks.items(world.users["ethics"], timezone.now())) == []


def test_who_serves_a_unit(world: Any) -> None:
    from anwei.accounts.selectors import Via, who_serves

    lone = directory.create_unit(actor=None, agency=world.agency, name="無人單位", parent=world.units["root"])
    assert who_serves(world.units["b"]).via == Via.UNIT
    assert {u.username for u in who_serves(world.units["b"]).users} == {"staff_b"}
    assert who_serves(world.units["a1"]).via == Via.SUPERVISOR
    assert {u.username for u in who_serves(world.units["a1"]).users} == {"supervisor_a"}
    served = who_serves(lone)
    assert served.via == Via.PROXY
    assert {u.username for u in served.users} == {"ethics"}
    assert Unit.objects.filter(pk=lone.pk).exists()


def test_the_unit_answers_through_the_api_with_the_same_checks(world: Any, client_for: Any) -> None:
    report = services.file_report(
        actor=world.users["ethics"], agency=world.agency, category="theft", title="公務車失竊"
    )
    task = services.assign_task(
        actor=world.users["ethics"], incident_id=report.pk, unit=world.units["b"], title="調閱車籍"
    )
    url = f"/api/v1/incidents/tasks/{task.pk}/answer"
    assert client_for("staff_a").post(url, {"answer": "x"}, content_type="application/json").status_code == 404
    staff = client_for("staff_b")
    empty = staff.post(url, {"answer": " "}, content_type="application/json")
    assert empty.status_code == 422 and "answer" in empty.json()["error"]["fields"]
    answered = staff.post(url, {"answer": "車籍已調閱", "done": True}, content_type="application/json")
    assert answered.status_code == 200
    body = answered.json()
    assert body["answer"] == "車籍已調閱" and body["done_at"] is not None and body["reference"] == report.reference
    assert "公務車失竊" not in answered.content.decode()  # the task, not the report
