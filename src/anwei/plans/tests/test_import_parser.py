"""The plan-document parser on the Hualien seed and on made-up variants (numbering styles, period mistakes)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation

from anwei.plans.importer import PlanDocumentError, parse_plan
from anwei.plans.importer.outline import build_outline, marker_of
from anwei.plans.importer.units import Directory

SEED = Path(__file__).resolve().parents[5] / "shared" / "seed" / "hualien-103-spring-security-plan.txt"
if not SEED.exists():  # worktrees live next to /work/shared
    SEED = Path("/work/shared/seed/hualien-103-spring-security-plan.txt")


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are compared in English (the UI default is zh-Hant)."""
    with translation.override("en"):
        yield


def seed_lines() -> list[str]:
    return SEED.read_text(encoding="utf-8").splitlines()


def section(data: dict, heading: str) -> dict:  # type: ignore[type-arg]
    return next(s for s in data["sections"] if s["heading"] == heading)


def test_seed_title_agency_and_period() -> None:
    data = parse_plan(seed_lines()).to_dict()
    assert data["title"] == "花蓮縣政府103年度春安工作期間公務機密暨機關安全維護執行計畫"
    assert data["agency"] == "花蓮縣政府"
    assert data["period"] == {"start": "2014-01-21T22:00:00+08:00", "end": "2014-02-15T00:00:00+08:00", "days": 25}
    assert data["warnings"] == []
    assert list(data) == ["title", "agency", "period", "sections", "units", "organisations", "contacts", "warnings"]


def test_seed_sections_and_the_three_groups() -> None:
    data = parse_plan(seed_lines()).to_dict()
    assert [s["heading"] for s in data["sections"]] == [
        "依據",
        "目的",
        "任務",
        "執行",
        "協調配合",
        "通信聯絡",
        "本計畫奉 核定後實施，如有未盡事宜得隨時修正。",
    ]
    assert [len(section(data, h)["items"]) for h in ("依據", "目的", "任務", "執行", "協調配合", "通信聯絡")] == [
        2,
        1,
        3,
        3,
        2,
        4,
    ]
    purpose = section(data, "目的")["items"][0]
    assert purpose["number"] == "" and purpose["text"].startswith("為防範春節期間")
    period_item, focus, report = section(data, "執行")["items"]
    assert period_item["text"].startswith("工作期間：103年1月21日")
    assert focus["number"] == "2、" and focus["text"] == "執行重點："
    groups = focus["children"]
    assert [g["number"] for g in groups] == ["（1）", "（2）", "（3）"]
    assert [g["text"] for g in groups] == ["落實機密維護：", "強化安全維護：", "協助機關保防聯繫:"]
    assert [len(g["children"]) for g in groups] == [9, 7, 2]
    assert [i["number"] for i in groups[0]["children"]] == [f"{n}、" for n in range(1, 10)]
    secrecy = groups[0]["children"][1]["children"]
    assert [i["number"] for i in secrecy] == ["(1)", "(2)", "(3)", "(4)", "(5)"]
    assert groups[0]["children"][7]["text"].startswith("遇有重大資安異常案件")
    assert groups[2]["children"][1]["text"].startswith("結合防制滲透作為")
    assert report["number"] == "3、" and report["text"] == "狀況反映："
    assert len(report["children"]) == 1
    paragraph = report["children"][0]
    assert paragraph["number"] == "" and paragraph["text"].startswith("機關同仁若發現有意圖對機關進行危害")
    assert paragraph["text"].endswith("立即通報本處。")


def test_seed_units_and_contacts() -> None:
    data = parse_plan(seed_lines()).to_dict()
    # DOMAIN §1: the units the seed names (its own units, the county's schools, the agency head, the duty staff)
    assert {u["name"]: u["kind"] for u in data["units"]} == {
        "政風處": "unit",
        "行政暨研考處": "unit",
        "建設處": "unit",
        "財政處": "unit",
        "教育網路中心": "unit",
        "縣屬國民中、小學": "schools",
        "機關首長": "head",
        "值勤人員": "duty",
    }
    # … and the outside organisations: police, the Investigation Bureau station, the national cyber contact and the
    # superior ethics office
    assert {o["name"]: o["kind"] for o in data["organisations"]} == {
        "警察單位": "police",
        "地區警方": "police",
        "轄區警察機關": "police",
        "調查處站": "investigation",
        "地區調查機關": "investigation",
        "調查機關": "investigation",
        "行政院國家資通安全會報": "cyber",
        "法務部廉政署": "superior",
    }
    assert all(o["organisation"] is None for o in data["organisations"])  # no directory given
    assert data["contacts"] == [
        {
            "name": "沈",
            "title": "政風處行政科科長",
            "phones": [{"kind": "mobile", "number": "0982121209", "ext": None}],
        },
        {
            "name": "蔡",
            "title": "政風處行政科科員",
            "phones": [{"kind": "mobile", "number": "0989522247", "ext": None}],
        },
        {
            "name": "政風處",
            "title": "",
            "phones": [
                {"kind": "office", "number": "03-8222944", "ext": None},
                {"kind": "office", "number": "03-8222156", "ext": None},
                {"kind": "office", "number": "03-8227171", "ext": "315"},
                {"kind": "fax", "number": "03-8222605", "ext": None},
            ],
        },
    ]


