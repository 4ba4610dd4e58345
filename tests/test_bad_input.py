"""Bad input: each refused with a clear message, nothing half-written, no stack trace shown.

The upload checks (core/uploads.py) are what every app that takes files uses; the pages and the API are those on
main today (directory, accounts, audit, API) — each app's own tests cover its imports as they land."""

import io
import json
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import path
from django.utils import translation

from anwei import urls as site_urls
from anwei.audit.models import AuditEntry
from anwei.core.errors import BusinessRuleError
from anwei.core.uploads import decode_text, inspect_upload, read_csv, safe_filename
from anwei.directory.models import Person

ODT_MIME = b"application/vnd.oasis.opendocument.text"


def _zip(members: dict[str, bytes], *, mimetype: bytes | None = ODT_MIME) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if mimetype:
            archive.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _docx(extra: dict[str, bytes] | None = None) -> bytes:
    members = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>", **(extra or {})}
    return _zip(members, mimetype=None)


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are matched in English here (the pages' zh-Hant is checked where they are shown)."""
    with translation.override("en"):
        yield


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


# --- uploads: judged by content, size, zip bombs, names -----------------------------------------------------------


def test_documents_are_recognised_by_content() -> None:
    assert inspect_upload(_upload("計畫.odt", _zip({"content.xml": b"<office/>"})), allowed={"odt"}).kind == "odt"
    assert inspect_upload(_upload("plan.docx", _docx()), allowed={"docx"}).kind == "docx"
    assert inspect_upload(_upload("a.pdf", b"%PDF-1.7\n..."), allowed={"pdf"}).kind == "pdf"
    csv_file = inspect_upload(_upload("名單.csv", "姓名,單位\n沈科長,政風處\n".encode()), allowed={"text"})
    assert csv_file.kind == "text" and csv_file.name == "名單.csv" and len(csv_file.sha256) == 64


@pytest.mark.parametrize(
    ("name", "data", "allowed"),
    [
        ("plan.odt", b"%PDF-1.4 a PDF named .odt", {"odt", "docx"}),
        ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00 a Windows program", {"pdf"}),
        ("plan.docx", _zip({"content.xml": b"<office/>"}), {"docx"}),  # an ODT named .docx
        ("plan.odt", _zip({"a.txt": b"x"}, mimetype=None), {"odt"}),  # a plain zip named .odt
        ("photo.png", b"<script>alert(1)</script>", {"png", "jpeg"}),
    ],
)
def test_wrong_type_by_content_is_refused_whatever_the_name(name: str, data: bytes, allowed: set[str]) -> None:
    with pytest.raises(BusinessRuleError, match="By its content") as info:
        inspect_upload(_upload(name, data), allowed=allowed)
    assert info.value.field == "file"


def test_oversize_upload_is_refused_without_reading_it_whole(settings: Any) -> None:
    settings.ANWEI_MAX_UPLOAD_BYTES = 1024 * 1024
    big = _upload("big.pdf", b"%PDF-1.7" + b"0" * (3 * 1024 * 1024))
    with pytest.raises(BusinessRuleError, match=r"larger than 1\.0 MB"):
        inspect_upload(big, allowed={"pdf"})
    with pytest.raises(BusinessRuleError, match="empty"):
        inspect_upload(_upload("empty.pdf", b""), allowed={"pdf"})


def test_zip_bombs_in_odt_and_docx_are_refused() -> None:
    # one member that unpacks to 1000× its size
    with pytest.raises(BusinessRuleError, match="zip bomb"):
        inspect_upload(_upload("bomb.odt", _zip({"content.xml": b"\x00" * (20 * 1024 * 1024)})), allowed={"odt"})
    # many members, each modest, adding up to more than any document
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<w:document/>")
        for i in range(105):
            archive.writestr(f"word/media/{i}.bin", b"\x00" * (1024 * 1024 - 1))  # under the ratio threshold each
    with pytest.raises(BusinessRuleError, match="zip bomb"):
        inspect_upload(_upload("bomb.docx", buffer.getvalue()), allowed={"docx"})


@pytest.mark.parametrize("member", ["../../../etc/cron.d/evil", "/etc/passwd", "word\\..\\..\\evil.dll", "C:/evil"])
def test_path_traversal_inside_documents_is_refused(member: str) -> None:
    with pytest.raises(BusinessRuleError, match="outside"):
        inspect_upload(_upload("plan.docx", _docx({member: b"x"})), allowed={"docx"})


def test_damaged_and_encrypted_documents_are_refused() -> None:
    with pytest.raises(BusinessRuleError, match="damaged"):
        inspect_upload(_upload("plan.odt", b"PK\x03\x04 truncated"), allowed={"odt"})
    data = bytearray(_docx())
    # set the "encrypted" flag bit in the local and central headers
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        while at != -1:
            data[at + offset] |= 0x1
            at = data.find(signature, at + 4)
    with pytest.raises(BusinessRuleError, match="encrypted"):
        inspect_upload(_upload("plan.docx", bytes(data)), allowed={"docx"})


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\win.ini", "win.ini"),
        ("/var/www/.htaccess", "htaccess"),
        ("計畫\x00.odt", "計畫.odt"),
        ("report\r\n.pdf", "report.pdf"),
        ("..", "upload"),
        ("", "upload"),
        ('a<b>:"c"|?*.pdf', "abc.pdf"),
        ("春安" * 100 + ".odt", "春安" * 73 + ".odt"),
    ],
)
def test_file_names_lose_their_path_and_control_characters(name: str, safe: str) -> None:
    assert safe_filename(name) == safe
    assert len(safe_filename(name)) <= 150


