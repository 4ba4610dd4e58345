"""Awareness activities: sign-in on phones feeding the plan period's statistics, alerts with read receipts, the
calendar editor, and the API."""

import json
import re
from datetime import date, datetime
from typing import Any

import pytest
from django.test import Client

from anwei.accounts import services as accounts
from anwei.audit.models import AuditEntry
from anwei.awareness import selectors, services
from anwei.awareness.models import Attendance
from anwei.core.errors import NotAllowed
from anwei.core.rocdate import TAIPEI
from anwei.directory.models import Person
from anwei.notifications.models import Notification
from anwei.officecalendar.models import OfficeDay
from anwei.plans.models import Plan

pytestmark = pytest.mark.django_db


def _tables(html: str) -> list[list[list[str]]]:
    """The body cells of each table on a page, row by row, as text."""
    out = []
    for body in re.findall(r"<tbody>(.*?)</tbody>", html, re.S):
        rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
        out.append(
            [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)] for r in rows]
        )
    return out


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def plan(world: Any) -> Plan:
    return Plan.objects.create(
        agency=world.agency,
        owning_unit=world.units["ethics"],
        title="115年春節安全維護計畫",
        period_start=datetime(2026, 2, 10, 22, tzinfo=TAIPEI),
        period_end=datetime(2026, 2, 24, tzinfo=TAIPEI),
        status=Plan.Status.APPROVED,
    )


def test_thirty_people_signing_in_on_phones_appear_in_the_period_statistics(world: Any, plan: Plan) -> None:
    briefing = services.create_activity(
        actor=world.users["ethics"],
        unit_id=world.units["ethics"].pk,
        topic="fraud",
        title="反詐騙宣導（處務會議）",
        held_on=date(2026, 2, 11),
        form="staff_meeting",
        audience_unit_ids=[world.units["a"].pk, world.units["b"].pk],
    )
    assert briefing.plan == plan
    for n in range(30):
        unit = world.units["a1"] if n < 18 else world.units["b"]
        person = Person.objects.create(agency=world.agency, unit=unit, name=f"同仁{n:02d}")
        user = accounts.create_user(
            actor=None, username=f"p{n}", password="x-correct-horse", agency=world.agency, person=person
        )
        response = _client(user).post(f"/awareness/activities/{briefing.pk}/sign-in/", HTTP_HX_REQUEST="true")
        assert response.status_code == 200 and "sign-in" in response.content.decode()
    # signing in twice counts once
    _client(user).post(f"/awareness/activities/{briefing.pk}/sign-in/")
    assert Attendance.objects.filter(activity=briefing, method="phone").count() == 30
    # an activity outside the period does not count
    services.create_activity(
        actor=world.users["ethics"],
        unit_id=world.units["ethics"].pk,
        topic="secrecy",
        title="保密",
        held_on=date(2026, 3, 2),
        form="poster",
        attendee_count=99,
    )
    start, end = selectors.plan_dates(plan)
    assert (start, end) == (date(2026, 2, 10), date(2026, 2, 23))
    stats = selectors.statistics(world.users["ethics"], start, end)
    assert (stats.activities, stats.attendance) == (1, 30)
    assert [(r.key, r.activities, r.attendance) for r in stats.by_topic] == [("fraud", 1, 30)]
    by_unit = {r.label: (r.activities, r.attendance) for r in stats.by_unit}
    assert by_unit["工務科"] == (0, 18) and by_unit["財政處"] == (1, 12) and by_unit["建設處"] == (1, 0)
    page = _client(world.users["head"]).get(f"/awareness/statistics/?plan={plan.pk}", HTTP_ACCEPT_LANGUAGE="zh-hant")
    assert page.status_code == 200
    tables = _tables(page.content.decode())
    assert tables[0] == [["反詐騙", "1", "30"]]
    assert sorted(tables[1]) == sorted([["工務科", "0", "18"], ["財政處", "1", "12"], ["建設處", "1", "0"]])
    assert AuditEntry.objects.filter(object_type="awareness.attendance").count() == 30


def test_alert_to_all_staff_counts_read_receipts(world: Any) -> None:
    alert = services.create_activity(
        actor=world.users["ethics"],
        unit_id=world.units["ethics"].pk,
        topic="fraud",
        title="假冒健保局詐騙新手法",
        held_on=date(2026, 11, 25),
        form="alert",
        alert_body="接到自稱健保局來電要求操作ATM，請立即掛斷並撥165。",
    )
    with pytest.raises(NotAllowed):
        services.send_alert(actor=world.users["staff_a"], activity=alert)
    sent = services.send_alert(actor=world.users["ethics"], activity=alert)
    staff = Person.objects.filter(agency=world.agency, active=True).count()
    assert sent == staff
    assert services.send_alert(actor=world.users["ethics"], activity=alert) == 0  # nobody twice
    assert selectors.receipts(alert).sent == staff and selectors.receipts(alert).read == 0
    note = Notification.objects.get(source_id=str(alert.pk), person=world.people["staff_b"])
    assert note.require_ack
    _client(world.users["staff_b"]).get(f"/awareness/activities/{alert.pk}/")  # opening it is a read receipt
    _client(world.users["staff_a"]).post(f"/awareness/activities/{alert.pk}/acknowledge/")
    receipts = selectors.receipts(alert)
    assert (receipts.read, receipts.acknowledged) == (2, 1)
    page = _client(world.users["ethics"]).get(f"/awareness/activities/{alert.pk}/")
    body = page.content.decode()
    assert f"已送達 {staff} 人；已讀 3 人；已確認 1 人。" in body  # the ethics officer has just read it too


