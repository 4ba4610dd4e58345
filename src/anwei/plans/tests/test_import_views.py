"""The upload page: preview before anything is saved, field errors for bad files, a signed save step."""

import re
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from anwei.plans.models import Plan

from .test_import_parser import SEED, english  # noqa: F401 (fixture)
from .test_import_readers import docx_bytes, seed_lines


def in_english(client: Any) -> Any:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def upload(client: Any, name: str, content: bytes) -> Any:
    in_english(client)
    return client.post("/plans/import/", {"document": SimpleUploadedFile(name, content)})


def test_preview_shows_the_outline_and_saves_nothing(client_for: Any, world: Any) -> None:
    client = client_for("ethics")
    assert client.get("/plans/import/").status_code == 200
    response = upload(client, "plan.docx", docx_bytes(seed_lines()))
    assert response.status_code == 200
    html = response.content.decode()
    assert "花蓮縣政府103年度春安工作期間公務機密暨機關安全維護執行計畫" in html
    assert "狀況反映：" in html and "機關同仁若發現" in html
    assert 'href="tel:0982121209"' in html and 'href="tel:03-8227171,315"' in html
    assert "the unit 教育網路中心 is not in the directory." in html
    assert "The document is a plan of 花蓮縣政府; it will be imported for 測試縣政府." in html
    assert 'name="token"' in html and "plan.docx (docx)" in html
    assert Plan.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "The submitted file is empty."), (b"\x00\x01binary", "This is not a text document")],
)
def test_bad_files_get_a_field_error(client_for: Any, world: Any, content: bytes, message: str) -> None:
    response = upload(client_for("admin"), "plan.txt", content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Plan.objects.count() == 0


def test_an_error_names_the_line(client_for: Any, world: Any) -> None:
    content = SEED.read_text(encoding="utf-8").replace("2月14日", "2月30日").encode("big5")
    response = upload(client_for("admin"), "plan.txt", content)
    assert "line 17: the period cannot be read" in response.content.decode()


def test_a_forged_or_foreign_token_saves_nothing(client_for: Any, world: Any) -> None:
    ethics = client_for("ethics")
    html = upload(ethics, "plan.txt", SEED.read_bytes()).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    response = in_english(client_for("admin")).post("/plans/import/save/", {"token": token}, follow=True)
    assert "The preview has expired or is not valid" in response.content.decode()
    response = ethics.post("/plans/import/save/", {"token": token[:-3] + "abc"}, follow=True)
    assert "The preview has expired or is not valid" in response.content.decode()
    assert Plan.objects.count() == 0


def test_only_agency_wide_importers(client_for: Any, world: Any) -> None:
    for persona in ("head", "auditor", "duty", "supervisor_a", "staff_a", "outsider"):
        assert client_for(persona).get("/plans/import/").status_code == 403
    assert client_for("anonymous").get("/plans/import/").status_code == 302


def test_the_page_speaks_traditional_chinese_by_default(client_for: Any, world: Any) -> None:
    html = client_for("ethics").get("/plans/import/").content.decode()
    assert "匯入計畫文件" in html and "讀取並預覽" in html
    response = client_for("ethics").post("/plans/import/", {"document": SimpleUploadedFile("p.txt", b"\x00bin")})
    assert "這不是文字檔（.txt）、.odt 或 .docx 檔案。" in response.content.decode()


def test_plan_list_links_to_the_import_page_for_those_who_may_import(client_for: Any) -> None:
    assert "/plans/import/" in client_for("ethics").get("/plans/").content.decode()
    assert "/plans/import/" not in client_for("staff_a").get("/plans/").content.decode()
