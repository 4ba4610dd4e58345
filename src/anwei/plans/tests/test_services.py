from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from anwei.audit.models import AuditEntry
from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.core.rocdate import TAIPEI
from anwei.plans import selectors, services, versions
from anwei.plans.models import Plan, PlanVersion, Task

from .factories import END, START, make_plan


def test_lifecycle_draft_approved_active_closed(world):
    plan = make_plan(world)
    with pytest.raises(NotAllowed):
        services.approve_plan(actor=world.users["ethics"], plan=plan)  # only the agency head approves
    plan = services.approve_plan(actor=world.users["head"], plan=plan)
    assert plan.status == Plan.Status.APPROVED
    assert plan.approved_by == world.users["head"]
    assert plan.versions.get().number == 1
    with pytest.raises(BusinessRuleError):
        services.approve_plan(actor=world.users["head"], plan=plan)
    with pytest.raises(NotAllowed):
        services.activate_plan(actor=world.users["supervisor_a"], plan=plan)
    plan = services.activate_plan(actor=world.users["ethics"], plan=plan)
    assert selectors.active_plan(world.agency, START + timedelta(days=1)) == plan
    assert selectors.active_plan(world.agency, END) is None  # half-open: 24時 is already outside
    plan = services.close_plan(actor=world.users["ethics"], plan=plan)
    assert plan.status == Plan.Status.CLOSED
    assert selectors.active_plan(world.agency, START + timedelta(days=1)) is None
    statuses = [
        e.changes["status"]
        for e in AuditEntry.objects.filter(object_type="plans.plan", action="update").order_by("seq")
    ]
    assert statuses == [["draft", "approved"], ["approved", "active"], ["active", "closed"]]


def test_draft_is_edited_but_approved_plan_only_amended(world):
    plan = make_plan(world)
    services.update_draft(actor=world.users["ethics"], plan=plan, purpose="防範危安事件")
    plan = services.approve_plan(actor=world.users["head"], plan=plan)
    with pytest.raises(BusinessRuleError):
        services.update_draft(actor=world.users["ethics"], plan=plan, purpose="改")
    with pytest.raises(BusinessRuleError):
        services.amend_plan(actor=world.users["ethics"], plan=plan, reason=" ", fields={"purpose": "改"})
    with pytest.raises(NotAllowed):
        services.amend_plan(actor=world.users["staff_a"], plan=plan, reason="修正", fields={"purpose": "改"})
    task = world.records["task_b"]
    version = services.amend_plan(
        actor=world.users["ethics"],
        plan=plan,
        reason="財政處建議修正文字",
        fields={"period_end": END + timedelta(days=1)},
        task_texts={task.pk: "請財政處會同警察機關加強查緝私劣酒。"},
    )
    assert version.number == 2 and version.created_by == world.users["ethics"]
    plan.refresh_from_db()
    assert plan.version == 2
    first, second = (v.content for v in PlanVersion.objects.filter(plan=plan).order_by("number"))
    rows = versions.compare(first, second)
    changed = {row.key: (row.left, row.right) for row in rows if row.changed}
    assert changed[f"task-{task.pk}"] == ("2、 請財政處加強查緝私劣酒。", "2、 請財政處會同警察機關加強查緝私劣酒。")
    with translation.override("zh-hant"):
        rows = versions.compare(first, second)
    period = next(row for row in rows if row.key == "period_end")
    assert (period.left, period.right) == ("103年2月14日（星期五）24時", "103年2月15日（星期六）24時")
    assert len(changed) == 2
    amend = AuditEntry.objects.get(action="amend")
    assert amend.changes == {"version": 2, "reason": "財政處建議修正文字"}
    with pytest.raises(BusinessRuleError):
        services.amend_plan(actor=world.users["ethics"], plan=plan, reason="再修", fields={"purpose": plan.purpose})


def test_unit_updates_own_task_only(world):
    make_plan(world, approve=True)
    task_a, task_b = world.records["task_a"], world.records["task_b"]
    note = services.update_task(
        actor=world.users["supervisor_a"], task=task_a, status=Task.Status.IN_PROGRESS, note="已通知工地"
    )
    assert note.author == world.users["supervisor_a"]
    task_a.refresh_from_db()
    assert task_a.status == Task.Status.IN_PROGRESS
    with pytest.raises(NotAllowed):
        services.update_task(actor=world.users["supervisor_a"], task=task_b, status=Task.Status.DONE)
    with pytest.raises(NotAllowed):
        services.update_task(actor=world.users["head"], task=task_a, status=Task.Status.DONE)  # head sees, not updates
    services.update_task(actor=world.users["ethics"], task=task_b, status=Task.Status.DONE, note="查核完畢")
    task_b.refresh_from_db()
    assert task_b.status == Task.Status.DONE
    entry = AuditEntry.objects.filter(object_type="plans.task", object_id=str(task_a.pk), action="update").get()
    assert entry.changes["status"] == ["open", "in_progress"] and entry.actor_id == world.users["supervisor_a"].pk


