"""Findings (issue 15): a full disk let the filing commit and then refused the post-commit enqueue, and the API
answered 503 "nothing was saved" — so clients filed again. A failure after commit no longer makes the answer an
error (the sweeper queues what was left), and an `Idempotency-Key` makes a retry answer the first result."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from anwei.core import taskqueue
from anwei.incidents.models import Attachment, Incident
from anwei.notifications import outbox
from anwei.notifications import services as notifications
from anwei.notifications import tasks as notification_tasks
from anwei.notifications.models import Delivery

pytestmark = pytest.mark.django_db

REPORT = {"category": "theft", "title": "公務車失竊", "description": "停車場"}


def _post(client: Any, body: Any, key: str | None = None, url: str = "/api/v1/incidents") -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def test_the_same_key_answers_the_first_result_and_files_once(roster: Any, client_for: Any) -> None:
    staff = client_for("staff_a")
    first = _post(staff, REPORT, key="3f1c-filing-1")
    assert first.status_code == 201, first.content
    again = _post(staff, REPORT, key="3f1c-filing-1")
    assert again.status_code == 201
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert Incident.objects.count() == 1
    # the same key with another body: refused, nothing filed
    other = _post(staff, {**REPORT, "title": "另一件"}, key="3f1c-filing-1")
    assert other.status_code == 422
    assert list(other.json()["error"]["fields"]) == ["Idempotency-Key"]
    assert Incident.objects.count() == 1
    # keys are per user: another person's identical key is another request
    assert _post(client_for("staff_b"), REPORT, key="3f1c-filing-1").status_code == 201
    assert Incident.objects.count() == 2
    # without a key every POST is a new filing, as before
    assert _post(staff, REPORT).status_code == 201
    assert Incident.objects.count() == 3


def test_a_refused_request_keeps_no_answer_so_the_key_may_be_sent_again(roster: Any, client_for: Any) -> None:
    staff = client_for("staff_a")
    refused = _post(staff, {**REPORT, "category": "cyber"}, key="k-2")  # a cyber report needs its level
    assert refused.status_code == 422
    fixed = _post(staff, {**REPORT, "category": "cyber"} | {"cyber_level": 1}, key="k-3")
    assert fixed.status_code == 201
    assert _post(staff, {**REPORT, "category": "cyber"}, key="k-2").status_code == 422  # not a stored answer
    assert Incident.objects.count() == 1


def test_attachments_with_a_key_are_stored_once(roster: Any, client_for: Any) -> None:
    staff = client_for("staff_a")
    incident_id = _post(staff, REPORT).json()["id"]

    def upload() -> Any:
        files = {"files": SimpleUploadedFile("notes.txt", "失竊經過".encode(), content_type="text/plain")}
        return staff.post(f"/api/v1/incidents/{incident_id}/attachments", files, HTTP_IDEMPOTENCY_KEY="att-1")

    first, second = upload(), upload()
    assert first.status_code == second.status_code == 201
    assert first.content == second.content
    assert Attachment.objects.filter(incident_id=incident_id).count() == 1


def test_an_invalid_key_is_refused(roster: Any, client_for: Any) -> None:
    response = _post(client_for("staff_a"), REPORT, key="with space")
    assert response.status_code == 422
    assert not Incident.objects.exists()


class _FullDisk:
    def enqueue(self, *args: Any, **kwargs: Any) -> None:
        raise OperationalError("database or disk is full")

    def using(self, **kwargs: Any) -> "_FullDisk":
        return self


@pytest.mark.django_db(transaction=True)
def test_the_task_is_queued_in_the_filing_transaction_so_a_failed_queue_saves_nothing(
    roster: Any, client_for: Any, monkeypatch: Any
) -> None:
    """The queue is a table of the same database (django-tasks-db): the filing's task is written in its
    transaction, so there is no moment when the report is committed but its e-mails are not queued."""
    assert outbox.queue_in_database()
    monkeypatch.setattr(taskqueue.Planned, "enqueue", _FullDisk.enqueue)  # the task row made beforehand, written then
    response = _post(client_for("staff_a"), REPORT, key="full-disk-0")
    assert response.status_code == 503  # "nothing was saved, send it again" — and nothing was
    assert not Incident.objects.exists() and not Delivery.objects.exists() and not DBTaskResult.objects.exists()
    monkeypatch.undo()
    again = _post(client_for("staff_a"), REPORT, key="full-disk-0")
    assert again.status_code == 201, again.content
    pending = set(Delivery.objects.filter(status=Delivery.Status.PENDING).values_list("pk", flat=True))
    assert pending
    assert [r.args_kwargs["args"] for r in DBTaskResult.objects.all()] == [sorted(pending)]  # one task, all of them


@pytest.mark.django_db(transaction=True)
def test_a_failed_enqueue_after_commit_is_not_an_error_and_the_sweeper_sends(
    roster: Any, client_for: Any, monkeypatch: Any, settings: Any
) -> None:
    """With a queue elsewhere than the database, the task is queued after commit; failing to, the filing stands."""
    monkeypatch.setattr(outbox, "queue_in_database", lambda: False)
    monkeypatch.setattr(notification_tasks, "deliver", _FullDisk())
    response = _post(client_for("staff_a"), REPORT, key="full-disk-1")
    assert response.status_code == 201, response.content  # not 503 "nothing was saved": it was
    assert Incident.objects.count() == 1
    pending = set(Delivery.objects.filter(status=Delivery.Status.PENDING).values_list("pk", flat=True))
    assert pending  # the e-mails to send, committed with the report
    assert not DBTaskResult.objects.exists()  # but never queued
    # the client that retries anyway gets the same answer, and no second report
    monkeypatch.undo()
    again = _post(client_for("staff_a"), REPORT, key="full-disk-1")
    assert again.status_code == 201 and again.content == response.content
    assert Incident.objects.count() == 1
    # the sweeper picks up what was left unsent
    settings.ANWEI_DELIVERY_SWEEP_GRACE = 0
    Delivery.objects.filter(pk__in=pending).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert notifications.sweep() == len(pending)
    queued = {r.args_kwargs["args"][0] for r in DBTaskResult.objects.all()}
    assert queued == pending


def test_a_retry_while_the_first_still_runs_waits_and_an_abandoned_one_frees_the_key(
    roster: Any, client_for: Any
) -> None:
    from anwei.core.models import IdempotencyKey

    staff = client_for("staff_a")
    IdempotencyKey.objects.create(  # a first request still running (claimed, no answer yet)
        user=roster.users["staff_a"], key="running-1", method="POST", path="/api/v1/incidents", fingerprint="x"
    )
    waiting = _post(staff, REPORT, key="running-1")
    assert waiting.status_code == 422  # another body than the one running: refused whatever its state
    from django.test import RequestFactory

    from anwei.core.idempotency import fingerprint

    probe = RequestFactory().post("/api/v1/incidents", data=json.dumps(REPORT), content_type="application/json")
    IdempotencyKey.objects.filter(key="running-1").update(fingerprint=fingerprint(probe))
    busy = _post(staff, REPORT, key="running-1")
    assert busy.status_code == 409 and busy["Retry-After"]
    assert not Incident.objects.exists()
    IdempotencyKey.objects.filter(key="running-1").update(created_at=timezone.now() - timedelta(minutes=11))
    assert _post(staff, REPORT, key="running-1").status_code == 201
    assert Incident.objects.count() == 1


def test_a_full_disk_when_keeping_the_answer_does_not_undo_the_answer(
    roster: Any, client_for: Any, monkeypatch: Any
) -> None:
    from django.db.models import QuerySet

    original = QuerySet.update

    def full_disk(self: Any, **kwargs: Any) -> int:
        if self.model.__name__ == "IdempotencyKey":
            raise OperationalError("database or disk is full")
        return original(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", full_disk)
    response = _post(client_for("staff_a"), REPORT, key="disk-full-answer")
    assert response.status_code == 201, response.content  # filed: never "nothing was saved"
    assert Incident.objects.count() == 1
