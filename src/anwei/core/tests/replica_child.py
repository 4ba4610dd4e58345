"""The child process of test_replica: configured with DATABASE_URL (a primary) and ANWEI_REPLICA_DATABASE_URL (its
streaming replica), it acts — writes, requests through the full middleware stack, pauses the replica's replay —
and prints what it saw as JSON on its last line; the test asserts on it. Not a test module itself."""

import json
import time
import uuid
from typing import Any


def main() -> None:
    import django

    django.setup()
    from django.db import connections, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from anwei.accounts.models import RoleAssignment, User
    from anwei.accounts.roles import Role
    from anwei.core import dbrouter
    from anwei.directory.models import Agency, Unit
    from anwei.upward import rules, services, signing
    from anwei.upward.models import RollupSitrep

    seen: dict[str, Any] = {}

    def in_recovery(alias: str) -> bool:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            return bool(cursor.fetchone()[0])

    seen["primary_in_recovery"], seen["replica_in_recovery"] = in_recovery("default"), in_recovery("replica")

    now = timezone.now()
    day = rules.sitrep_day(now)
    superior = Agency.objects.create(code="nat-sup", name="上級機關")
    top = Unit.objects.create(agency=superior, name="政風室")
    top.path = f"/{top.pk}/"
    top.save(update_fields=["path"])
    duty = User.objects.create(username="nat-duty")
    RoleAssignment.objects.create(user=duty, role=Role.DUTY_OFFICER, unit=top)
    first = Agency.objects.create(code="nat-a", name="甲公所", superior=superior)
    Agency.objects.create(code="nat-b", name="乙公所", superior=superior)
    _link, token = services.create_link(actor=None, agency_code="nat-b", name="乙公所政風室")
    RollupSitrep.objects.create(agency=first, day=day, filed_at=now, zero_report=True)

    # a write on the primary appears on the replica
    deadline = time.monotonic() + 20
    while not RollupSitrep.objects.using("replica").filter(agency=first).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    seen["replicated"] = RollupSitrep.objects.using("replica").filter(agency=first).exists()

    def browser() -> Client:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(duty)
        return client

    def filed(client: Client) -> tuple[dict[str, bool], dict[str, int]]:
        """The roll-up API as this browser sees it, and how many roll-up queries ran on each database."""
        with (
            CaptureQueriesContext(connections["default"]) as on_primary,
            CaptureQueriesContext(connections["replica"]) as on_replica,
        ):
            response = client.get(f"/api/v1/rollup/sitreps?date={day.isoformat()}")
        assert response.status_code == 200, response.content
        counts = {
            alias: sum("upward_rollupsitrep" in q["sql"] for q in captured.captured_queries)
            for alias, captured in (("default", on_primary), ("replica", on_replica))
        }
        return {item["agency"]: item["filed_at"] is not None for item in response.json()["items"]}, counts

    reader, filer = browser(), browser()
    seen["api_before"], seen["api_rollup_queries"] = filed(reader)

    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    code, key, secret = signing.split_token(token)
    body = json.dumps(
        {
            "agency": code,
            "uuid": str(uuid.uuid4()),
            "sequence": 1,
            "kind": "sitrep",
            "filed_at": now.isoformat(),
            "payload": {"day": day.isoformat(), "incident_count": 0},
        }
    ).encode()
    headers = signing.headers(key, secret, body)
    response = filer.post("/upward/receive/", body, content_type="application/json", headers=headers)
    seen["filing_status"] = response.status_code
    seen["pin_cookie"] = dbrouter.COOKIE in response.cookies
    seen["api_pinned"], seen["api_pinned_rollup_queries"] = filed(filer)
    seen["api_other_browser"], _counts = filed(reader)

    with dbrouter.fresh_context():
        seen["unpinned"] = dbrouter.rollup_db()
        User.objects.filter(pk=duty.pk).update(first_name="值日")  # a write in this unit of work
        seen["after_own_write"] = dbrouter.rollup_db()
    with dbrouter.fresh_context(), transaction.atomic():
        seen["in_transaction"] = dbrouter.rollup_db()

    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")
    deadline = time.monotonic() + 20
    while True:
        seen["api_caught_up"], _counts = filed(reader)
        if all(seen["api_caught_up"].values()) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    print(json.dumps(seen))
