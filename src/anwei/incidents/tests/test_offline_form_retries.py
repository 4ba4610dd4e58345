"""The report form posted by the phone's offline queue (issue 18): with an `Idempotency-Key` the page's post/redirect
answer becomes a small JSON answer the queue can read (where to go, the reference number), kept and given again to
a retry, which files nothing new; a form shown again with its errors keeps no answer; without the header the form
posts as it always did (no JavaScript)."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from anwei.core.models import IdempotencyKey
from anwei.incidents.models import Attachment, Incident

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _form(**extra: Any) -> dict[str, Any]:
    aware = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    return {"category": "theft", "title": "機車失竊", "description": "停車場", "aware_at": aware, **extra}


def _post(client: Any, data: dict[str, Any], key: str | None = None) -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/incidents/new/", data=data, **headers)


def test_a_queued_report_is_filed_once_however_often_it_is_sent(roster: Any, client_for: Any) -> None:
    staff = client_for("staff_a")
    data = _form()
    first = _post(staff, {**data, "attachments": SimpleUploadedFile("door.png", PNG, content_type="image/png")}, "q-1")
    assert first.status_code == 200, first.content[:500]
    incident = Incident.objects.get()
    assert first.json() == {"location": f"/incidents/{incident.pk}/", "reference": incident.reference}
    again = _post(staff, {**data, "attachments": SimpleUploadedFile("door.png", PNG, content_type="image/png")}, "q-1")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json()["reference"] == incident.reference
    assert Incident.objects.count() == 1 and Attachment.objects.count() == 1
    other = _post(staff, {**data, "title": "另一件"}, "q-1")  # the same key for another report: refused
    assert other.status_code == 422 and Incident.objects.count() == 1


def test_a_form_shown_again_with_errors_keeps_no_answer(roster: Any, client_for: Any) -> None:
    staff = client_for("staff_a")
    refused = _post(staff, _form(title=""), "q-2")
    assert refused.status_code == 200 and b"errorlist" in refused.content  # the page, as without the header
    assert not IdempotencyKey.objects.exists() and not Incident.objects.exists()
    assert _post(staff, _form(), "q-2").status_code == 200  # corrected: the same key may be sent
    assert Incident.objects.count() == 1


def test_without_the_header_the_form_posts_as_before(roster: Any, client_for: Any) -> None:
    staff = client_for("staff_a")
    first = _post(staff, _form())
    second = _post(staff, _form())
    assert first.status_code == second.status_code == 302
    assert Incident.objects.count() == 2 and not IdempotencyKey.objects.exists()
    # the form may be kept by the service worker to open offline; the board, with its records, never
    assert staff.get("/incidents/new/")["Anwei-Offline"] == "1"
    assert not staff.get("/incidents/").has_header("Anwei-Offline")


def test_a_queued_post_of_a_signed_out_session_is_sent_to_sign_in(roster: Any, client_for: Any) -> None:
    answer = _post(client_for("anonymous"), _form(), "q-3")
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]
    assert not IdempotencyKey.objects.exists() and not Incident.objects.exists()


def test_the_service_worker_and_the_manifest(client_for: Any) -> None:
    anonymous = client_for("anonymous")
    worker = anonymous.get("/sw.js")
    assert worker.status_code == 200 and worker["Service-Worker-Allowed"] == "/"
    assert worker["Content-Type"].startswith("text/javascript")
    assert b'"/static/anwei/offline.js"' in worker.content
    manifest = anonymous.get("/manifest.webmanifest").json()
    assert manifest["name"] == "安維" and manifest["display"] == "standalone" and manifest["lang"] == "zh-Hant-TW"
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in manifest["icons"]}
    signed_out = client_for("staff_a").post("/accounts/logout/")
    assert signed_out["Clear-Site-Data"] == '"cache", "storage"'
