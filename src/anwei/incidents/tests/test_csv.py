from typing import Any

from anwei.audit.models import AuditEntry
from anwei.incidents.services import file_report


def test_board_downloads_as_csv_with_labels_and_roc_dates_and_is_audited(world: Any, client_for: Any) -> None:
    file_report(
        actor=world.users["staff_a"], agency=world.agency, category="theft", title="公務機車失竊", unit=world.units["a"]
    )
    file_report(actor=world.users["ethics"], agency=world.agency, category="leak", title="人事資料外洩")
    staff = b"".join(client_for("staff_a").get("/incidents/reports.csv?status=all").streaming_content).decode()
    assert staff.startswith("\ufeff") and "公務機車失竊" in staff and "竊盜" in staff and "年" in staff
    assert "人事資料外洩" not in staff
    ethics = b"".join(client_for("ethics").get("/incidents/reports.csv?status=all").streaming_content).decode()
    assert "人事資料外洩" in ethics and "洩密或疑似洩密" in ethics
    assert AuditEntry.objects.filter(action="export", object_type="incidents.incident").count() == 2


def test_routing_rules_download_as_csv_and_the_download_is_audited(world: Any, client_for: Any) -> None:
    response = client_for("ethics").get("/incidents/rules.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("\ufeff")
    assert "Cyber incident level 3–4: recovery within 36 hours, agency head told" in text
    assert "資通安全事件通報及應變辦法" in text and "調查處站" in text  # the source and a recipient's name
    assert AuditEntry.objects.filter(action="export", object_type="incidents.routingrule").count() == 1
    assert client_for("staff_a").get("/incidents/rules.csv").status_code == 403
    assert AuditEntry.objects.filter(action="export", object_type="incidents.routingrule").count() == 1