def test_visibility_of_tasks(world):
    plan = make_plan(world, approve=True)
    names = {
        persona: selectors.flatten(selectors.task_tree(world.users[persona], plan))
        for persona in ("staff_a", "staff_b", "ethics", "outsider")
    }
    visible = {persona: {n.task.number for n in nodes if n.visible} for persona, nodes in names.items()}
    assert visible["staff_a"] == {"1、"}
    assert visible["staff_b"] == {"2、"}
    assert visible["ethics"] == {"（1）", "1、", "2、", "3、"}
    assert visible["outsider"] == set()
    with pytest.raises(BusinessRuleError):
        services.add_task(actor=world.users["ethics"], plan=plan, text="協請工務科協助")
    services.amend_plan(
        actor=world.users["ethics"],
        plan=plan,
        reason="增列工務科協辦事項",
        new_tasks=[{"number": "4、", "text": "協請工務科協助", "cooperating_units": [world.units["a1"]]}],
    )
    cooperating = plan.tasks.get(number="4、")
    assert plan.versions.get(number=2).content["tasks"][-1]["text"] == "協請工務科協助"
    from anwei.plans import policies

    assert policies.tasks.can(world.users["staff_a"], "plans.task_update", cooperating)
    assert not policies.tasks.can(world.users["staff_b"], "plans.task_view", cooperating)


def test_dashboard_numbers(world):
    plan = make_plan(world, approve=True)
    services.update_task(actor=world.users["staff_b"], task=world.records["task_b"], status=Task.Status.DONE)
    progress = {p.unit.name: (p.done, p.total) for p in selectors.progress_by_unit(world.users["ethics"], plan)}
    assert progress == {"政風處": (0, 1), "建設處": (0, 1), "財政處": (1, 1)}
    overdue = selectors.overdue_tasks(world.users["ethics"], plan, at=datetime(2014, 1, 26, tzinfo=TAIPEI))
    assert list(overdue) == [world.records["task_a"]]
    assert list(selectors.overdue_tasks(world.users["staff_b"], plan, at=datetime(2014, 1, 26, tzinfo=TAIPEI))) == []
    assert [n.task for n in selectors.recent_updates(world.users["ethics"], plan)] == [world.records["task_b"]]
    assert list(selectors.recent_updates(world.users["staff_a"], plan)) == []


def test_evidence_upload(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    make_plan(world, approve=True)
    task = world.records["task_a"]
    upload = SimpleUploadedFile("工地檢查.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    evidence = services.add_evidence(actor=world.users["staff_a"], task=task, upload=upload)
    assert evidence.file.read() == b"%PDF-1.4 evidence"
    with pytest.raises(BusinessRuleError):
        services.add_evidence(actor=world.users["staff_a"], task=task, upload=SimpleUploadedFile("empty.txt", b""))
    with pytest.raises(NotAllowed):
        services.add_evidence(actor=world.users["staff_b"], task=task, upload=SimpleUploadedFile("x.txt", b"x"))


def test_clone_to_next_year(world):
    plan = make_plan(world, approve=True)
    services.update_task(actor=world.users["staff_a"], task=world.records["task_a"], status=Task.Status.DONE)
    services.add_contact(
        actor=world.users["ethics"], plan=plan, name="沈科長", phones=[{"number": "0982121209"}], reason="增列"
    )
    clone = services.clone_plan(actor=world.users["ethics"], plan=plan)
    assert clone.title == "測試縣政府104年度春安工作期間維護計畫"
    assert clone.status == Plan.Status.DRAFT and clone.cloned_from == plan
    assert clone.period_start == datetime(2015, 1, 21, 22, tzinfo=TAIPEI)
    assert clone.period_end == datetime(2015, 2, 15, 0, tzinfo=TAIPEI)
    assert clone.tasks.count() == plan.tasks.count()
    assert set(clone.tasks.values_list("status", flat=True)) == {Task.Status.OPEN}
    copy_a = clone.tasks.get(number="1、")
    assert copy_a.parent.number == "（1）" and copy_a.parent.plan == clone
    assert list(copy_a.responsible_units.all()) == [world.units["a"]]
    assert copy_a.due_at == datetime(2015, 1, 25, 17, tzinfo=TAIPEI)
    assert clone.contacts.get().phones == [{"kind": "office", "number": "0982121209", "ext": ""}]
    with pytest.raises(NotAllowed):
        services.clone_plan(actor=world.users["supervisor_a"], plan=plan)


def test_approved_plan_starts_with_its_period(world):
    plan = make_plan(world, approve=True)
    assert services.start_due_plans(at=START - timedelta(minutes=1)) == []
    assert services.start_due_plans(at=START) == [plan]
    plan.refresh_from_db()
    assert plan.status == Plan.Status.ACTIVE
    assert services.start_due_plans(at=START) == []
