"""A recurring task's daily report records the day it is pressed (the office's local date in Taipei), not the oldest
open day; and the to-do list holds the task reports the user's own unit owes."""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from anwei.core.rocdate import TAIPEI
from anwei.plans import services
from anwei.plans.todo import items as todo_items

from .factories import make_plan

pytestmark = pytest.mark.django_db

SELECTED = re.compile(r'<option value="(\d{4}-\d{2}-\d{2})" selected>')


def test_the_daily_report_records_today_and_then_proposes_yesterday(world, client_for):
    today = datetime.now(ZoneInfo("Asia/Taipei")).date()
    start = datetime.combine(today - timedelta(days=8), time(0), tzinfo=TAIPEI)
    make_plan(world, approve=True, period_start=start, period_end=start + timedelta(days=20))
    task = world.records["task_b"]
    services.schedule_task(actor=None, task=task, due_at=None, recurrence="daily", reason="每日查緝")
    staff_b = client_for("staff_b")
    page = staff_b.get(f"/plans/tasks/{task.pk}/").text
    assert SELECTED.findall(page) == [today.isoformat()]
    response = staff_b.post(
        f"/plans/tasks/{task.pk}/", {"occurrence-day": SELECTED.findall(page)[0], "occurrence-note": "今日查緝完成"}
    )
    assert response.status_code == 302
    assert list(task.occurrence_reports.values_list("day", flat=True)) == [today]
    page = staff_b.get(f"/plans/tasks/{task.pk}/").text
    assert SELECTED.findall(page) == [(today - timedelta(days=1)).isoformat()]


def test_the_todo_list_holds_the_reports_of_my_units(world):
    make_plan(world, approve=True)
    task_b, task_a = world.records["task_b"], world.records["task_a"]
    services.schedule_task(actor=None, task=task_b, due_at=None, recurrence="daily", reason="每日查緝")
    services.report_occurrence(
        actor=world.users["staff_b"], task=task_b, day=date(2014, 1, 22), at=datetime(2014, 1, 23, 9, tzinfo=TAIPEI)
    )
    at = datetime(2014, 1, 23, 12, tzinfo=TAIPEI)

    def listed(persona):
        return [(i.kind, i.url, i.due_at) for i in todo_items(world.users[persona], at)]

    b_url, a_url = f"/plans/tasks/{task_b.pk}/", f"/plans/tasks/{task_a.pk}/"
    assert listed("staff_b") == [
        ("report_due", b_url, datetime(2014, 1, 22, tzinfo=TAIPEI)),  # 1月21日, the first evening
        ("report_due", b_url, datetime(2014, 1, 24, tzinfo=TAIPEI)),  # 1月23日, today
    ]
    assert listed("staff_a") == [("report_due", a_url, datetime(2014, 1, 25, 17, tzinfo=TAIPEI))]
    assert listed("supervisor_a") == listed("staff_a")
    # the ethics office's agency-wide role does not make every unit's report its own; its own task has no due date
    assert listed("ethics") == [] and listed("outsider") == [] and listed("head") == []


def test_only_those_who_may_report_are_asked_for_their_units_task_reports(world):
    """The auditor and the duty officer sit in the ethics department, but may not report on its tasks: the ethics
    department's daily report is on the ethics officer's list only."""
    make_plan(world, approve=True)
    task = world.records["task_ethics"]
    services.schedule_task(actor=None, task=task, due_at=None, recurrence="daily", reason="每日巡查")
    at = datetime(2014, 1, 23, 12, tzinfo=TAIPEI)
    assert {i.kind for i in todo_items(world.users["ethics"], at)} == {"report_due"}
    assert list(todo_items(world.users["auditor"], at)) == []
    assert list(todo_items(world.users["duty"], at)) == []