def test_units_are_matched_to_the_directory_and_unknown_ones_listed() -> None:
    directory = Directory(units={"政風處": 1, "建設處": 2, "財政處": 3, "工務科": 4}, top_unit=9)
    outline = parse_plan(seed_lines(), directory=directory)
    assert next(u for u in outline.units if u.kind == "head").unit_id == 9  # the agency head answers for the top
    units = {u.name: u.unit_id for u in outline.units if u.kind == "unit"}
    assert units == {"政風處": 1, "建設處": 2, "財政處": 3, "教育網路中心": None, "行政暨研考處": None}
    unknown = [w for w in outline.warnings if "directory" in w]
    assert len(unknown) == 3 + 8  # two units and the schools; every organisation (the directory has none)
    assert any(w.startswith("line 29:") and "縣屬國民中、小學" in w for w in unknown)
    assert not any("值勤人員" in w or "機關首長" in w for w in unknown)  # a role is not a unit to look up
    assert any(w.startswith("line 29:") and "教育網路中心" in w for w in unknown)


VARIANT = """\
測試縣政府１１５年度春安工作期間
機關安全維護執行計畫
一、依據：本府函。
二、目的
  防範危安事件。
三、執行
(一)工作期間：115年2月13日(星期五)8時起至2月22日(星期日)24時止，為期10日。
(二)執行重點
1. 落實機密維護：
(1)宣導保密規定。
(2)請本府建設處檢查工地。
甲、白天巡查。
乙、夜間巡查。
(3)協請本府資訊中心加強資安。
2. 強化安全維護
(三)狀況反映
  立即通報本處。
四、通信聯絡
１、政風室王小明主任：0912-345-678、（02）2345-6789分機12
２、政風室傳真：02-23456780
"""


def test_other_numbering_styles_half_and_full_width() -> None:
    outline = parse_plan(VARIANT.splitlines(), directory_units={"建設處": 7})
    data = outline.to_dict()
    assert data["agency"] == "測試縣政府"
    assert data["period"] == {"start": "2026-02-13T08:00:00+08:00", "end": "2026-02-23T00:00:00+08:00", "days": 10}
    assert [s["heading"] for s in data["sections"]] == ["依據：本府函。", "目的", "執行", "通信聯絡"]
    execution = section(data, "執行")["items"]
    assert [i["number"] for i in execution] == ["(一)", "(二)", "(三)"]
    focus = execution[1]["children"]
    assert [i["number"] for i in focus] == ["1.", "2."]
    assert [i["number"] for i in focus[0]["children"]] == ["(1)", "(2)", "(3)"]
    assert [i["text"] for i in focus[0]["children"][1]["children"]] == ["白天巡查。", "夜間巡查。"]
    assert execution[2]["children"][0]["text"] == "立即通報本處。"
    assert {u.name: u.unit_id for u in outline.units} == {"建設處": 7, "資訊中心": None}
    assert data["contacts"] == [
        {
            "name": "王小明",
            "title": "政風室主任",
            "phones": [
                {"kind": "mobile", "number": "0912345678", "ext": None},
                {"kind": "office", "number": "02-23456789", "ext": "12"},
            ],
        },
        {"name": "政風室", "title": "", "phones": [{"kind": "fax", "number": "02-23456780", "ext": None}]},
    ]


@pytest.mark.parametrize(
    ("line", "style", "number", "written"),
    [
        ("一、 依據", "cn", 1, "一、"),
        ("十二、 附則", "cn", 12, "十二、"),
        ("（三） 執行", "cn_paren", 3, "（三）"),
        ("(三)執行", "cn_paren", 3, "(三)"),
        ("１、 工作期間", "num", 1, "１、"),
        ("12. 項目", "num_dot", 12, "12."),
        ("１２．項目", "num_dot", 12, "１２．"),
        ("（１） 項目", "num_paren", 1, "（１）"),
        ("(4) 項目", "num_paren", 4, "(4)"),
        ("丙、 項目", "tiangan", 3, "丙、"),
        ("（乙） 項目", "tiangan_paren", 2, "（乙）"),
    ],
)
def test_markers(line: str, style: str, number: int, written: str) -> None:
    marker = marker_of(line)
    assert marker is not None
    assert (marker.style, marker.number, marker.written) == (style, number, written)


