"""A small plan for tests: the seed's period, one group, tasks for units A, B and the ethics office."""

from datetime import datetime
from typing import Any

from anwei.core.rocdate import TAIPEI
from anwei.plans import services
from anwei.plans.models import Plan

START = datetime(2014, 1, 21, 22, tzinfo=TAIPEI)
END = datetime(2014, 2, 15, 0, tzinfo=TAIPEI)


def make_plan(world: Any, *, approve: bool = False, **extra: Any) -> Plan:
    fields = {"title": "測試縣政府103年度春安工作期間維護計畫", "period_start": START, "period_end": END, **extra}
    plan = services.create_plan(actor=None, agency=world.agency, owning_unit=world.units["ethics"], **fields)
    group = services.add_task(actor=None, plan=plan, number="（1）", text="落實機密維護：")
    world.records["task_a"] = services.add_task(
        actor=None,
        plan=plan,
        parent=group,
        number="1、",
        text="協請建設處加強工地安全。",
        responsible_units=[world.units["a"]],
        due_at=datetime(2014, 1, 25, 17, tzinfo=TAIPEI),
    )
    world.records["task_b"] = services.add_task(
        actor=None,
        plan=plan,
        parent=group,
        number="2、",
        text="請財政處加強查緝私劣酒。",
        responsible_units=[world.units["b"]],
    )
    world.records["task_ethics"] = services.add_task(
        actor=None,
        plan=plan,
        parent=group,
        number="3、",
        text="擇期辦理公務機密檢查。",
        responsible_units=[world.units["ethics"]],
    )
    if approve:
        plan = services.approve_plan(actor=world.users["head"], plan=plan)
    world.records["plan"] = plan
    return plan
