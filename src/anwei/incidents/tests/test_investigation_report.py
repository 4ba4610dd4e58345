"""A level-3 cyber incident's investigation, handling and improvement report (調查、處理及改善報告): written on the
guided form under the headings of 施行細則 §8, downloaded as PDF and ODT with those headings filled from the form;
the copy-ready text for the national platform's web form, whose reference number, recorded as a platform contact,
meets the notify clock of the national body."""

import io
import json
import re
import zipfile
from datetime import timedelta
from typing import Any

import pypdfium2 as pdfium
import pytest
from django.test import Client
from django.utils import timezone, translation

from anwei.audit.models import AuditEntry
from anwei.core import rocdate
from anwei.incidents import services
from anwei.incidents.models import Deadline, Incident

pytestmark = pytest.mark.django_db

HEADINGS = [
    "一、事件發生、知悉及完成損害控制或復原作業之時間",
    "二、事件影響之範圍及損害評估",
    "三、損害控制及復原作業之歷程",
    "四、事件調查及處理作業之歷程",
    "五、事件根因分析",
    "六、為防範類似事件再次發生所採取之管理、技術、人力或資源等層面之措施",
    "七、前款措施之預定完成時程及成效追蹤機制",
]
ANSWERS = {
    "scope_and_damage": "公文系統三台伺服器受影響，約二千筆公文外洩之虞",
    "containment_steps": "隔離受駭主機並自備份還原",
    "investigation_steps": "委請資安廠商鑑識日誌",
    "root_cause": "管理帳號使用弱密碼",
    "preventive_measures": "全面導入多因子驗證",
    "follow_up": "一一六年三月底前完成並每季追蹤",
}


def _client(world: Any, persona: str) -> Client:
    c = Client()
    c.force_login(world.users[persona])
    return c


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture
def incident(roster: Any) -> Incident:
    now = timezone.now()
    return services.file_report(
        actor=roster.users["staff_a"],
        agency=roster.agency,
        category="cyber",
        title="公文系統遭入侵",
        description="公文系統出現異常管理帳號登入",
        cyber_level=3,
        aware_at=now - timedelta(hours=3),
        measures_taken="已中斷對外連線",
    )


def test_the_report_is_written_on_the_form_and_downloads_as_pdf_and_odt_with_the_section_8_headings(
    roster: Any, incident: Incident
) -> None:
    ethics = _client(roster, "ethics")
    url = f"/incidents/{incident.pk}/investigation-report/"
    assert f'href="{url}"' in ethics.get(f"/incidents/{incident.pk}/").content.decode()
    page = ethics.get(url).content.decode()
    for heading in HEADINGS:
        assert heading in page
    assert _client(roster, "staff_b").post(url, ANSWERS).status_code in (403, 404)

    occurred = timezone.localtime(incident.aware_at - timedelta(hours=2)).replace(second=0, microsecond=0)
    saved = ethics.post(url, {**ANSWERS, "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M")})
    assert saved.status_code == 302
    incident.refresh_from_db()
    assert incident.root_cause == "管理帳號使用弱密碼" and incident.occurred_at == occurred
    assert AuditEntry.objects.filter(object_type="incidents.incident", action="update").exists()

    incident = services.mark_recovered(actor=roster.users["ethics"], incident_id=incident.pk)
    clock = incident.deadlines.get(code="investigation_report")
    assert clock.due_at is not None and clock.due_at - incident.recovered_at >= timedelta(days=28)  # type: ignore[operator]
    with translation.override("zh-hant"):
        due, recovered = rocdate.format_datetime(clock.due_at), rocdate.format_datetime(incident.recovered_at)
    assert f"Due by {due}" not in page and due in ethics.get(url).content.decode()  # shown once recovered

    odt = ethics.get(f"/incidents/{incident.pk}/investigation-report.odt")
    assert odt.status_code == 200 and odt["Content-Type"] == "application/vnd.oasis.opendocument.text"
    content = zipfile.ZipFile(io.BytesIO(odt.content)).read("content.xml").decode()
    text = re.sub(r"<[^>]+>", "\n", content)
    assert "資通安全事件調查、處理及改善報告" in text and incident.reference in text
    positions = [text.index(h) for h in HEADINGS]
    assert positions == sorted(positions)  # in the order of §8
    for n, (field, answer) in enumerate(ANSWERS.items(), start=1):  # each answer under its own heading
        at = text.index(answer)
        assert positions[n] < at and (n + 1 == len(HEADINGS) or at < positions[n + 1]), field
    assert recovered in text  # the first section's times, as 民國 dates

    pdf = ethics.get(f"/incidents/{incident.pk}/investigation-report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    document = pdfium.PdfDocument(pdf.content)
    pdf_text = _flat("".join(page.get_textpage().get_text_range() for page in document))
    for heading in HEADINGS:
        assert _flat(heading) in pdf_text, heading
    for answer in ANSWERS.values():
        assert _flat(answer) in pdf_text, answer


def test_the_platform_text_is_ready_to_paste_and_its_reference_number_meets_the_notify_clock(
    roster: Any, incident: Incident
) -> None:
    ethics = _client(roster, "ethics")
    page = ethics.get(f"/incidents/{incident.pk}/investigation-report/").content.decode()
    area = re.search(r'<textarea id="platform-text"[^>]*>(.*?)</textarea>', page, re.S)
    assert area is not None
    text = area.group(1)
    assert f"機關名稱：{roster.agency.name}" in text
    assert "評估事件等級：3級：" in text and "已採取之應變措施：已中斷對外連線" in text
    assert f"本機關通報編號 {incident.reference}" in text and "事件說明：公文系統遭入侵" in text
    assert 'data-copy="platform-text"' in page
    clock = Deadline.objects.get(incident=incident, code="notify", body="org:cyber")
    assert clock.met_at is None
    recorded = ethics.post(
        f"/api/v1/incidents/{incident.pk}/contacts",
        data=json.dumps(
            {
                "clock": clock.pk,
                "channel": "platform",
                "person_reached": "國家資安通報應變網站",
                "reference": "A-115-0001",
            }
        ),
        content_type="application/json",
    )
    assert recorded.status_code == 201, recorded.content
    clock.refresh_from_db()
    assert clock.met_at is not None and clock.met_how == Deadline.How.PLATFORM


def test_only_a_cyber_incident_has_the_report(roster: Any) -> None:
    other = services.file_report(
        actor=roster.users["staff_a"], agency=roster.agency, category="theft", title="辦公室失竊"
    )
    assert _client(roster, "ethics").get(f"/incidents/{other.pk}/investigation-report/").status_code == 404
