"""`python -m anwei gen-data`: seeded volumes whose audit chain verifies."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from anwei.audit import selectors
from anwei.audit.models import AuditEntry
from anwei.incidents.models import Incident

pytestmark = pytest.mark.django_db


def _generated() -> list[tuple[str, str, str]]:
    return list(
        Incident.objects.filter(description="（產生的測試資料）")
        .order_by("id")
        .values_list("category", "title", "status")
    )


def test_gen_data_adds_reports_and_a_chain_that_verifies() -> None:
    call_command("gen-data", incidents=120, audit=300, seed=7, stdout=StringIO())
    first = _generated()
    assert len(first) == 120
    assert len({(i.agency_id, i.year, i.number) for i in Incident.objects.all()}) == Incident.objects.count()
    entries = AuditEntry.objects.count()
    verdict = selectors.verify()
    assert verdict.ok, verdict.problem
    assert verdict.count == entries
    call_command("gen-data", incidents=120, audit=300, seed=7, stdout=StringIO())  # appends; numbers go on
    assert selectors.verify().ok and AuditEntry.objects.count() == entries + 300
    assert [(c, t.split(" #")[0]) for c, t, _s in _generated()[120:]] == [(c, t.split(" #")[0]) for c, t, _s in first]


def test_gen_data_makes_a_plan_period_with_tasks_check_ins_notes_and_its_reports() -> None:
    from django.utils import timezone

    from anwei.directory.models import Agency, Unit
    from anwei.plans.models import OccurrenceReport, Plan, ProgressNote, Task

    call_command("gen-data", incidents=300, audit=10, days=90, plan_days=30, seed=7, stdout=StringIO())
    plan = Plan.objects.latest("pk")
    agency = Agency.objects.get(code="hualien")
    units = Unit.objects.filter(agency=agency, active=True)
    today = timezone.localdate()
    start = timezone.localtime(plan.period_start)
    assert plan.agency == agency and (start.date(), start.hour) == (today - timedelta(days=30), 8)  # 30 days back
    assert plan.period_end - timezone.now() > timedelta(hours=23)  # and into tomorrow
    # three tasks for every unit, each with that unit responsible: a daily one, a weekly one and one due once
    assert plan.tasks.count() == 3 * units.count()
    for unit in units:
        kinds = sorted(Task.objects.filter(plan=plan, responsible_units=unit).values_list("recurrence", flat=True))
        assert kinds == ["", "daily", "weekly"], (unit, kinds)
    # check-ins on days of the period that have come, most days of each daily task reported
    checkins = OccurrenceReport.objects.filter(task__plan=plan)
    assert all(timezone.localtime(plan.period_start).date() <= c.day <= today for c in checkins)
    per_daily = [checkins.filter(task=t).count() for t in plan.tasks.filter(recurrence="daily")]
    assert min(per_daily) >= 20 and max(per_daily) <= 31, per_daily
    assert len({c.created_at.date() for c in checkins}) >= 20  # each on its own day, not all "now"
    notes = ProgressNote.objects.filter(task__plan=plan)
    assert notes.count() >= plan.tasks.count() * 3  # about weekly on every task over 30 days
    assert all(plan.period_start <= n.created_at <= timezone.now() for n in notes)
    # the agency's reports of the period are linked to the plan, none from before it
    generated = Incident.objects.filter(description="（產生的測試資料）")
    in_period = generated.filter(aware_at__gte=plan.period_start)
    assert in_period.exists() and not in_period.exclude(plan=plan).exists()
    assert not generated.filter(aware_at__lt=plan.period_start, plan=plan).exists()
    call_command("gen-data", incidents=10, audit=0, plan_days=0, seed=8, stdout=StringIO())
    assert Plan.objects.latest("pk") == plan  # --plan-days 0: no plan