# --- text and CSV: UTF-8, Big5, malformed --------------------------------------------------------------------------


def test_utf8_and_big5_text_are_read_and_other_bytes_refused() -> None:
    text = "花蓮縣政府春安工作期間公務機密暨機關安全維護執行計畫"
    assert decode_text(text.encode("utf-8")) == text
    assert decode_text(b"\xef\xbb\xbf" + text.encode("utf-8")) == text
    assert decode_text(text.encode("big5")) == text
    with pytest.raises(BusinessRuleError, match="neither UTF-8 nor Big5"):
        decode_text(b"\xff\xfe\xfa\xfb\x80\x81")
    with pytest.raises(BusinessRuleError, match="NUL"):
        decode_text(("plan 計畫 " + text).encode("utf-16"))


def test_csv_is_read_strictly_with_the_line_named() -> None:
    rows = read_csv("姓名,單位\n沈科長,政風處\n\n蔡科員,政風處\n".encode("big5"), required=["姓名", "單位"])
    assert rows == [{"姓名": "沈科長", "單位": "政風處"}, {"姓名": "蔡科員", "單位": "政風處"}]
    with pytest.raises(BusinessRuleError, match="lacks the column"):
        read_csv("名字,單位\n沈,政風處\n".encode(), required=["姓名"])
    with pytest.raises(BusinessRuleError, match="Line 3 has 3 fields"):
        read_csv("姓名,單位\n沈,政風處\n蔡,政風處,多的\n".encode(), required=["姓名"])
    with pytest.raises(BusinessRuleError, match="Line 2 cannot be read"):
        read_csv('姓名,單位\n"沈,政風處\n'.encode(), required=["姓名"])
    with pytest.raises(BusinessRuleError, match="empty"):
        read_csv(b"", required=["姓名"])
    with pytest.raises(BusinessRuleError, match="too long"):
        read_csv(("姓名\n" + "長" * 3000 + "\n").encode(), required=["姓名"])


# --- pages and API on main: over-long, unknown, malformed, oversize ------------------------------------------------


def _unchanged(before_people: int, before_audit: int) -> None:
    assert Person.objects.count() == before_people, "a person was half-written"
    assert AuditEntry.objects.count() == before_audit, "an audit entry was written for a refused request"


def _no_trace(body: bytes) -> None:
    text = body.decode("utf-8", "replace")
    assert "Traceback" not in text and 'File "' not in text and "django.db" not in text


