"""Faults, short versions (longer ones in `make bench`): the database connection dropped in the middle of filing a
report, a full disk for uploads, the SMTP server down. Each must give a clear answer and lose or duplicate nothing.
(A worker killed with SIGKILL mid-delivery and several workers on one PostgreSQL are proven in
`anwei/notifications/tests/test_worker_processes.py`.)"""

import errno
import json
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone

from anwei.accounts import services as accounts
from anwei.directory.models import DutyKind, DutyShift
from anwei.incidents.models import Incident
from anwei.notifications import services as notifications
from anwei.notifications.models import Delivery
from anwei.notifications.signals import delivery_failed
from anwei.notifications.tasks import deliver

pytestmark = pytest.mark.django_db


def _token_client(world: Any, persona: str = "staff_a") -> tuple[Client, dict[str, str]]:
    _token, raw = accounts.create_token(actor=None, user=world.users[persona], name="faults")
    return Client(), {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _file(client: Client, headers: dict[str, str], title: str, **extra: Any) -> Any:
    body = json.dumps({"category": "theft", "title": title, **extra})
    return client.post("/api/v1/incidents", body, content_type="application/json", **headers)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # a real connection to drop; keep the routing rules
def test_database_connection_dropped_while_filing_gives_a_retryable_503_and_no_lost_or_double_report(
    world: Any,
) -> None:
    client, headers = _token_client(world)
    params = connection.get_connection_params()
    dsn = {k: v for k, v in params.items() if k in ("host", "port", "user", "password", "dbname")}
    dropped: list[int] = []

    def drop_before_insert(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not dropped and 'INSERT INTO "incidents_incident"' in sql:  # alone, or one part of a WITH statement
            pid = connection.connection.info.backend_pid
            with psycopg.connect(**dsn, autocommit=True) as admin:  # the server ends our session mid-transaction
                admin.execute("SELECT pg_terminate_backend(%s)", [pid])
            dropped.append(pid)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(drop_before_insert):
        response = _file(client, headers, "斷線中的通報")
    assert dropped, "the filing never reached its INSERT"
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    assert response.json()["error"]["code"] == "unavailable"
    assert not Incident.objects.filter(title="斷線中的通報").exists()  # rolled back: nothing half-saved
    again = _file(client, headers, "斷線中的通報")  # the client does what Retry-After says
    assert again.status_code == 201, again.content
    assert Incident.objects.filter(title="斷線中的通報").count() == 1


class FullDisk(FileSystemStorage):
    def _save(self, name: str, content: Any) -> str:
        raise OSError(errno.ENOSPC, "No space left on device")


def test_full_disk_for_uploads_is_a_clear_error_and_saves_nothing(
    world: Any, client_for: Any, monkeypatch: Any
) -> None:
    from anwei.incidents.models import Attachment

    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", FullDisk())
    client = client_for("staff_a")
    upload = SimpleUploadedFile("現場照片.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    data = {"category": "theft", "title": "磁碟已滿時的通報", "aware_at": "", "attachments": upload}
    response = client.post("/incidents/new/", data)
    assert response.status_code == 507, response.status_code
    assert "full" in response.content.decode() or "已滿" in response.content.decode()
    assert not Incident.objects.filter(title="磁碟已滿時的通報").exists()


def test_smtp_down_retries_then_fails_and_signals_never_drops(
    world: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 1},  # nothing listens: refused
        }
    }
    kind = DutyKind.objects.create(agency=world.agency, code="ethics", name="政風值勤")
    now = timezone.now()
    DutyShift.objects.create(
        kind=kind, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=1), person=world.people["duty"]
    )
    client, headers = _token_client(world)
    assert _file(client, headers, "郵件伺服器停機時的通報", category="cyber", cyber_level=3).status_code == 201
    emails = list(Delivery.objects.filter(channel="email"))
    assert emails, "filing a report queues e-mail"
    failed: list[int] = []

    def on_failed(sender: Any, delivery: Delivery, **kwargs: Any) -> None:
        failed.append(delivery.pk)

    delivery_failed.connect(on_failed)
    try:
        with django_capture_on_commit_callbacks(execute=True):  # the signal is sent after the commit
            for row in emails:
                for _attempt in range(notifications.MAX_ATTEMPTS):
                    assert deliver.call(row.pk) is False
                    Delivery.objects.filter(pk=row.pk, status="pending").update(next_attempt_at=timezone.now())
    finally:
        delivery_failed.disconnect(on_failed)
    rows = Delivery.objects.filter(pk__in=[r.pk for r in emails])
    assert rows.count() == len(emails)  # never dropped
    assert set(rows.values_list("status", flat=True)) == {Delivery.Status.FAILED}
    assert all(r.attempts == notifications.MAX_ATTEMPTS and r.last_error for r in rows)
    assert sorted(failed) == sorted(r.pk for r in emails)  # each failure signalled once, for escalation
