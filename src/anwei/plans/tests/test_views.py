from datetime import timedelta
from typing import Any

from anwei.directory import services as directory
from anwei.plans import selectors, services
from anwei.plans.models import Plan, Task

from .factories import START, make_plan


def test_supervisor_updates_own_task_and_dashboard_shows_it(world, client_for):
    plan = make_plan(world, approve=True)
    task_a, task_b = world.records["task_a"], world.records["task_b"]
    supervisor = client_for("supervisor_a")
    page = supervisor.get(f"/plans/{plan.pk}/")
    assert f"/plans/tasks/{task_a.pk}/" in page.text and f"/plans/tasks/{task_b.pk}/" not in page.text
    response = supervisor.post(f"/plans/tasks/{task_a.pk}/", {"status": "done", "note": "工地安全檢查完成"})
    assert response.status_code == 302
    task_a.refresh_from_db()
    assert task_a.status == Task.Status.DONE
    assert supervisor.post(f"/plans/tasks/{task_b.pk}/", {"status": "done"}).status_code == 404
    ethics = client_for("ethics")
    dashboard = ethics.get(f"/plans/{plan.pk}/dashboard/")
    assert "工地安全檢查完成" in dashboard.text
    assert "建設處" in dashboard.text
    assert "X-Anwei-Poll" in dashboard.text  # its refresh does not keep an idle session alive
    partial = ethics.get(f"/plans/{plan.pk}/dashboard/updates/", headers={"HX-Request": "true"})
    assert "工地安全檢查完成" in partial.text and "<html" not in partial.text


def test_task_form_errors_are_per_field(world, client_for):
    make_plan(world, approve=True)
    response = client_for("staff_b").post(f"/plans/tasks/{world.records['task_b'].pk}/", {"status": "n_a"})
    assert response.status_code == 200
    assert "Say why the task does not apply." in response.text or "請說明" in response.text


def test_amendment_history_shows_who_and_why(world, client_for):
    plan = make_plan(world, approve=True)
    ethics = client_for("ethics")
    data = {
        "reason": "配合廉政署來函修正",
        "title": plan.title,
        "period_start": "2014-01-21T22:00",
        "period_end": "2014-02-16T00:00",
        **{f"task_{t.pk}": t.text for t in plan.tasks.all()},
    }
    assert ethics.post(f"/plans/{plan.pk}/amend/", data).status_code == 302
    plan.refresh_from_db()
    assert plan.version == 2 and plan.period_end == START + timedelta(days=25, hours=2)
    page = ethics.get(f"/plans/{plan.pk}/versions/?a=1&b=2")
    assert "配合廉政署來函修正" in page.text and "ethics" in page.text
    assert 'class="changed"' in page.text


def test_lifecycle_buttons(world, client_for):
    plan = make_plan(world)
    assert client_for("head").post(f"/plans/{plan.pk}/status/", {"to": "approve"}).status_code == 302
    plan.refresh_from_db()
    assert plan.status == Plan.Status.APPROVED
    assert client_for("ethics").post(f"/plans/{plan.pk}/status/", {"to": "activate"}).status_code == 302
    plan.refresh_from_db()
    assert plan.status == Plan.Status.ACTIVE
    response = client_for("ethics").post(f"/plans/{plan.pk}/clone/")
    clone = Plan.objects.exclude(pk=plan.pk).get()
    assert response["Location"] == f"/plans/{clone.pk}/"


def test_contacts_page_and_sheet(world, client_for):
    plan = make_plan(world, approve=True)
    services.add_contact(
        actor=None,
        plan=plan,
        name="沈科長",
        phones=[{"kind": "office", "number": "(03)8227171", "ext": "315"}],
        reason="增列聯絡人",
    )
    services.add_contact(actor=None, plan=plan, name="", person=world.people["in_b"], reason="增列聯絡人")
    world.people["in_b"].mobile = "0989522247"
    world.people["in_b"].save()
    page = client_for("staff_a").get(f"/plans/{plan.pk}/contacts/")
    assert 'href="tel:038227171,315"' in page.text
    assert 'href="tel:0989522247"' in page.text
    assert f"/directory/people/{world.people['in_b'].pk}/" in page.text
    sheet = client_for("staff_a").get(f"/plans/{plan.pk}/contacts/sheet/")
    assert "沈科長" in sheet.text and "乙承辦" in sheet.text
    response = client_for("ethics").post(f"/plans/{plan.pk}/contacts/", {"name": ""})
    assert response.status_code == 200 and "errorlist" in response.text


def test_roster_page_gaps_and_calendar(world, client_for):
    plan = make_plan(world, approve=True)
    kind = directory.create_duty_kind(actor=None, agency=world.agency, code="ethics", name="政風值勤")
    response = client_for("ethics").post(
        f"/plans/{plan.pk}/roster/",
        {"kind": kind.pk, "people": [world.people["duty"].pk], "change_hours": "8,20"},
    )
    assert response.status_code == 302
    shifts = list(selectors.roster(plan))
    assert len(shifts) == 49
    services.assign_shift(actor=None, shift=shifts[3], person=None)
    dashboard = client_for("staff_a").get(f"/plans/{plan.pk}/dashboard/")
    assert "Roster gaps" in dashboard.text or "值勤表缺口" in dashboard.text
    duty = client_for("duty")
    assert duty.post(f"/plans/shifts/{shifts[0].pk}/", {"handover_note": "門禁卡兩張"}).status_code == 302
    page = duty.get(f"/plans/{plan.pk}/roster/")
    assert "門禁卡兩張" in page.text
    ics = duty.get(f"/plans/people/{world.people['duty'].pk}/duty.ics")
    assert ics["Content-Type"].startswith("text/calendar") and ics.content.count(b"BEGIN:VEVENT") == 48
    bad = client_for("ethics").post(f"/plans/{plan.pk}/roster/", {"kind": kind.pk, "change_hours": "25"})
    assert bad.status_code == 200 and "errorlist" in bad.text


