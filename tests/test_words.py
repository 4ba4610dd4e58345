"""The user's words for what the code keeps in its own (issue 14): rule sources without DOMAIN references, audit
changes as "field: old → new" with ROC dates and the choices' names, Django's empty choice in zh-Hant, and messages
whose Western dates are written as ROC dates."""

import pytest
from django import forms
from django.test import Client
from django.utils import translation

from anwei.audit import display
from anwei.core.wording import readable_source, roc_dates_in
from anwei.directory.models import Unit
from anwei.notifications import services as notifications
from anwei.notifications.models import Notification

from .personas import World


def test_a_rule_source_reads_as_the_office_cites_it() -> None:
    with translation.override("zh-hant"):
        assert readable_source("DOMAIN §5 — immediate-report triggers [practice]") == "應立即通報之情形（實務作法）"
        assert (
            readable_source(
                "DOMAIN §1 — 花蓮縣政府103年春節安全維護計畫 (seed): 大陸人士來訪違常通報調查處站 [assumed §6]"
            )
            == "花蓮縣政府103年春節安全維護計畫: 大陸人士來訪違常通報調查處站（暫定）"
        )
        assert readable_source("DOMAIN §2 — 資通安全事件通報及應變辦法 (2021), 第11、13條") == (
            "資通安全事件通報及應變辦法 (2021), 第11、13條"
        )
        assert readable_source("本府自訂規定") == "本府自訂規定"
        assert readable_source(
            "DOMAIN §2 — 資通安全事件通報應變及演練辦法 (2026-01-05) [unconfirmed: figures of 2021]"
        ) == ("資通安全事件通報應變及演練辦法 (115年1月5日)（未經確認，暫沿用2021年版之時限）")


def test_western_dates_in_a_message_become_roc_dates() -> None:
    assert roc_dates_in("請於 2026-12-13 前完成改善") == "請於 115年12月13日 前完成改善"
    assert roc_dates_in("知悉時間: 2026-12-06 09:05") == "知悉時間: 115年12月6日9時5分"
    assert roc_dates_in("案號 ANW-2026-0001，/incidents/2026-12-06/") == "案號 ANW-2026-0001，/incidents/2026-12-06/"


def test_an_audit_change_reads_as_field_old_to_new() -> None:
    with translation.override("zh-hant"):
        assert display.record_type("classified.classifieditem") == "機密文件"
        lines = display.changes("classified.classifieditem", {"status": ["in_custody", "on_loan"]})
        assert [(c.label, c.old, c.new) for c in lines] == [("狀態", "保管中", "借出中")]
        created = display.changes(
            "classified.classifieditem", {"new": {"storage_location": "機要室保險櫃", "classified_on": "2026-01-05"}}
        )
        assert [(c.label, c.old, c.new) for c in created] == [
            ("存置處所", None, "機要室保險櫃"),
            ("核定日期", None, "115年1月5日"),
        ]
        assert display.changes("accounts.user", {"second_factor": "authenticator", "ok": True})[1].new == "是"
        assert display.record_text("staff_a → 香港 2026-12-01") == "staff_a → 香港 115年12月1日"


@pytest.mark.django_db
def test_the_empty_choice_is_in_the_users_language() -> None:
    class UnitForm(forms.Form):
        unit = forms.ModelChoiceField(queryset=Unit.objects.all())

    with translation.override("zh-hant"):
        html = str(UnitForm()["unit"])
    assert "請選擇…" in html and "Select an option" not in html


@pytest.mark.django_db
def test_a_message_is_stored_with_roc_dates(world: World) -> None:
    with translation.override("en"):
        notifications.notify(
            people=[world.people["staff_a"]], subject="改善期限 2026-12-13", body="請於 2026-12-13 10:00 前改善"
        )
    message = Notification.objects.get(person=world.people["staff_a"])
    assert (message.subject, message.body) == ("改善期限 115年12月13日", "請於 115年12月13日10時 前改善")


@pytest.mark.django_db
def test_the_routing_rules_page_names_recipients_clocks_and_sources_in_words(world: World) -> None:
    client = Client()
    client.force_login(world.users["ethics"])
    page = client.get("/incidents/rules/").content.decode()
    for code in ("role:", "duty:", "org:", "DOMAIN §", "[practice]", "national-security"):
        assert code not in page, code
    assert "所有通報：1小時內通報政風機構" in page
    assert "政風人員、政風值勤人員" in page or "政風人員" in page
    assert "陳報政風機構：1小時內" in page
