"""The API does what the pages do (briefing, exit approval, upward filing, random checks, delegations and their
anomalies, the holiday calendar) through the same services; every list downloads as a streamed, audited CSV."""

import csv
import io
import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anwei.audit.models import AuditEntry
from anwei.awareness import rules, services
from anwei.awareness.models import RandomCheckDraw, TravelDeclaration, VisitAnomaly
from anwei.core.csvstream import BOM
from anwei.officecalendar import workdays
from anwei.officecalendar.models import OfficeDay

pytestmark = pytest.mark.django_db


def _client(world: Any, persona: str, language: str = "") -> Client:
    c = Client()
    c.force_login(world.users[persona])
    if language:  # the language switcher's cookie; otherwise the office default, zh-Hant
        c.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return c


def _post(c: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return c.post(url, json.dumps(body or {}), content_type="application/json")


def _csv(response: Any) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[1:])))


def _exports(object_type: str) -> int:
    return AuditEntry.objects.filter(action="export", object_type=object_type).count()


def test_briefing_exit_and_upward_filing_through_the_api(world: Any) -> None:
    holder = world.people["in_b"]
    holder.national_secret_duty = True
    holder.save()
    today = timezone.localdate()
    trip = services.declare_travel(
        actor=world.users["ethics"],
        traveller_id=holder.pk,
        destination=rules.MAINLAND,
        places="北京",
        departs_on=today + timedelta(days=30),
        returns_on=today + timedelta(days=33),
    )
    assert trip.exit_approval == TravelDeclaration.ExitApproval.PENDING
    assert (
        _post(_client(world, "staff_a"), f"/api/v1/awareness/travel/{trip.pk}/exit", {"approve": True}).status_code
        == 404
    )
    response = _post(_client(world, "head"), f"/api/v1/awareness/travel/{trip.pk}/exit", {"approve": False})
    assert response.status_code == 200 and response.json()["exit_approval"] == "refused"
    trip.refresh_from_db()
    assert trip.exit_decided_by == world.users["head"]

    own = services.declare_travel(
        actor=world.users["staff_a"],
        traveller_id=world.people["staff_a"].pk,
        destination=rules.MAINLAND,
        places="上海",
        applied_on=today - timedelta(days=30),
        departs_on=today - timedelta(days=20),
        returns_on=today - timedelta(days=15),
    )
    staff = _client(world, "staff_a")
    assert _post(_client(world, "ethics"), f"/api/v1/awareness/travel/{own.pk}/briefing").status_code == 403
    response = _post(staff, f"/api/v1/awareness/travel/{own.pk}/briefing")
    assert response.status_code == 200 and response.json()["briefing_acknowledged"] is True
    ethics = _client(world, "ethics")
    response = _post(ethics, f"/api/v1/awareness/travel/{own.pk}/upward")
    assert response.status_code == 422  # no return report yet
    received = today - timedelta(days=10)
    services.file_return_report(
        actor=world.users["staff_a"], declaration_id=own.pk, probed=False, contacted=False, filed_on=received
    )
    assert _post(staff, f"/api/v1/awareness/travel/{own.pk}/upward").status_code == 403
    too_early = _post(ethics, f"/api/v1/awareness/travel/{own.pk}/upward", {"filed_on": str(received - timedelta(1))})
    assert too_early.status_code == 422 and "filed_on" in too_early.json()["error"]["fields"]
    response = _post(ethics, f"/api/v1/awareness/travel/{own.pk}/upward", {"filed_on": str(today - timedelta(days=2))})
    assert response.status_code == 200 and response.json()["upward_filed_on"] == str(today - timedelta(days=2))
    assert AuditEntry.objects.filter(object_type="awareness.returnreport", action="update").exists()


def test_random_checks_through_the_api(world: Any) -> None:
    from anwei.directory.models import Person

    for n in range(50):
        Person.objects.create(agency=world.agency, unit=world.units["b"], name=f"員{n}", grade="第5職等")
    ethics = _client(world, "ethics")
    response = _post(ethics, "/api/v1/awareness/checks", {"seed": "api-seed"})
    assert response.status_code == 201, response.content
    data = response.json()
    draw = RandomCheckDraw.objects.get()
    assert (data["seed"], data["eligible"], data["selected"]) == ("api-seed", 50, draw.selected)
    assert data["selected"] == services.draw_selection(draw.eligible, "api-seed", draw.rate)
    assert {"id": world.people["staff_b"].pk, "name": "staff_b-person", "reason": "no_grade"} in data["excluded"]
    listed = _client(world, "auditor").get("/api/v1/awareness/checks").json()
    assert [d["id"] for d in listed["items"]] == [draw.pk]
    assert _post(_client(world, "auditor"), "/api/v1/awareness/checks", {}).status_code == 403