@pytest.mark.parametrize("line", ["103年1月21日", "1.5公尺以上", "一般規定", "甲方同意", "(註)說明"])
def test_not_markers(line: str) -> None:
    assert marker_of(line) is None


def test_a_wrong_number_of_days_is_a_warning_naming_the_line() -> None:
    lines = seed_lines()
    lines[16] = lines[16].replace("為期25日", "為期24日")
    outline = parse_plan(lines)
    assert outline.days == 25
    assert outline.warnings == ["line 17: the plan says 為期24日 but the period is 25 days."]


def test_a_wrong_weekday_is_a_warning() -> None:
    lines = seed_lines()
    lines[16] = lines[16].replace("（星期五）", "（星期六）")
    outline = parse_plan(lines)
    assert outline.to_dict()["period"]["end"] == "2014-02-15T00:00:00+08:00"
    assert outline.warnings == ["line 17: 2月14日 is 星期五, not 星期六."]


def test_an_impossible_date_is_an_error_naming_the_line() -> None:
    lines = seed_lines()
    lines[16] = lines[16].replace("2月14日", "2月30日")
    with pytest.raises(PlanDocumentError) as exc:
        parse_plan(lines)
    assert exc.value.problems[0].startswith("line 17: the period cannot be read")


def test_a_plan_without_period_or_sections_is_refused() -> None:
    with pytest.raises(PlanDocumentError) as exc:
        parse_plan(["某某計畫", "一、依據", "二、目的"])
    assert exc.value.problems == ["No period sentence (e.g. 103年1月21日22時起至2月14日24時止) was found."]
    with pytest.raises(PlanDocumentError) as exc:
        parse_plan(["只是一段文字。", "沒有編號。"])
    assert "No numbered sections" in exc.value.problems[0]


def test_numbering_that_skips_is_a_warning() -> None:
    outline = build_outline(["標題", "一、依據", "1、甲", "3、乙", "二、目的"])
    assert outline.warnings == ["line 4: the number 3、 does not follow the numbering before it."]
    assert [i.text for i in outline.roots[0].children] == ["甲", "乙"]
    assert [i.text for i in outline.roots] == ["依據", "目的"]


def test_a_wrapped_line_continues_its_item() -> None:
    first = "法務部廉政署102年12月25日廉政字第10200378760號"
    outline = build_outline(["標題", "一、依據", f"1、{first}", "函辦理。", "2、本府要點。"])
    assert [i.text for i in outline.roots[0].children] == [f"{first}函辦理。", "本府要點。"]


def test_date_and_document_number_lines_are_not_part_of_the_title() -> None:
    lines = seed_lines()
    lines[2:2] = ["中華民國102年12月30日", "府政風字第1020012345號"]
    outline = parse_plan(lines)
    assert outline.title == "花蓮縣政府103年度春安工作期間公務機密暨機關安全維護執行計畫"


def test_a_period_across_the_new_year() -> None:
    lines = ["某機關104年度春安計畫", "一、執行", "(一)工作期間：103年12月30日20時起至1月3日（星期六）8時止，為期5天。"]
    outline = parse_plan(lines)
    assert outline.to_dict()["period"] == {
        "start": "2014-12-30T20:00:00+08:00",
        "end": "2015-01-03T08:00:00+08:00",
        "days": 5,
    }
    assert outline.warnings == ["No contacts (通信聯絡) were found."]


def test_the_same_marker_at_several_depths() -> None:
    lines = [
        "標題",
        "1、 依據",
        "1、 甲函。",
        "2、 乙要點。",  # continues the items of 依據 (deepest), not the sections
        "2、 執行",  # a section name: back to the top
        "1、 工作期間：103年1月1日起至1月2日止。",
        "2、 執行重點：",
        "（1） 第一組：",
        "1、 第一件事，請各單位辦理。",
        "2、 第二件事，請各單位辦理。",
        "3、 第三件事，請各單位辦理。",  # a sentence goes with sentences (the group's items)
        "3、 狀況反映：",  # a short heading goes with headings (工作期間：, 執行重點：)
        "立即通報本處。",
        "3、 通信聯絡",
    ]
    roots = build_outline(lines).roots
    assert [r.text for r in roots] == ["依據", "執行", "通信聯絡"]
    assert [i.text for i in roots[0].children] == ["甲函。", "乙要點。"]
    execution = roots[1].children
    assert [i.number for i in execution] == ["1、", "2、", "3、"]
    assert len(execution[1].children[0].children) == 3
    assert execution[2].children[0].text == "立即通報本處。"


def test_paragraphs_under_a_heading() -> None:
    outline = build_outline(["標題", "一、目的", "第一段的前半，", "第一段的後半。", "", "第二段。"])
    assert [(i.number, i.text) for i in outline.roots[0].children] == [
        ("", "第一段的前半，第一段的後半。"),
        ("", "第二段。"),
    ]
