"""Finding (issue 15): filing had no rate limit per user, and each filing e-mails outside bodies. Past
ANWEI_FILING_RATE the API answers 429 with Retry-After, and the page says so in zh-Hant."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anwei.incidents.models import Incident

pytestmark = pytest.mark.django_db


def _file(client: Any, title: str) -> Any:
    body = {"category": "theft", "title": title}
    return client.post("/api/v1/incidents", data=json.dumps(body), content_type="application/json")


def test_filing_past_the_rate_is_refused_with_retry_after(roster: Any, client_for: Any, settings: Any) -> None:
    settings.ANWEI_FILING_RATE = "2/10min"
    staff = client_for("staff_a")
    assert _file(staff, "第一件").status_code == 201
    assert _file(staff, "第二件").status_code == 201
    refused = _file(staff, "第三件")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "too_many_requests"
    assert 590 <= int(refused["Retry-After"]) <= 600
    assert Incident.objects.count() == 2

    page = staff.post("/incidents/new/", {"category": "theft", "title": "頁面第三件"})
    assert page.status_code == 429
    assert int(page["Retry-After"]) > 0
    text = page.content.decode()
    assert "您在短時間內已通報多件，請於 10 分鐘後再通報" in text
    assert "頁面第三件" in text  # the form keeps what was typed
    assert Incident.objects.count() == 2

    # another person is not held up by it, and the limit lifts when the period has passed
    assert _file(client_for("staff_b"), "他人通報").status_code == 201
    Incident.objects.filter(filed_by=roster.users["staff_a"]).update(created_at=timezone.now() - timedelta(minutes=11))
    assert _file(staff, "第三件").status_code == 201


def test_the_default_rate_is_thirty_in_ten_minutes(roster: Any, client_for: Any) -> None:
    from django.conf import settings

    assert settings.ANWEI_FILING_RATE == "30/10min"


def test_the_count_reads_the_filers_recent_reports_only(roster: Any, client_for: Any, settings: Any) -> None:
    """Issue 20: the count runs in the statement that takes the number, on every filing — through the index on the
    filer and the time, so it does not read every report the filer ever filed (the filer's own index did)."""
    settings.ANWEI_FILING_RATE = "30/10min"
    staff = client_for("staff_a")
    with CaptureQueriesContext(connection) as queries:
        assert _file(staff, "計數").status_code == 201
    (taking,) = [q["sql"] for q in queries.captured_queries if "SELECT COUNT(*)" in q["sql"]]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {taking}")
            plan = " / ".join(str(row[-1]) for row in cursor.fetchall())
            read = "USING COVERING INDEX incident_filer_recent (filed_by_id=? AND created_at>?)"
        else:  # PostgreSQL reads a table of a few rows whole; without that choice it names the index it would use
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {taking}")
            plan = " / ".join(str(row[0]) for row in cursor.fetchall())
            read = "using incident_filer_recent on incidents_incident"
            assert "Index Cond: ((filed_by_id = " in plan and "AND (created_at > " in plan, plan
    assert read in plan, plan