@pytest.mark.django_db
def test_forms_refuse_over_long_fields_with_field_messages(client_for: Any, world: Any) -> None:
    client = client_for("ethics")
    people, entries = Person.objects.count(), AuditEntry.objects.count()
    response = client.post(
        "/directory/people/new/", {"unit": world.units["a"].pk, "name": "長" * 81, "title": "科員" * 50}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="errorlist"') >= 2
    _unchanged(people, entries)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "新進人員", "clearance": "secret"}, "clearance"),  # unknown field
        ({"name": "長" * 81}, "name"),  # over-long
        ({"name": "新進人員", "email": "x" * 300}, "email"),
        ({"name": "新進人員", "unit_id": True}, "unit_id"),  # wrong type
        ({"name": ""}, "name"),
    ],
)
def test_api_refuses_unknown_over_long_and_wrong_fields(
    client_for: Any, world: Any, payload: dict[str, Any], field: str
) -> None:
    client = client_for("ethics")
    people, entries = Person.objects.count(), AuditEntry.objects.count()
    body = {"unit_id": world.units["a"].pk, **payload}
    response = client.post("/api/v1/directory/people", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["fields"]
    _unchanged(people, entries)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        b'{"unit_id": 1, "name": "\xff\xfe"}',  # not UTF-8
        '{"unit_id": 1, "name": "沈"}'.encode("big5"),  # Big5 is not JSON's encoding
        b'{"unit_id": 1, "name": "a\\u0000b"}',  # NUL
        b'{"unit_id": 1, "name": ',  # truncated
        b"\x00\x01\x02",
    ],
)
def test_api_refuses_unreadable_bodies(client_for: Any, world: Any, body: bytes) -> None:
    client = client_for("ethics")
    people, entries = Person.objects.count(), AuditEntry.objects.count()
    response = client.post("/api/v1/directory/people", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
    _no_trace(response.content)
    _unchanged(people, entries)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/directory/people?q=a%00b",
        "/directory/?q=%00",
        "/api/v1/directory/units?offset=99999999999999999999999",
        "/api/v1/directory/units?limit=100000",
        "/api/v1/directory/people/99999999999999999999999",
        "/directory/people/99999999999999999999999/",
        "/api/v1/directory/people?q=%ff%fe%fd",
        "/directory/?q=%ff%fe",
    ],
)
def test_queries_that_break_databases_are_client_errors(client_for: Any, url: str) -> None:
    client = client_for("ethics")
    client.raise_request_exception = False
    response = client.get(url)
    assert 200 <= response.status_code < 500, f"{url}: {response.status_code}"
    _no_trace(response.content)


@pytest.mark.django_db
def test_nul_in_a_form_is_refused(client_for: Any, world: Any) -> None:
    client = client_for("ethics")
    people, entries = Person.objects.count(), AuditEntry.objects.count()
    response = client.post("/directory/people/new/", {"unit": world.units["a"].pk, "name": "a\x00b"})
    assert response.status_code == 400 and "NUL" in response.content.decode()
    _unchanged(people, entries)


@pytest.mark.django_db
def test_oversize_request_body_is_refused_with_the_site_page(client_for: Any, world: Any, settings: Any) -> None:
    client = client_for("ethics")
    client.raise_request_exception = False
    people = Person.objects.count()
    response = client.post(
        "/directory/people/new/",
        {"unit": world.units["a"].pk, "name": "x", "notes": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)},
    )
    assert response.status_code == 400
    _no_trace(response.content)
    assert Person.objects.count() == people
    response = client.post(
        "/api/v1/directory/people",
        json.dumps({"unit_id": world.units["a"].pk, "name": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)}),
        content_type="application/json",
    )
    assert response.status_code in (400, 413, 422)
    _no_trace(response.content)
    assert Person.objects.count() == people


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/static/../settings.py", "/static/%2e%2e/%2e%2e/settings.py", "/media/../../etc/passwd", "/..%2f..%2fetc"]
)
def test_path_traversal_in_urls_finds_nothing(url: str) -> None:
    response = Client().get(url)
    assert response.status_code in (302, 400, 404)
    assert b"SECRET_KEY" not in response.content and b"root:" not in response.content


def _boom(request: Any) -> Any:
    raise RuntimeError("secret internals /work/anwei/settings.py")


urlpatterns = [*site_urls.urlpatterns, path("boom/", _boom)]
handler500 = site_urls.handler500


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_server_errors_show_the_site_page_and_no_stack_trace(client_for: Any, settings: Any) -> None:
    """Even a real bug shows the site's error page in Chinese, never the trace (DEBUG is off)."""
    client = client_for("staff_a")
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert settings.DEBUG is False and response.status_code == 500
    assert b"secret internals" not in response.content
    _no_trace(response.content)
    assert "系統發生錯誤" in response.content.decode() and "<header" in response.content.decode()
