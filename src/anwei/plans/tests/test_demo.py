"""The demo data: the seed plan's structure and a plan active today."""

from datetime import UTC, datetime

import pytest

from anwei.directory import demo as directory_demo
from anwei.plans import demo, selectors
from anwei.plans.models import Plan, ProgressNote


@pytest.mark.django_db
def test_demo_plans():
    ctx = directory_demo.start()
    demo.load(ctx)
    spring = Plan.objects.get(title="花蓮縣政府103年度春安工作期間公務機密暨機關安全維護執行計畫")
    assert spring.period_start == datetime(2014, 1, 21, 14, tzinfo=UTC)
    assert spring.period_end == datetime(2014, 2, 14, 16, tzinfo=UTC)
    assert spring.status == Plan.Status.CLOSED and spring.version == 2
    # the 103 plan keeps its own time: approved before the period, amended and reported within it
    assert spring.approved_at == datetime(2014, 1, 17, 2, tzinfo=UTC)
    assert [v.created_at.date().isoformat() for v in spring.versions.order_by("number")] == ["2014-01-17", "2014-01-28"]
    notes = ProgressNote.objects.filter(task__plan=spring)
    assert notes.exists() and {n.created_at for n in notes} == {datetime(2014, 2, 14, 9, tzinfo=UTC)}
    groups = spring.tasks.filter(parent=None).order_by("position")
    assert [(g.number, g.text, g.children.count()) for g in groups] == [
        ("（1）", "落實機密維護：", 9),
        ("（2）", "強化安全維護：", 7),
        ("（3）", "協助機關保防聯繫:", 2),
        ("3、", "狀況反映：", 1),
    ]
    cyber = spring.tasks.get(text__startswith="協請行政暨研考處協助強化")
    assert {u.name for u in cyber.responsible_units.all()} == {"行政暨研考處資訊科"}
    assert [u.name for u in cyber.cooperating_units.all()] == ["行政暨研考處"]
    assert spring.contacts.count() == 5
    assert spring.contacts.get(name="沈科長").person == ctx.people["shen"]
    assert selectors.roster_gaps(spring) == []
    current = selectors.active_plan(ctx.agency)
    assert current is not None and current.cloned_from == spring and current.status == Plan.Status.ACTIVE
    assert current.tasks.count() == spring.tasks.count()
    assert len(selectors.roster_gaps(current)) == 1
    assert selectors.on_duty(ctx.agency, "ethics").person is not None
    assert selectors.overdue_tasks(ctx.users["ethics"], current).exists()
