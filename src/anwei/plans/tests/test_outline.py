"""create_plan_from_outline: the contract with the document importer."""

from datetime import UTC, datetime

import pytest

from anwei.audit.models import AuditEntry
from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.directory import services as directory
from anwei.plans import services
from anwei.plans.models import Plan, Task

OUTLINE = {
    "title": "測試縣政府103年度春安工作期間公務機密暨機關安全維護執行計畫",
    "agency": "測試縣政府",
    "period": {"start": "2014-01-21T22:00:00+08:00", "end": "2014-02-15T00:00:00+08:00", "days": 25},
    "sections": [
        {
            "heading": "依據",
            "items": [
                {"number": "1、", "text": "廉政署函辦理。", "children": []},
                {"number": "2、", "text": "本府公務機密維護作業要點。", "children": []},
            ],
        },
        {
            "heading": "目的",
            "items": [{"number": "", "text": "為防範春節期間發生危安事件，爰訂定本計畫。", "children": []}],
        },
        {"heading": "任務", "items": [{"number": "1、", "text": "結合機關行政力量。", "children": []}]},
        {
            "heading": "執行",
            "items": [
                {
                    "number": "1、",
                    "text": "工作期間：103年1月21日（星期二）22時起至2月14日（星期五）24時止，為期25日。",
                    "children": [],
                },
                {
                    "number": "2、",
                    "text": "執行重點：",
                    "children": [
                        {
                            "number": "（1）",
                            "text": "落實機密維護：",
                            "children": [
                                {
                                    "number": "1、",
                                    "text": "各單位請確實依據保密規定承辦業務：",
                                    "children": [
                                        {"number": "(1)", "text": "春節連續假日期間抽屜應確實上鎖。", "children": []},
                                    ],
                                },
                                {"number": "2、", "text": "協請工務科加強工地安全。", "children": []},
                            ],
                        },
                        {
                            "number": "（2）",
                            "text": "強化安全維護：",
                            "children": [
                                {"number": "1、", "text": "請本府財政處加強查緝私劣酒。", "children": []},
                            ],
                        },
                    ],
                },
                {
                    "number": "3、",
                    "text": "狀況反映：",
                    "children": [
                        {"number": "", "text": "發現危安預警資料，請立即通報本處。", "children": []},
                    ],
                },
            ],
        },
        {"heading": "協調配合", "items": [{"number": "1、", "text": "由政風處會同相關單位共同執行。", "children": []}]},
        {"heading": "通信聯絡", "items": []},
    ],
    "units": ["政風處", "工務科", "財政處"],
    "contacts": [
        {"name": "甲一承辦", "title": "技士", "phones": [{"kind": "mobile", "number": "0982121209", "ext": ""}]},
        {
            "name": "政風處專線",
            "title": "",
            "phones": [
                {"kind": "office", "number": "(03)8227171", "ext": "315"},
                {"kind": "fax", "number": "(03)8222605", "ext": ""},
            ],
        },
    ],
    "warnings": [],
}


def _tree(plan: Plan) -> list[tuple[int, str, str]]:
    out = []

    def walk(parent: Task | None, depth: int) -> None:
        for task in plan.tasks.filter(parent=parent).order_by("position"):
            out.append((depth, task.number, task.text))
            walk(task, depth + 1)

    walk(None, 0)
    return out


def test_outline_becomes_a_draft_plan(world):
    plan = services.create_plan_from_outline(actor=world.users["ethics"], agency=world.agency, outline=OUTLINE)
    assert plan.status == Plan.Status.DRAFT
    assert plan.owning_unit == world.units["ethics"]
    assert plan.period_start == datetime(2014, 1, 21, 14, tzinfo=UTC)
    assert plan.period_end == datetime(2014, 2, 14, 16, tzinfo=UTC)
    assert plan.basis == ["廉政署函辦理。", "本府公務機密維護作業要點。"]
    assert plan.purpose.startswith("為防範春節期間")
    assert plan.missions == ["結合機關行政力量。"]
    assert plan.coordination == "1、 由政風處會同相關單位共同執行。"
    # the period item is not a task; the 執行重點 groups are the top of the tree; numbering and wording kept
    assert _tree(plan) == [
        (0, "（1）", "落實機密維護："),
        (1, "1、", "各單位請確實依據保密規定承辦業務："),
        (2, "(1)", "春節連續假日期間抽屜應確實上鎖。"),
        (1, "2、", "協請工務科加強工地安全。"),
        (0, "（2）", "強化安全維護："),
        (1, "1、", "請本府財政處加強查緝私劣酒。"),
        (0, "3、", "狀況反映："),
        (1, "", "發現危安預警資料，請立即通報本處。"),
    ]
    site = plan.tasks.get(text__startswith="協請工務科")
    assert list(site.responsible_units.all()) == [world.units["ethics"]]
    assert list(site.cooperating_units.all()) == [world.units["a1"]]
    liquor = plan.tasks.get(text__contains="財政處")
    assert list(liquor.responsible_units.all()) == [world.units["b"]]
    assert plan.tasks.get(text__contains="連續假日").recurrence == Task.Recurrence.HOLIDAYS
    contacts = list(plan.contacts.order_by("position"))
    assert [c.name for c in contacts] == ["甲一承辦", "政風處專線"]
    assert contacts[0].person == world.people["in_a1"]
    assert contacts[1].person is None
    assert contacts[1].phones[0] == {"kind": "office", "number": "(03)8227171", "ext": "315"}
    assert AuditEntry.objects.filter(object_type="plans.plan", object_id=str(plan.pk)).exists()


def test_outline_without_period_saves_nothing(world):
    bad = {**OUTLINE, "period": {"start": "103年1月21日", "end": None}}
    with pytest.raises(BusinessRuleError):
        services.create_plan_from_outline(actor=world.users["ethics"], agency=world.agency, outline=bad)
    assert not Plan.objects.exists()


def test_only_plan_managers_import(world):
    with pytest.raises(NotAllowed):
        services.create_plan_from_outline(actor=world.users["staff_a"], agency=world.agency, outline=OUTLINE)
    assert not Plan.objects.exists()


def test_unknown_unit_other_agency_not_matched(world):
    other = directory.create_agency(actor=None, code="other", name="他縣")
    root = directory.create_unit(actor=None, agency=other, name="他縣政府")
    directory.create_unit(actor=None, agency=other, name="政風處", parent=root)
    plan = services.create_plan_from_outline(actor=None, agency=other, outline=OUTLINE)
    liquor = plan.tasks.get(text__contains="財政處")
    assert [u.name for u in liquor.responsible_units.all()] == ["政風處"]
