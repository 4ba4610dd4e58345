"""Recurring tasks: their days from the plan period (and the office calendar for "daily during the holidays"), a
report per day, and the days nobody reported counted on the dashboard."""

from datetime import date, datetime, timedelta

import pytest

from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.core.rocdate import TAIPEI
from anwei.officecalendar.models import OfficeDay
from anwei.plans import recurrence, selectors, services
from anwei.plans.models import Task

from .factories import END, START, make_plan


def test_daily_during_the_period_is_the_plans_25_days():
    days = recurrence.occurrences("daily", START, END)
    assert len(days) == 25  # 為期25日
    first, last = days[0], days[-1]
    assert (first.day, first.starts_at, first.due_at) == (
        date(2014, 1, 21),
        START,
        datetime(2014, 1, 22, tzinfo=TAIPEI),
    )
    assert (last.day, last.due_at) == (date(2014, 2, 14), END)  # 2月14日24時


def test_weekly_stretches_are_cut_at_the_period_end():
    weeks = recurrence.occurrences("weekly", START, END)
    assert [w.starts_at for w in weeks] == [START + timedelta(days=7 * n) for n in range(4)]
    assert [w.due_at for w in weeks] == [START + timedelta(days=7 * n) for n in (1, 2, 3)] + [END]
    assert recurrence.occurrences("", START, END) == []


@pytest.mark.django_db
def test_holidays_come_from_the_office_calendar():
    for n in range(6):  # 春節 103年1月30日–2月4日
        OfficeDay.objects.create(day=date(2014, 1, 30) + timedelta(days=n), name="春節")
    OfficeDay.objects.create(day=date(2014, 2, 8), name="補行上班", is_workday=True)
    days = [o.day for o in recurrence.occurrences("holidays", START, END)]
    assert days == [
        date(2014, 1, 25),
        date(2014, 1, 26),
        date(2014, 1, 30),
        date(2014, 1, 31),
        date(2014, 2, 1),
        date(2014, 2, 2),
        date(2014, 2, 3),
        date(2014, 2, 4),
        date(2014, 2, 9),  # Saturday 2月8日 is a make-up working day
    ]


def test_a_day_is_reported_once_when_it_has_begun(world):
    plan = make_plan(world, approve=True)
    task = world.records["task_b"]
    services.schedule_task(actor=None, task=task, due_at=None, recurrence="daily", reason="每日查緝")
    staff_b = world.users["staff_b"]
    at = datetime(2014, 1, 23, 12, tzinfo=TAIPEI)
    services.report_occurrence(actor=staff_b, task=task, day=date(2014, 1, 22), note="查獲私酒一箱", at=at)
    with pytest.raises(BusinessRuleError):
        services.report_occurrence(actor=staff_b, task=task, day=date(2014, 1, 22), at=at)
    with pytest.raises(BusinessRuleError):
        services.report_occurrence(actor=staff_b, task=task, day=date(2014, 1, 24), at=at)  # not begun
    with pytest.raises(BusinessRuleError):
        services.report_occurrence(actor=staff_b, task=task, day=date(2014, 2, 15), at=at)  # not a day of it
    with pytest.raises(NotAllowed):
        services.report_occurrence(actor=world.users["staff_a"], task=task, day=date(2014, 1, 21), at=at)
    missed = selectors.overdue_occurrences(world.users["ethics"], plan, at=at)
    assert [(m.task, m.occurrence.day) for m in missed] == [(task, date(2014, 1, 21))]
    assert selectors.overdue_occurrences(world.users["staff_a"], plan, at=at) == []  # not unit A's task
    services.update_task(actor=staff_b, task=task, status=Task.Status.NOT_APPLICABLE, note="改由警察機關辦理")
    assert selectors.overdue_occurrences(world.users["ethics"], plan, at=at) == []


def test_days_on_the_task_page_and_missed_days_on_the_dashboard(world, client_for):
    plan = make_plan(world, approve=True)
    task = world.records["task_b"]
    services.schedule_task(actor=None, task=task, due_at=None, recurrence="weekly", reason="每週查緝")
    staff_b = client_for("staff_b")
    page = staff_b.get(f"/plans/tasks/{task.pk}/")
    assert page.text.count('data-label="日期"') == 4
    assert 'name="occurrence-day"' in page.text  # the period is over: every week can be reported
    response = staff_b.post(
        f"/plans/tasks/{task.pk}/", {"occurrence-day": "2014-01-28", "occurrence-note": "第二週查緝完成"}
    )
    assert response.status_code == 302
    assert task.occurrence_reports.get().day == date(2014, 1, 28)
    page = staff_b.get(f"/plans/tasks/{task.pk}/")
    assert "第二週查緝完成" in page.text and world.people["staff_b"].name in page.text
    bad = staff_b.post(f"/plans/tasks/{task.pk}/", {"occurrence-day": "2014-01-28"})  # already reported
    assert bad.status_code == 200 and "errorlist" in bad.text
    dashboard = client_for("ethics").get(f"/plans/{plan.pk}/dashboard/")
    missed = dashboard.context["missed"]
    assert [m.occurrence.day for m in missed] == [date(2014, 1, 21), date(2014, 2, 4), date(2014, 2, 11)]
    assert f"/plans/tasks/{task.pk}/" in dashboard.text
    assert client_for("staff_a").get(f"/plans/{plan.pk}/dashboard/").context["missed"] == []
