"""The audit chain: appends, verification, tampering by raw SQL, concurrent appends, the viewer."""

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from anwei.audit import selectors, services
from anwei.audit.models import AuditEntry, AuditHead

pytestmark = pytest.mark.django_db


def _append(n: int) -> list[AuditEntry]:
    return [
        services.record(actor=None, action="other", object_type="test.thing", object_id=i, changes={"n": i, "x": 1.5})
        for i in range(n)
    ]


def _raw(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")


def test_chain_links_each_entry_to_the_one_before() -> None:
    entries = _append(3)
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[1].prev_hash == entries[0].hash
    assert entries[2].prev_hash == entries[1].hash
    verdict = selectors.verify()
    assert verdict.ok and verdict.count == 3 and verdict.head_hash == entries[2].hash
    assert AuditHead.objects.get(pk=1).hash == entries[2].hash


def test_a_head_taken_ahead_is_not_read_again_and_entries_after_append_now_follow_it() -> None:
    """`HeadAhead`: the head locked and read by the caller's own statement; `append_now` writes the entries so far
    with the caller's rows (no read of the head of its own), those recorded later are chained after them when the
    block ends — one chain, verified."""
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext

    from anwei.core import ahead, fastinsert

    _append(2)
    head = services.HeadAhead()
    with CaptureQueriesContext(connection) as queries, transaction.atomic(), services.deferred(head):
        columns, params = ahead.returning([head])
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1{columns}", params)
            ahead.take_ahead([head], cursor.fetchone()[1:])
        first = _append(2)
        with fastinsert.together() as batch:
            services.append_now(batch)
            assert all(e.pk is None for e in first)  # written with the batch, when it ends
        later = _append(1)
    assert [e.seq for e in [*first, *later]] == [3, 4, 5] and later[0].prev_hash == first[-1].hash
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT id, seq, hash")]
    assert reads == []  # the head was read by the caller's statement only
    assert selectors.verify().ok and AuditHead.objects.get(pk=1).seq == 5


def test_verify_command_ok(capsys: Any) -> None:
    _append(2)
    call_command("audit", "verify")
    assert "audit chain OK: 2 entries" in capsys.readouterr().out


def test_changed_row_is_named() -> None:
    entries = _append(5)
    _raw("UPDATE audit_auditentry SET object_repr = %s WHERE id = %s", ["forged", entries[2].pk])
    with pytest.raises(CommandError, match=rf"entry #3 \(row id {entries[2].pk}\).*changed"):
        call_command("audit", "verify")


def test_deleted_row_is_named() -> None:
    entries = _append(5)
    _raw("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])
    verdict = selectors.verify()
    assert not verdict.ok and verdict.broken_seq == 2 and "missing" in verdict.problem


def test_deleted_tail_is_caught_by_the_head() -> None:
    entries = _append(4)
    _raw("DELETE FROM audit_auditentry WHERE id = %s", [entries[3].pk])
    verdict = selectors.verify()
    assert not verdict.ok and "head" in verdict.problem


def test_checkpoint_catches_a_rewritten_chain() -> None:
    _append(3)
    cp = services.checkpoint()
    assert cp.seq == 3
    _raw("UPDATE audit_auditentry SET hash = %s WHERE seq = 3", ["f" * 64])
    AuditHead.objects.filter(pk=1).update(hash="f" * 64)
    assert not selectors.verify().ok


@pytest.mark.postgres
def test_postgres_trigger_refuses_update_and_delete() -> None:
    from django.db import DatabaseError, transaction

    entry = _append(1)[0]
    for sql in ("UPDATE audit_auditentry SET action = 'x' WHERE id = %s", "DELETE FROM audit_auditentry WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])


def test_update_records_field_level_old_and_new(world: Any) -> None:
    from anwei.directory import services as directory

    person = world.people["in_a1"]
    directory.update_person(actor=world.users["ethics"], person=person, title="工程司", mobile="0912000000")
    entry = AuditEntry.objects.filter(object_type="directory.person", action="update").latest("seq")
    assert entry.changes == {"title": ["技士", "工程司"], "mobile": ["", "0912000000"]}
    assert entry.actor_label == "ethics"
    assert selectors.verify().ok


def test_login_and_failed_login_are_recorded(client: Any, world: Any) -> None:
    client.post("/accounts/login/", {"username": "staff_a", "password": "wrong"})
    client.post("/accounts/login/", {"username": "staff_a", "password": "correct-horse-battery"})
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", "actor_label"))
    assert ("login_failed", "staff_a") in actions
    assert ("login", "staff_a") in actions


def test_viewer_filters(client: Any, world: Any) -> None:
    _append(3)
    client.force_login(world.users["auditor"])
    response = client.get("/audit/", {"action": "other", "object_type": "test.thing"})
    assert response.status_code == 200
    assert response.content.count(b'<td data-label="#">') == 3
    response = client.get("/audit/", {"action": "delete"})
    assert b'<td data-label="#">' not in response.content


def test_viewer_pages_through_the_log_without_counting_it(client: Any, world: Any) -> None:
    from django.test.utils import CaptureQueriesContext

    _append(120)
    client.force_login(world.users["auditor"])
    shown = {}
    for page in ("1", "2", "3", "nonsense"):
        with CaptureQueriesContext(connection) as queries:
            body = client.get("/audit/", {"object_type": "test.thing", "page": page}).content.decode()
        assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"] and "audit_auditentry" in q["sql"]]
        shown[page] = (body.count('<td data-label="#">'), "page=2" in body, "page=4" in body, "第 3 頁" in body)
    assert shown["1"] == (50, True, False, False)  # an "Older" link, no "Newer"
    assert shown["2"][0] == 50
    assert shown["3"] == (20, True, False, True)  # back to page 2; no page 4: nothing older
    assert shown["nonsense"] == shown["1"]


APPEND = """
from anwei.audit import services
for i in range({n}):
    services.record(actor=None, action="other", object_type="proc", object_id="{tag}-" + str(i))
"""


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "anwei", *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_from_several_processes_keep_one_chain(tmp_path: Path) -> None:
    """Four processes append at once to a real database file (SQLite in WAL mode) or a fresh PostgreSQL
    database; the chain stays one valid line."""
    env = {**os.environ, "ANWEI_VAR_DIR": str(tmp_path)}
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        name = f"anwei_conc_{uuid.uuid4().hex[:8]}"
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {name}")
        env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
    else:
        name = ""
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'chain.sqlite3'}"
    try:
        assert _manage(env, "migrate", "-v0").returncode == 0
        procs = [
            subprocess.Popen([sys.executable, "-m", "anwei", "shell", "-c", APPEND.format(n=40, tag=t)], env=env)
            for t in "abcd"
        ]
        assert all(p.wait(timeout=120) == 0 for p in procs)
        result = _manage(env, "audit", "verify")
        assert result.returncode == 0, result.stderr
        assert "160 entries" in result.stdout
    finally:
        if name:
            connection.close()
            with connection.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_audit_log_downloads_as_csv_with_filters_and_the_download_is_itself_audited(client_for: Any) -> None:
    from anwei.audit.models import AuditEntry

    response = client_for("auditor").get("/audit/export.csv?action=create")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    lines = body.strip().splitlines()
    creates = AuditEntry.objects.filter(action="create").count()
    assert creates > 0 and len(lines) == 1 + creates
    assert AuditEntry.objects.filter(action="export", object_type="audit.auditentry").exists()


def test_viewer_shows_only_the_readers_agency_and_subtree(world: Any, client_for: Any) -> None:
    """An auditor on sub-unit A1 reads the entries of A1's people only; the agency's auditor reads the whole
    agency but not a second agency's; entries attributable to no agency stay with the superusers once the
    installation serves two agencies."""
    from tests.personas import add_scope_personas

    add_scope_personas(world)
    for persona in ("staff_b", "auditor_a1", "ethics_other", "supervisor_a"):
        services.record(actor=world.users[persona], action="other", object_type="mark", object_repr=f"by-{persona}")
    services.record(actor=None, action="login_failed", actor_label="staff_b", object_repr="typed-staff_b")
    services.record(actor=None, action="login_failed", actor_label="nobody-has-this", object_repr="typed-unknown")
    services.record(actor=None, action="other", object_repr="worker-job")

    def seen(persona: str) -> set[str]:
        user = world.users[persona]
        return set(selectors.entries(user, {}).exclude(object_repr="").values_list("object_repr", flat=True))

    marks = {"by-staff_b", "by-auditor_a1", "by-ethics_other", "by-supervisor_a", "typed-staff_b"}
    unattributed = {"typed-unknown", "worker-job"}
    assert seen("auditor_a1") & (marks | unattributed) == {"by-auditor_a1"}
    assert seen("auditor") & (marks | unattributed) == marks - {"by-ethics_other"}
    assert seen("ethics") & (marks | unattributed) == marks - {"by-ethics_other"}
    assert seen("ethics_other") & (marks | unattributed) == {"by-ethics_other"}
    assert not seen("staff_a") and not seen("supervisor_a")  # no audit.view
    world.users["admin"].is_superuser = True
    world.users["admin"].save()
    superuser = type(world.users["admin"]).objects.get(pk=world.users["admin"].pk)
    everything = set(selectors.entries(superuser, {}).values_list("object_repr", flat=True))
    assert marks | unattributed <= everything
    # the page and the download show the same part of the log
    page = client_for("auditor_a1").get("/audit/", {"object_type": "mark"}).content.decode()
    assert "by-auditor_a1" in page and "by-staff_b" not in page and "by-supervisor_a" not in page
    response = client_for("auditor_a1").get("/audit/export.csv")
    body = b"".join(response.streaming_content).decode()
    assert "by-auditor_a1" in body and "by-staff_b" not in body and "typed-staff_b" not in body


def test_with_one_agency_its_whole_agency_readers_see_unattributed_entries(world: Any) -> None:
    services.record(actor=None, action="other", object_repr="worker-job")
    services.record(actor=None, action="login_failed", actor_label="nobody-has-this", object_repr="typed-unknown")
    seen = set(selectors.entries(world.users["auditor"], {}).values_list("object_repr", flat=True))
    assert {"worker-job", "typed-unknown"} <= seen


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "TRUNCATE audit_auditentry",
        "TRUNCATE audit_auditentry CASCADE",
        "TRUNCATE audit_audithead",
        "DELETE FROM audit_audithead",
        "TRUNCATE audit_auditcheckpoint",
        "DELETE FROM audit_auditcheckpoint",
    ],
)
def test_postgres_refuses_erasing_the_log_its_head_and_its_checkpoints(sql: str) -> None:
    from django.db import DatabaseError, transaction

    _append(2)
    services.checkpoint()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEntry.objects.count() == 2 and AuditHead.objects.get(pk=1).seq == 2
    assert selectors.checkpoints().count() == 1


@pytest.mark.postgres
def test_postgres_still_moves_the_head_and_restores_a_checkpoint() -> None:
    _append(1)
    services.checkpoint()
    _append(1)  # the head row is updated by every append
    assert services.checkpoint().seq == 2  # the same day's checkpoint is stored again
    assert selectors.verify().ok


@pytest.mark.postgres
def test_flush_cannot_erase_the_audit_log_outside_the_test_suite(settings: Any) -> None:
    """Django's flush TRUNCATEs every table: refused while the audit log's guard is on. Only the test suite's own
    flush between transactional tests (settings.TESTING) lifts the guard for its statement."""
    _append(1)
    settings.TESTING = False
    with pytest.raises(CommandError, match=r"append-only|flush"):
        call_command("flush", interactive=False, verbosity=0)
    assert AuditEntry.objects.count() == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'audit_%%_no_truncate' AND tgenabled = 'O'")
        assert cursor.fetchone()[0] == 3  # all still on