def test_calendar_is_editable_by_the_ethics_office(world: Any) -> None:
    c = _client(world.users["ethics"])
    response = c.post("/awareness/calendar/", {"day": "2026-09-26", "name": "補行上班", "is_workday": "on"})
    assert response.status_code == 302
    assert OfficeDay.objects.get(day=date(2026, 9, 26)).is_workday
    response = _client(world.users["staff_a"]).post("/awareness/calendar/", {"day": "2026-09-27", "name": "x"})
    assert response.status_code == 403
    holiday = OfficeDay.objects.get(day=date(2026, 9, 26))
    c.post(f"/awareness/calendar/{holiday.pk}/delete/")
    assert not OfficeDay.objects.filter(day=date(2026, 9, 26)).exists()
    assert AuditEntry.objects.filter(object_type="officecalendar.officeday", action="delete").exists()
    assert "中秋節" in c.get("/awareness/calendar/?year=2026").content.decode()


def test_api_declares_a_late_trip_and_reports_errors_in_the_project_format(world: Any) -> None:
    world.people["staff_a"].grade = "第10職等"
    world.people["staff_a"].save()
    c = _client(world.users["staff_a"])
    body = {"destination": "mainland", "places": "上海", "departs_on": "2026-09-30", "returns_on": "2026-10-02"}
    from unittest import mock

    with mock.patch("anwei.awareness.services.common.today", return_value=date(2026, 9, 21)):
        response = c.post("/api/v1/awareness/travel", json.dumps(body), content_type="application/json")
        bad = c.post(
            "/api/v1/awareness/travel",
            json.dumps({**body, "returns_on": "2026-09-01"}),
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["late"], data["days_ahead"], data["required_days"], data["latest_filing_on"]) == (
        True,
        4,
        5,
        "2026-09-18",
    )
    assert bad.status_code == 422 and "returns_on" in bad.json()["error"]["fields"]
    holidays = c.get("/api/v1/awareness/holidays?year=2027").json()
    assert {"day": "2027-02-09", "name": "春節補假（初一逢星期六）", "is_workday": False} in holidays


def test_pages_render_for_the_ethics_office(world: Any) -> None:
    c = _client(world.users["ethics"])
    for path in (
        "/awareness/",
        "/awareness/activities/new/",
        "/awareness/travel/",
        "/awareness/travel/new/",
        "/awareness/checks/",
        "/awareness/delegations/new/",
    ):
        assert c.get(path).status_code == 200, path
    response = c.post(
        "/awareness/activities/new/",
        {"title": "", "topic": "fraud", "form": "alert", "held_on": "2026-11-25", "unit": world.units["a"].pk},
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()


def test_organiser_ticks_attendees_from_the_list(world: Any, plan: Plan) -> None:
    briefing = services.create_activity(
        actor=world.users["ethics"],
        unit_id=world.units["ethics"].pk,
        topic="secrecy",
        title="保密宣導（科務會議）",
        held_on=date(2026, 2, 12),
        form="staff_meeting",
        audience_unit_ids=[world.units["a"].pk],
    )
    organiser = _client(world.users["ethics"])
    url = f"/awareness/activities/{briefing.pk}/"
    page = organiser.get(url).content.decode()
    listed = world.people["in_a1"]
    assert f'<option value="{listed.pk}">甲一承辦（工務科）</option>' in page  # the audience's people are listed
    assert f'value="{world.people["in_b"].pk}"' not in page  # unit B is not in the audience
    response = organiser.post(f"{url}sign-in/", {"person": listed.pk})
    assert response.status_code == 302
    attendance = Attendance.objects.get(activity=briefing)
    assert (attendance.person, attendance.method, attendance.unit) == (
        listed,
        Attendance.Method.LIST,
        world.units["a1"],
    )
    entry = AuditEntry.objects.get(object_type="awareness.attendance")
    assert entry.actor_id == world.users["ethics"].pk and entry.changes["method"] == "list"
    page = organiser.get(url).content.decode()
    assert f'<option value="{listed.pk}">' not in page and "甲一承辦（工務科）" in page  # ticked: off the list
    # ticking twice counts once; staff may not tick others; someone of another agency cannot be ticked
    organiser.post(f"{url}sign-in/", {"person": listed.pk})
    assert Attendance.objects.filter(activity=briefing).count() == 1
    assert (
        _client(world.users["staff_a"]).post(f"{url}sign-in/", {"person": world.people["staff_b"].pk}).status_code
        == 403
    )
    assert not Attendance.objects.filter(person=world.people["staff_b"]).exists()
    from anwei.directory import services as directory

    other = directory.create_agency(actor=None, code="other", name="他縣政府", name_en="Other")
    stranger = Person.objects.create(agency=other, name="外機關人員")
    assert organiser.post(f"{url}sign-in/", {"person": stranger.pk}).status_code == 403
    start, end = selectors.plan_dates(plan)
    stats = selectors.statistics(world.users["ethics"], start, end)
    assert [(r.key, r.activities, r.attendance) for r in stats.by_topic] == [("secrecy", 1, 1)]
