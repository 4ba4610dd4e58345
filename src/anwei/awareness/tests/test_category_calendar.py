"""The traveller category comes from the directory (a stricter one may be chosen, with a reason; a laxer one is
refused on the form and the API); a count over a year with no holidays entered is flagged and the ethics office
told; the ethics office's list of awaited return reports goes by the local (Taipei) date."""

import json
import re
from datetime import UTC, date, datetime
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from anwei.audit.models import AuditEntry
from anwei.awareness import rules, selectors, services
from anwei.awareness.models import TravelDeclaration
from anwei.core.errors import BusinessRuleError
from anwei.notifications.models import Notification
from anwei.officecalendar import workdays
from anwei.officecalendar.models import OfficeDay

pytestmark = pytest.mark.django_db


def _client(world: Any, persona: str, language: str = "") -> Client:
    c = Client()
    c.force_login(world.users[persona])
    if language:  # the language switcher's cookie; otherwise the office default, zh-Hant
        c.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return c


@pytest.fixture
def officer(world: Any) -> Any:
    person = world.people["staff_a"]
    person.grade = "第10職等"
    person.save()
    return person


TRIP = {
    "destination": rules.MAINLAND,
    "places": "上海",
    "departs_on": date(2026, 9, 30),
    "returns_on": date(2026, 10, 3),
}


def test_grade_10_officer_picking_senior_is_refused(world: Any, officer: Any) -> None:
    with pytest.raises(BusinessRuleError) as exc:
        services.declare_travel(
            actor=world.users["staff_a"],
            traveller_id=officer.pk,
            applied_on=date(2026, 9, 21),
            category=rules.SENIOR,
            category_reason="我是主管",
            **TRIP,
        )
    assert exc.value.field == "category"
    assert "「第10職等以下人員」" in str(exc.value.message) and "並非較嚴格" in str(exc.value.message)
    assert not TravelDeclaration.objects.exists()


def test_the_form_refuses_a_laxer_category_with_a_field_message(world: Any, officer: Any) -> None:
    c = _client(world, "staff_a")
    data = {
        "destination": "mainland",
        "places": "上海",
        "departs_on": "2027-03-15",
        "returns_on": "2027-03-18",
        "category": "senior",
    }
    response = c.post("/awareness/travel/new/", data)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_category_error"' in body and "不得選擇較寬鬆" in body
    assert re.search(r'aria-describedby="[^"]*\bid_category_error\b', body)  # the group points to its error
    assert not TravelDeclaration.objects.exists()
    # the directory's category is accepted as it is
    response = c.post("/awareness/travel/new/", {**data, "category": ""})
    assert response.status_code == 302
    assert TravelDeclaration.objects.get().category == rules.JUNIOR


def test_the_api_refuses_a_laxer_category(world: Any, officer: Any) -> None:
    body = {
        "destination": "mainland",
        "places": "上海",
        "departs_on": "2027-03-15",
        "returns_on": "2027-03-18",
        "category": "senior",
        "category_reason": "x",
    }
    response = _client(world, "staff_a").post("/api/v1/awareness/travel", json.dumps(body), "application/json")
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["category"]
    assert not TravelDeclaration.objects.exists()


def test_a_stricter_category_needs_a_reason_and_is_recorded(world: Any, officer: Any) -> None:
    trip = {"actor": world.users["ethics"], "traveller_id": officer.pk, "applied_on": date(2026, 9, 21), **TRIP}
    with pytest.raises(BusinessRuleError) as exc:
        services.declare_travel(**trip, category=rules.SENSITIVE)
    assert exc.value.field == "category_reason"
    d = services.declare_travel(**trip, category=rules.SENSITIVE, category_reason="承辦機密採購，主動從嚴")
    assert (d.category, d.derived_category, d.category_chosen_by) == (
        rules.SENSITIVE,
        rules.JUNIOR,
        world.users["ethics"],
    )
    assert d.category_reason == "承辦機密採購，主動從嚴" and d.category_overridden
    assert (d.rule_code, d.authority, d.required_days) == ("mainland-sensitive-7wd", rules.AUTHORITY_MOI_JOINT, 7)
    entry = AuditEntry.objects.get(object_type="awareness.traveldeclaration", action="update", object_id=str(d.pk))
    assert entry.changes["category"] == [rules.JUNIOR, rules.SENSITIVE]
    assert entry.changes["category_reason"] == ["", "承辦機密採購，主動從嚴"]
    assert entry.actor_id == world.users["ethics"].pk
    page = _client(world, "ethics", "en").get(f"/awareness/travel/{d.pk}/").content.decode()
    assert "instead of the directory" in page and "承辦機密採購，主動從嚴" in page


