"""Issue 20: filing a report through `POST /api/v1/incidents` costs a dozen statements, whatever the number of people
it tells — counted here for a typical filing routed to five recipients (four people and the police), so the count
cannot creep back. The statements of a filing, in the steady state of a web process (its caches loaded): the cache
generation; the reference number with the new rows' keys and the audit chain's head; the report, its clocks, the
timeline, the notifications, their deliveries, the one worker task and the audit entries with the head's move (on
PostgreSQL one statement); the writes in one transaction, without savepoints."""

import json
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from anwei.accounts import services as accounts
from anwei.audit.selectors import verify
from anwei.incidents.models import Deadline, Incident, RoutingRule, TimelineEntry
from anwei.notifications.models import Delivery, Notification

pytestmark = pytest.mark.django_db

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")


def _file(client: Client, title: str) -> Any:
    body = json.dumps({"category": "theft", "title": title, "description": "停車場"}, ensure_ascii=False)
    return client.post("/api/v1/incidents", body, content_type="application/json")


def test_a_filing_routed_to_five_recipients_costs_at_most_twelve_statements(
    roster: Any, django_capture_on_commit_callbacks: Any
) -> None:
    RoutingRule.objects.create(
        name="測試：竊盜通知五方",
        category="theft",
        recipients=["role:ethics_officer", "role:agency_head", "role:unit_supervisor", "duty:ethics", "org:police"],
        deadlines=[{"code": "report", "hours": 24}],
        effective_from=date(2000, 1, 1),
        source="test",
    )
    _token, raw = accounts.create_token(actor=None, user=roster.users["staff_a"], name="statements")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert _file(client, "暖身：第一件載入快取").status_code == 201  # a web process's first request loads its caches
    # what runs after commit (queueing the worker task) is counted too
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        response = _file(client, "公務車失竊")
    assert response.status_code == 201, response.content
    incident = Incident.objects.get(pk=response.json()["id"])
    told = Notification.objects.filter(source_type="incidents.incident", source_id=str(incident.pk))
    # five recipients: the ethics officer, the agency head, unit A's supervisor, the duty officer, the police
    assert sorted(str(n.person or n.contact) for n in told) == sorted(
        [
            str(roster.people["ethics"]),
            str(roster.people["head"]),
            str(roster.people["supervisor_a"]),
            str(roster.people["duty"]),
            "測試分局值日（測試分局）",
        ]
    )
    assert Delivery.objects.filter(notification__in=told).count() >= 5
    assert Deadline.objects.filter(incident=incident).exists()
    assert TimelineEntry.objects.filter(incident=incident, kind=TimelineEntry.Kind.CREATED).exists()
    assert response.json()["clocks"]  # the answer carries the clocks without reading them back
    statements = [q["sql"] for q in queries.captured_queries]
    control = [s for s in statements if s.upper().startswith(TRANSACTION_CONTROL)]
    work = [s for s in statements if not s.upper().startswith(TRANSACTION_CONTROL)]
    # the cache generation; the number, the keys of the new rows and the audit chain's head; then the rows: on
    # PostgreSQL one statement (report, clocks, timeline, notifications, deliveries, task, audit entries, head),
    # on SQLite one INSERT each and the head's UPDATE
    assert len(work) <= (3 if connection.vendor == "postgresql" else 10), "\n".join(work)
    assert len(control) <= 2, control  # one transaction (BEGIN … COMMIT, or a savepoint in a test), no savepoints
    # one worker task for all of the filing's pending deliveries, not one per delivery
    pending = set(Delivery.objects.filter(notification__in=told, status=Delivery.Status.PENDING).values_list("pk"))
    tasks = [r for r in DBTaskResult.objects.all() if set(r.args_kwargs["args"]) & {pk for (pk,) in pending}]
    assert len(tasks) == 1 and sorted(tasks[0].args_kwargs["args"]) == sorted(pk for (pk,) in pending)
    assert verify().ok  # the audit chain holds with the filing's entries appended together


def test_the_filing_answers_what_reading_the_report_answers(roster: Any) -> None:
    """The filing's answer is built as a dict from the rows just written (IncidentOut.of, no read back); reading
    the report builds it from the database through the schema's resolvers: the two agree, field for field."""
    _token, raw = accounts.create_token(actor=None, user=roster.users["staff_a"], name="answer")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = {"category": "cyber", "cyber_level": 2, "title": "網站遭置換", "location": "機房", "support_needed": "支援"}
    filed = client.post("/api/v1/incidents", json.dumps(body, ensure_ascii=False), content_type="application/json")
    assert filed.status_code == 201, filed.content
    read = client.get(f"/api/v1/incidents/{filed.json()['id']}")
    assert read.status_code == 200
    assert filed.json() == read.json()
    assert len(filed.json()["clocks"]) >= 2 and filed.json()["reporter_name"] and filed.json()["category_name"]
