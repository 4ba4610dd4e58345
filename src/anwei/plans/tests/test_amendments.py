"""Every change to an approved plan is a version with its reason, who and when — units, due dates, recurrence,
contacts and removed tasks included — and the amendment history shows who changed what."""

from datetime import datetime

import pytest
from django.utils import translation

from anwei.audit.models import AuditEntry
from anwei.core.errors import BusinessRuleError
from anwei.core.rocdate import TAIPEI
from anwei.plans import services, versions
from anwei.plans.models import Plan, PlanContact, Task

from .factories import make_plan


def _rows(plan: Plan, left: int, right: int) -> dict[str, tuple[str, str]]:
    contents = {v.number: v.content for v in plan.versions.all()}
    with translation.override("en"):
        return {r.key: (r.left, r.right) for r in versions.compare(contents[left], contents[right]) if r.changed}


def test_units_and_schedule_of_an_approved_plan_change_only_as_versions(world):
    plan = make_plan(world, approve=True)
    task = world.records["task_b"]
    ethics = world.users["ethics"]
    with pytest.raises(BusinessRuleError):
        services.set_task_units(actor=ethics, task=task, responsible_units=[world.units["a1"]])
    assert list(task.responsible_units.all()) == [world.units["b"]]
    services.set_task_units(
        actor=ethics,
        task=task,
        responsible_units=[world.units["a1"]],
        cooperating_units=[world.units["b"]],
        reason="改由工務科主辦",
    )
    services.schedule_task(
        actor=ethics, task=task, due_at=datetime(2014, 1, 30, 17, tzinfo=TAIPEI), recurrence="daily", reason="每日查緝"
    )
    with pytest.raises(BusinessRuleError):  # the same again changes nothing: no empty version
        services.schedule_task(
            actor=ethics, task=task, due_at=datetime(2014, 1, 30, 17, tzinfo=TAIPEI), recurrence="daily", reason="再"
        )
    plan.refresh_from_db()
    assert plan.version == 3
    v2, v3 = plan.versions.get(number=2), plan.versions.get(number=3)
    assert (v2.reason, v2.created_by, v3.reason) == ("改由工務科主辦", ethics, "每日查緝")
    stored = next(t for t in v2.content["tasks"] if t["id"] == task.pk)
    assert stored["responsible"] == ["工務科"] and stored["cooperating"] == ["財政處"]
    changed = _rows(plan, 1, 3)
    assert changed[f"task-{task.pk}-units"] == (
        "responsible: 財政處",
        "responsible: 工務科；cooperating (協請): 財政處",
    )
    assert changed[f"task-{task.pk}-schedule"] == ("", "due 2014-01-30 17:00；daily during the period")
    assert set(changed) == {f"task-{task.pk}-units", f"task-{task.pk}-schedule"}
    amends = AuditEntry.objects.filter(action="amend", object_id=str(plan.pk)).order_by("seq")
    assert [e.changes for e in amends] == [
        {"version": 2, "reason": "改由工務科主辦"},
        {"version": 3, "reason": "每日查緝"},
    ]


def test_a_draft_changes_without_versions_and_a_closed_plan_not_at_all(world):
    plan = make_plan(world)
    task = world.records["task_a"]
    services.schedule_task(actor=None, task=task, due_at=None, recurrence="weekly")
    assert not plan.versions.exists()
    plan = services.approve_plan(actor=world.users["head"], plan=plan)
    plan = services.close_plan(actor=world.users["ethics"], plan=plan)
    with pytest.raises(BusinessRuleError):
        services.schedule_task(actor=world.users["ethics"], task=task, due_at=None, recurrence="", reason="改")
    with pytest.raises(BusinessRuleError):
        services.add_contact(actor=world.users["ethics"], plan=plan, name="值日官", reason="增列")


def test_contacts_added_edited_and_removed_are_versions(world):
    plan = make_plan(world, approve=True)
    ethics = world.users["ethics"]
    with pytest.raises(BusinessRuleError):
        services.add_contact(actor=ethics, plan=plan, name="沈科長")
    contact = services.add_contact(
        actor=ethics, plan=plan, name="沈科長", phones=[{"kind": "mobile", "number": "0982121209"}], reason="增列"
    )
    services.update_contact(
        actor=ethics,
        contact=contact,
        name="沈科長",
        title="行政科科長",
        phones=[{"kind": "mobile", "number": "0982121210"}],
        reason="手機異動",
    )
    key = f"contact-{contact.pk}"
    services.remove_contact(actor=ethics, contact=contact, reason="人員調動")
    plan.refresh_from_db()
    assert plan.version == 4 and not plan.contacts.exists()
    assert [v.reason for v in plan.versions.order_by("number")][1:] == ["增列", "手機異動", "人員調動"]
    assert _rows(plan, 1, 2)[key] == ("", "沈科長 · Mobile 0982121209")
    assert _rows(plan, 2, 3)[key] == ("沈科長 · Mobile 0982121209", "沈科長 行政科科長 · Mobile 0982121210")
    assert _rows(plan, 3, 4)[key] == ("沈科長 行政科科長 · Mobile 0982121210", "")