def test_delegation_and_anomaly_through_the_api(world: Any) -> None:
    from anwei.incidents.models import Incident

    ethics = _client(world, "ethics")
    body = {
        "unit_id": world.units["a"].pk,
        "title": "某市經貿參訪團",
        "starts_on": "2027-03-01",
        "ends_on": "2027-02-27",
        "host_ids": [world.people["staff_a"].pk],
    }
    bad = _post(ethics, "/api/v1/awareness/delegations", body)
    assert bad.status_code == 422 and "ends_on" in bad.json()["error"]["fields"]
    response = _post(ethics, "/api/v1/awareness/delegations", {**body, "ends_on": "2027-03-03"})
    assert response.status_code == 201 and response.json()["host_ids"] == [world.people["staff_a"].pk]
    delegation_id = response.json()["id"]
    url = f"/api/v1/awareness/delegations/{delegation_id}/anomalies"
    assert _post(_client(world, "staff_b"), url, {"description": "x"}).status_code == 404
    response = _post(_client(world, "staff_a"), url, {"description": "團員脫隊拍攝機房"})
    assert response.status_code == 201
    anomaly = VisitAnomaly.objects.get()
    assert response.json()["incident_reference"] == anomaly.incident_reference
    assert Incident.objects.get(pk=anomaly.incident_id).category == "mainland-visitor"


def test_holiday_calendar_through_the_api_changes_the_count(world: Any) -> None:
    ethics = _client(world, "ethics")
    assert workdays.working_days_between(date(2026, 9, 21), date(2026, 9, 30)) == 4
    response = _post(
        ethics, "/api/v1/awareness/holidays", {"day": "2026-09-26", "name": "補行上班", "is_workday": True}
    )
    assert response.status_code == 200 and response.json() == {
        "day": "2026-09-26",
        "name": "補行上班",
        "is_workday": True,
    }
    assert workdays.working_days_between(date(2026, 9, 21), date(2026, 9, 30)) == 5
    assert (
        _post(_client(world, "staff_a"), "/api/v1/awareness/holidays", {"day": "2026-09-27", "name": "x"}).status_code
        == 403
    )
    assert _post(ethics, "/api/v1/awareness/holidays", {"day": "0001-01-01", "name": "x"}).status_code == 422
    assert ethics.delete("/api/v1/awareness/holidays/2026-9-26").status_code == 422
    assert _client(world, "staff_a").delete("/api/v1/awareness/holidays/2026-09-26").status_code == 403
    assert ethics.delete("/api/v1/awareness/holidays/2026-09-26").status_code == 204
    assert not OfficeDay.objects.filter(day=date(2026, 9, 26)).exists()
    assert ethics.delete("/api/v1/awareness/holidays/2026-09-26").status_code == 404
    assert AuditEntry.objects.filter(object_type="officecalendar.officeday", action="delete").count() == 1


def test_random_checks_csv_lists_selected_and_left_out(world: Any) -> None:
    from anwei.directory.models import Person

    for n in range(60):
        Person.objects.create(agency=world.agency, unit=world.units["b"], name=f"員{n}", grade="第3職等")
    draw = services.draw_random_check(actor=world.users["ethics"], seed="csv")
    assert _client(world, "staff_a").get("/awareness/checks.csv").status_code == 403
    response = _client(world, "auditor", "en").get("/awareness/checks.csv")
    assert response.streaming
    rows = _csv(response)
    assert rows[0] == ["Drawn at", "Seed", "Rate", "Eligible", "Person", "Outcome"]
    selected = [r[4] for r in rows[1:] if r[5] == "selected"]
    assert selected == draw.selected_names and len(selected) == 1
    left_out = ["csv", "0.02", "60", "staff_a-person", "left out: no grade (職等) in the directory"]
    assert left_out in [r[1:] for r in rows]
    assert _exports("awareness.randomcheckdraw") == 1


def test_delegations_csv(world: Any) -> None:
    delegation = services.create_delegation(
        actor=world.users["ethics"],
        unit_id=world.units["a"].pk,
        title="=某省參訪團",
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 3),
        host_ids=[world.people["staff_a"].pk, world.people["in_a1"].pk],
    )
    services.report_anomaly(actor=world.users["staff_a"], delegation_id=delegation.pk, description="脫隊")
    response = _client(world, "staff_a").get("/awareness/delegations.csv")
    rows = _csv(response)
    assert rows[1][:4] == ["'=某省參訪團", "建設處", "115年12月1日", "115年12月3日"]
    assert rows[1][-2:] == ["staff_a-person、甲一承辦", "1"]
    assert _exports("awareness.delegation") == 1
    assert _client(world, "outsider").get("/awareness/delegations.csv").status_code == 403


def test_activities_csv_is_audited_and_reads_the_counts_in_one_query(world: Any) -> None:
    from anwei.directory.models import Person

    def make(n: int) -> None:
        for i in range(n):
            activity = services.create_activity(
                actor=world.users["ethics"],
                unit_id=world.units["ethics"].pk,
                topic="secrecy",
                title=f"保密宣導{i}",
                held_on=date(2026, 11, 2),
                form="meeting",
            )
            for k in range(3):
                person = Person.objects.create(agency=world.agency, unit=world.units["a"], name=f"聽眾{i}-{k}")
                services.sign_in(actor=world.users["ethics"], activity_id=activity.pk, person=person)

    c = _client(world, "staff_a")

    def queries() -> tuple[int, list[list[str]]]:
        with CaptureQueriesContext(connection) as ctx:
            rows = _csv(c.get("/awareness/activities.csv"))
        return len(ctx.captured_queries), rows

    make(2)
    queries()  # the first request of a session reads a few things once
    few, rows = queries()
    assert [r[-1] for r in rows[1:]] == ["3", "3"]
    make(5)
    many, rows = queries()
    assert len(rows) == 8 and few == many
    assert _exports("awareness.activity") == 3