def test_api_on_duty_now_and_progress(world, client_for):
    plan = make_plan(world, approve=True)
    kind = directory.create_duty_kind(actor=None, agency=world.agency, code="ethics", name="政風值勤")
    services.generate_roster(actor=None, plan=plan, kind=kind, people=[world.people["duty"], world.people["ethics"]])
    client = client_for("staff_b")
    answer = client.get("/api/v1/plans/duty/ethics/now", {"at": "2014-01-22T08:00:00+08:00"}).json()
    assert answer["person"]["id"] == world.people["ethics"].pk and answer["shift_ends_at"].startswith("2014-01-22T12")
    assert client.get("/api/v1/plans/duty/ethics/now", {"at": "2014-02-15T00:00:00+08:00"}).json()["person"] is None
    assert client.get("/api/v1/plans/duty/nosuch/now").status_code == 404
    page = client.get(f"/api/v1/plans/plans/{plan.pk}/tasks").json()
    tasks = page["items"]
    assert [t["number"] for t in tasks] == ["2、"] and page["count"] == 1
    response = client.post(
        f"/api/v1/plans/tasks/{tasks[0]['id']}/progress",
        data={"status": "bogus"},
        content_type="application/json",
    )
    assert response.status_code == 422 and "error" in response.json()


def test_ethics_sets_units_and_due_date(world, client_for):
    make_plan(world, approve=True)
    task = world.records["task_b"]
    data = {
        "planning-responsible_units": [world.units["a1"].pk],
        "planning-cooperating_units": [world.units["b"].pk],
        "planning-due_at": "2014-01-30T17:00",
        "planning-recurrence": "daily",
    }
    assert client_for("staff_b").post(f"/plans/tasks/{task.pk}/", data).status_code == 403
    ethics = client_for("ethics")
    refused = ethics.post(f"/plans/tasks/{task.pk}/", data)  # the plan is approved: a change needs its reason
    assert refused.status_code == 200 and "errorlist" in refused.text
    assert list(task.responsible_units.all()) == [world.units["b"]]
    response = ethics.post(f"/plans/tasks/{task.pk}/", {**data, "planning-reason": "改由工務科辦理"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert list(task.responsible_units.all()) == [world.units["a1"]]
    assert task.recurrence == "daily" and task.due_at.isoformat() == "2014-01-30T09:00:00+00:00"
    assert client_for("staff_a").get(f"/plans/tasks/{task.pk}/").status_code == 200


def test_amendment_adds_a_task(world, client_for):
    plan = make_plan(world, approve=True)
    group = plan.tasks.get(number="（1）")
    data = {
        "reason": "增列查核項目",
        "title": plan.title,
        "period_start": "2014-01-21T22:00",
        "period_end": "2014-02-15T00:00",
        **{f"task_{t.pk}": t.text for t in plan.tasks.all()},
        "new_task_parent": group.pk,
        "new_task_number": "4、",
        "new_task_text": "春節連續假期前完成辦公處所門禁檢查。",
        "new_task_units": [world.units["b"].pk],
    }
    assert client_for("ethics").post(f"/plans/{plan.pk}/amend/", data).status_code == 302
    task = plan.tasks.get(number="4、")
    assert task.parent == group and list(task.responsible_units.all()) == [world.units["b"]]
    plan.refresh_from_db()
    assert plan.version == 2
    page = client_for("staff_b").get(f"/plans/{plan.pk}/versions/")
    assert "增列查核項目" in page.text and "春節連續假期前完成辦公處所門禁檢查。" in page.text


def test_draft_edit_adds_a_top_level_task_without_a_version(world, client_for):
    plan = make_plan(world)
    data = {
        "title": "草案",
        "period_start": "2014-01-21T22:00",
        "period_end": "2014-02-15T00:00",
        **{f"task_{t.pk}": t.text for t in plan.tasks.all()},
        "new_task_number": "（2）",
        "new_task_text": "強化安全維護：",
    }
    assert client_for("ethics").post(f"/plans/{plan.pk}/amend/", data).status_code == 302
    plan.refresh_from_db()
    assert plan.title == "草案" and plan.version == 1 and not plan.versions.exists()
    assert plan.tasks.get(number="（2）").parent is None


def test_new_plan_form_checks_the_period(world, client_for):
    client = client_for("ethics")
    data = {
        "title": "116年度春安計畫",
        "owning_unit": world.units["ethics"].pk,
        "period_start": "2027-02-10T00:00",
        "period_end": "2027-01-20T08:00",
    }
    response = client.post("/plans/new/", data)
    assert response.status_code == 200 and "errorlist" in response.text
    assert not Plan.objects.exists()
    response = client.post(
        "/plans/new/", {**data, "period_start": "2027-01-20T08:00", "period_end": "2027-02-10T00:00"}
    )
    plan = Plan.objects.get()
    assert response["Location"] == f"/plans/{plan.pk}/amend/" and plan.status == Plan.Status.DRAFT


def test_tasks_download_as_csv_with_only_the_status_a_user_may_see(world: Any, client_for: Any) -> None:
    plan = make_plan(world, approve=True)
    body = b"".join(client_for("staff_a").get(f"/plans/{plan.pk}/tasks.csv").streaming_content).decode("utf-8-sig")
    rows = body.strip().splitlines()
    visible = plan.tasks.filter(responsible_units=world.units["a"]).count()
    assert len(rows) == 1 + visible and visible > 0
    assert all(world.units["b"].name not in row.split(",")[2] for row in rows[1:])
