"""Issue 21: the cover letter (函稿) and the memo (簽稿) a report goes upward with. The officer opens the form from the
report, finds it filled from the plan, the agency and the superior office, corrects it and downloads an ODT whose
content.xml holds every field of the official layout; the 密等 line follows the report's markings."""

import io
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from odfdo import Document

from anwei.audit.models import AuditEntry
from anwei.core.documents.blocks import CONFIDENTIAL, RESTRICTED
from anwei.directory.models import Organisation
from anwei.plans.models import Plan
from anwei.reports import builders


@pytest.fixture
def plan(world: Any) -> Plan:
    now = timezone.now()
    return Plan.objects.create(
        agency=world.agency,
        owning_unit=world.units["ethics"],
        title="測試春安計畫",
        basis=["法務部廉政署114年12月1日廉政字第1140000001號函"],
        period_start=now - timedelta(days=2),
        period_end=now + timedelta(days=2),
        status=Plan.Status.ACTIVE,
    )


def _text(data: bytes) -> str:
    content = zipfile.ZipFile(io.BytesIO(data)).read("content.xml").decode()
    assert "<office:text" in content
    return Document(io.BytesIO(data)).get_formatted_text()


def _filled(page: str, name: str) -> str:
    import lxml.html

    tree = lxml.html.fromstring(page)
    (field,) = tree.xpath(f"//*[@name='{name}']")
    return str(field.text if field.tag == "textarea" else field.get("value", "")).strip()


def test_the_cover_letter_is_filled_edited_in_the_browser_and_downloaded(
    world: Any, plan: Plan, client_for: Any
) -> None:
    Organisation.objects.create(agency=world.agency, name="法務部廉政署北部地區調查組", kind=Organisation.Kind.SUPERIOR)
    ethics = client_for("ethics")
    report = ethics.get(f"/reports/plans/{plan.pk}/final/").content.decode()
    assert f"/reports/plans/{plan.pk}/final/letter/letter/" in report
    page = ethics.get(f"/reports/plans/{plan.pk}/final/letter/letter/").content.decode()
    assert _filled(page, "recipient") == "法務部廉政署北部地區調查組"  # the superior office in the directory
    assert _filled(page, "sender") == world.agency.name
    assert "測試春安計畫" in _filled(page, "subject") and "鑒核" in _filled(page, "subject")
    assert "依據法務部廉政署114年12月1日廉政字第1140000001號函辦理" in _filled(page, "explanation")
    assert "普通" in page  # the 密等 line shown, not an input
    assert 'name="marking"' not in page

    before = AuditEntry.objects.filter(action="export").count()
    response = ethics.post(
        f"/reports/plans/{plan.pk}/final/letter/letter/",
        {
            "sender": "花蓮縣政府",
            "recipient": "法務部廉政署",
            "issued_on": "2026-12-07",
            "number": "府政預字第1150001234號",
            "speed": "速件",
            "attachment": "執行成果報告1份",
            "subject": "檢送本府「測試春安計畫」執行成果報告1份，請　鑒核。",
            "explanation": "一、依據貴署函辦理。\n二、本案執行期間為期5日。",
            "copies_to": "法務部廉政署",
            "cc": "本府政風處",
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.oasis.opendocument.text"
    text = _text(response.content)
    for line in (
        "檔　　號：",
        "保存年限：",
        "花蓮縣政府　函",
        "受文者：法務部廉政署",
        "發文日期：中華民國115年12月7日",
        "發文字號：府政預字第1150001234號",
        "速別：速件",
        "密等及解密條件或保密期限：普通",
        "附件：執行成果報告1份",
        "主旨：檢送本府「測試春安計畫」執行成果報告1份，請　鑒核。",
        "說明：",
        "一、依據貴署函辦理。",
        "二、本案執行期間為期5日。",
        "正本：法務部廉政署",
        "副本：本府政風處",
    ):
        assert line in text, line
    assert AuditEntry.objects.filter(action="export").count() == before + 1


def test_the_classification_line_follows_the_reports_markings(
    world: Any, plan: Plan, client_for: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(builders, "markings", lambda kind, window: {CONFIDENTIAL, RESTRICTED})
    ethics = client_for("ethics")
    day = timezone.localdate().isoformat()
    page = ethics.get(f"/reports/plans/{plan.pk}/daily/letter/memo/?day={day}").content.decode()
    assert "密（附件抽存後解密）；限閱" in page
    assert "每日狀況表" in _filled(page, "subject")
    data = {name: _filled(page, name) for name in ("sender", "recipient", "issued_on", "attachment")}
    data["speed"] = "最速件"
    data |= {name: _filled(page, name) for name in ("subject", "explanation", "proposal")}
    data["marking"] = "普通"  # not a field: cannot lower the marking
    response = ethics.post(f"/reports/plans/{plan.pk}/daily/letter/memo/?day={day}", data)
    assert response.status_code == 200, response.content.decode()[:2000]
    text = _text(response.content)
    assert "密等及解密條件或保密期限：密（附件抽存後解密）；限閱" in text
    assert "簽於：" in text and "擬辦：" in text and "敬陳" in text
    assert "受文者" not in text


def test_only_who_may_export_the_report_makes_its_letter(world: Any, plan: Plan, client_for: Any) -> None:
    assert client_for("outsider").get(f"/reports/plans/{plan.pk}/final/letter/letter/").status_code in (403, 404)
    assert client_for("ethics").get(f"/reports/plans/{plan.pk}/final/letter/fax/").status_code == 404