def test_a_senior_official_cannot_choose_the_junior_rule_either(world: Any) -> None:
    """Junior asks more days but goes to the own agency instead of the Ministry: different, not stricter."""
    senior = world.people["in_b"]
    senior.grade = "簡任第12職等"
    senior.save()
    with pytest.raises(BusinessRuleError) as exc:
        services.declare_travel(
            actor=world.users["ethics"],
            traveller_id=senior.pk,
            applied_on=date(2026, 9, 1),
            category=rules.JUNIOR,
            category_reason="x",
            **TRIP,
        )
    assert exc.value.field == "category"
    mainland, hk = rules.travel_rule(rules.MAINLAND, rules.SENIOR, date(2026, 9, 1)), rules.by_code("hkmo-junior-3d")
    assert hk is not None and not rules.is_stricter(hk, mainland)
    assert rules.is_stricter(rules.travel_rule(rules.HONG_KONG, rules.SENSITIVE, date(2026, 9, 1)), hk)


def test_a_count_over_a_year_with_no_holidays_is_flagged_and_the_ethics_office_told(world: Any, officer: Any) -> None:
    assert not OfficeDay.objects.filter(day__year=2028).exists()  # the seed covers 2026 and 2027 only
    assert workdays.Calendar(date(2027, 12, 1), date(2028, 1, 31)).missing_years == [2028]
    d = services.declare_travel(
        actor=world.users["staff_a"],
        traveller_id=officer.pk,
        destination=rules.MAINLAND,
        places="廈門",
        applied_on=date(2027, 12, 20),
        departs_on=date(2028, 1, 10),
        returns_on=date(2028, 1, 12),
    )
    assert d.calendar_missing_years == [2028]
    with translation.override("en"):
        assert services.calendar_warning(d.calendar_missing_years) == "[holidays of 民國117年 not entered]"
    note = Notification.objects.get(person=world.people["ethics"], key__contains=":calendar:")
    assert "117" in note.subject and note.url == f"/awareness/travel/{d.pk}/"
    assert not Notification.objects.filter(person=world.people["staff_a"], key__contains=":calendar:").exists()
    page = _client(world, "staff_a", "en").get(f"/awareness/travel/{d.pk}/").content.decode()
    assert "[holidays of 民國117年 not entered]" in page
    zh = _client(world, "staff_a").get(f"/awareness/travel/{d.pk}/").content.decode()
    assert "[民國117年放假日尚未輸入]" in zh
    listed = _client(world, "ethics", "en").get("/awareness/travel/").content.decode()
    assert "holiday calendar incomplete" in listed
    api = _client(world, "staff_a", "en").get(f"/api/v1/awareness/travel/{d.pk}").json()
    assert api["calendar_missing_years"] == [2028] and api["warnings"] == ["[holidays of 民國117年 not entered]"]
    # once 2028 is entered, a new declaration over it is no longer flagged
    OfficeDay.objects.create(day=date(2028, 1, 1), name="中華民國開國紀念日")
    again = services.declare_travel(
        actor=world.users["staff_a"],
        traveller_id=officer.pk,
        destination=rules.MAINLAND,
        places="廈門",
        applied_on=date(2027, 12, 20),
        departs_on=date(2028, 1, 10),
        returns_on=date(2028, 1, 12),
    )
    assert again.calendar_missing_years == []


def test_a_trip_within_entered_years_is_not_flagged_but_its_upward_count_can_be(world: Any) -> None:
    d = services.declare_travel(
        actor=world.users["staff_a"],
        traveller_id=world.people["staff_a"].pk,
        destination=rules.MAINLAND,
        places="廈門",
        applied_on=date(2027, 12, 1),
        departs_on=date(2027, 12, 15),
        returns_on=date(2027, 12, 20),
    )
    assert d.calendar_missing_years == [] and d.return_due_on == date(2027, 12, 30)
    assert not Notification.objects.filter(key__contains=":calendar:").exists()
    # received 28 Dec 2027: the ethics office's 7 working days run into 2028
    services.file_return_report(
        actor=world.users["staff_a"], declaration_id=d.pk, probed=False, contacted=False, filed_on=date(2027, 12, 28)
    )
    d.refresh_from_db()
    assert d.calendar_missing_years == [2028]
    assert Notification.objects.filter(person=world.people["ethics"], key__contains=":calendar:").exists()


def test_return_reports_awaited_go_by_the_taipei_date(world: Any) -> None:
    d = services.declare_travel(
        actor=world.users["staff_a"],
        traveller_id=world.people["staff_a"].pk,
        destination=rules.MAINLAND,
        places="深圳",
        applied_on=date(2026, 10, 1),
        departs_on=date(2026, 10, 15),
        returns_on=date(2026, 10, 20),
    )
    ethics = world.users["ethics"]
    # 15:30 UTC is 23:30 in Taipei on the day of return: not yet awaited
    with mock.patch("django.utils.timezone.now", return_value=datetime(2026, 10, 20, 15, 30, tzinfo=UTC)):
        assert list(selectors.due_for_ethics(ethics)["returns"]) == []
    # 16:30 UTC is already 21 October in Taipei
    with mock.patch("django.utils.timezone.now", return_value=datetime(2026, 10, 20, 16, 30, tzinfo=UTC)):
        assert list(selectors.due_for_ethics(ethics)["returns"]) == [d]