def test_an_amendment_removes_a_task_but_not_one_with_records(world):
    plan = make_plan(world, approve=True)
    ethics = world.users["ethics"]
    task_a, task_b = world.records["task_a"], world.records["task_b"]
    services.update_task(actor=world.users["staff_b"], task=task_b, status=Task.Status.IN_PROGRESS, note="查緝中")
    with pytest.raises(BusinessRuleError):
        services.amend_plan(actor=ethics, plan=plan, reason="刪除", remove=[task_b.pk])
    assert plan.tasks.filter(pk=task_b.pk).exists()
    version = services.amend_plan(actor=ethics, plan=plan, reason="工地安全另案辦理", remove=[task_a.pk])
    assert not Task.objects.filter(pk=task_a.pk).exists()
    assert [t["id"] for t in version.content["tasks"]].count(task_a.pk) == 0
    assert _rows(plan, 1, 2)[f"task-{task_a.pk}"] == ("1、 協請建設處加強工地安全。", "")
    entry = AuditEntry.objects.get(action="delete", object_type="plans.task")
    assert entry.changes["text"] == "協請建設處加強工地安全。" and entry.actor_id == ethics.pk


def test_versions_stored_before_units_were_recorded_compare_without_false_changes(world):
    plan = make_plan(world, approve=True)
    old = {
        "fields": plan.versions.get().content["fields"],
        "tasks": [{k: t[k] for k in ("id", "depth", "number", "text")} for t in plan.versions.get().content["tasks"]],
    }
    rows = versions.compare(old, versions.snapshot(plan))
    assert not any(r.changed for r in rows)
    assert any(not r.recorded for r in rows)


def test_the_amendment_history_page_shows_who_changed_what(world, client_for):
    plan = make_plan(world, approve=True)
    task_a = world.records["task_a"]
    supervisor = client_for("supervisor_a")
    response = supervisor.post(f"/plans/tasks/{task_a.pk}/", {"status": "in_progress", "note": "已通知各工地"})
    assert response.status_code == 302
    ethics = client_for("ethics")
    response = ethics.post(
        f"/plans/tasks/{task_a.pk}/",
        {
            "planning-responsible_units": [world.units["a"].pk, world.units["a1"].pk],
            "planning-due_at": "2014-01-25T17:00",
            "planning-recurrence": "",
            "planning-reason": "工務科協同辦理",
        },
    )
    assert response.status_code == 302
    page = client_for("head").get(f"/plans/{plan.pk}/versions/?a=1&b=2")
    assert page.status_code == 200
    text = page.text
    # the version: who (the ethics officer's name), why, and what changed
    assert "工務科協同辦理" in text and world.people["ethics"].name in text
    assert "1、 承辦單位" in text  # what changed: the units of task 1、
    # the supervisor's progress: who, which task, status before → after, the note
    assert world.people["supervisor_a"].name in text and "已通知各工地" in text
    assert "1、 協請建設處加強工地安全" in text
    assert "未開始 → 辦理中" in text
    # another unit's staff does not see unit A's progress in the history
    assert "已通知各工地" not in client_for("staff_b").get(f"/plans/{plan.pk}/versions/").text


def test_contact_edited_and_removed_through_the_pages(world, client_for):
    plan = make_plan(world, approve=True)
    contact = services.add_contact(
        actor=None, plan=plan, name="沈科長", phones=[{"kind": "mobile", "number": "0982121209"}], reason="增列"
    )
    ethics = client_for("ethics")
    page = ethics.get(f"/plans/{plan.pk}/contacts/")
    assert f"/plans/contacts/{contact.pk}/" in page.text
    assert f"/plans/contacts/{contact.pk}/" not in client_for("staff_a").get(f"/plans/{plan.pk}/contacts/").text
    assert client_for("staff_a").post(f"/plans/contacts/{contact.pk}/", {"name": "x", "reason": "x"}).status_code == 403
    form = ethics.get(f"/plans/contacts/{contact.pk}/")
    assert 'value="0982121209"' in form.text
    no_reason = ethics.post(f"/plans/contacts/{contact.pk}/", {"name": "沈科長", "mobile": "0911000111"})
    assert no_reason.status_code == 200 and "errorlist" in no_reason.text
    saved = ethics.post(
        f"/plans/contacts/{contact.pk}/",
        {"name": "沈科長", "mobile": "0911000111", "office": "(03)8227171", "ext": "315", "reason": "號碼異動"},
    )
    assert saved.status_code == 302
    contact.refresh_from_db()
    assert contact.phones == [
        {"kind": "mobile", "number": "0911000111", "ext": ""},
        {"kind": "office", "number": "(03)8227171", "ext": "315"},
    ]
    refused = ethics.post(f"/plans/contacts/{contact.pk}/remove/", {"remove-reason": ""})
    assert refused.status_code == 200 and PlanContact.objects.filter(pk=contact.pk).exists()
    removed = ethics.post(f"/plans/contacts/{contact.pk}/remove/", {"remove-reason": "人員調動"})
    assert removed.status_code == 302 and not PlanContact.objects.filter(pk=contact.pk).exists()
    plan.refresh_from_db()
    assert [v.reason for v in plan.versions.order_by("number")][-2:] == ["號碼異動", "人員調動"]


def test_removing_a_task_through_the_amendment_page(world, client_for):
    plan = make_plan(world, approve=True)
    group = plan.tasks.get(number="（1）")
    data = {
        "reason": "整併執行重點",
        "title": plan.title,
        "period_start": "2014-01-21T22:00",
        "period_end": "2014-02-15T00:00",
        **{f"task_{t.pk}": t.text for t in plan.tasks.all()},
        "remove_tasks": [group.pk],
    }
    assert client_for("ethics").post(f"/plans/{plan.pk}/amend/", data).status_code == 302
    assert not plan.tasks.exists()  # the group and its three tasks
    plan.refresh_from_db()
    assert plan.version == 2 and plan.versions.get(number=2).content["tasks"] == []
