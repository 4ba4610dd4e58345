"""An insider with write access to the database (an administrator with a SQL console, a database operator) against
the keyed chain and the witness file (issue 15). Each test plays an attack that `audit verify` answered "OK" to
while the chain was plain SHA-256 without a witness: the attacker can run any SQL (on PostgreSQL: as the owner,
switching the audit triggers off) but cannot read the key files nor the witness file outside the database."""

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from anwei.audit import keys, selectors, services, witness
from anwei.audit.chain import FIELDS, GENESIS, KEY_ENTRY, canonical, entry_hash
from anwei.audit.models import AuditCheckpoint, AuditEntry, AuditHead

pytestmark = pytest.mark.django_db
TABLES = ("audit_auditentry", "audit_audithead", "audit_auditcheckpoint")


def _append(n: int, start: int = 0) -> list[AuditEntry]:
    return [
        services.record(actor=None, action="update", object_type="incidents.incident", object_id=i, changes={"n": i})
        for i in range(start, start + n)
    ]


def _as_owner(*statements: tuple[str, list[Any]]) -> None:
    """Raw SQL with the audit triggers off, as the owner of the tables could on PostgreSQL."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        for sql, params in statements:
            cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            for table in TABLES:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def _rechain_plain(rows: list[dict[str, Any]]) -> list[tuple[str, list[Any]]]:
    """The attacker's rewrite: every entry re-hashed with plain SHA-256 after the change, head and checkpoints too."""
    statements: list[tuple[str, list[Any]]] = []
    prev = GENESIS
    for row in rows:
        row["prev_hash"] = prev
        prev = hashlib.sha256(canonical({name: row[name] for name in FIELDS})).hexdigest()
        statements.append(
            (
                "UPDATE audit_auditentry SET object_repr = %s, at = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [row["object_repr"], row["at"], row["prev_hash"], prev, row["id"]],
            )
        )
    statements.append(("UPDATE audit_audithead SET seq = %s, hash = %s WHERE id = 1", [len(rows), prev]))
    statements.append(("DELETE FROM audit_auditcheckpoint", []))
    return statements


def _rows() -> list[dict[str, Any]]:
    return list(AuditEntry.objects.order_by("seq").values("id", "hash", *FIELDS))


def _assert_broken(match: str) -> None:
    verdict = selectors.verify()
    assert not verdict.ok and match in verdict.problem, verdict.problem
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("audit", "verify")


def test_a_chain_rewritten_and_rehashed_with_database_access_fails() -> None:
    _append(5)
    rows = _rows()
    rows[1]["object_repr"] = "nothing happened here"
    _as_owner(*_rechain_plain(rows))
    verdict = selectors.verify()
    assert not verdict.ok and verdict.broken_seq == 1 and verdict.problem == "entry #1 was changed"
    with pytest.raises(CommandError, match=r"BROKEN at entry #1"):
        call_command("audit", "verify")


def test_a_back_dated_entry_inserted_with_recomputed_hashes_fails() -> None:
    """A forged entry slipped in at #3, dated last year, the rest renumbered and re-hashed."""
    entries = _append(4)
    rows = _rows()
    forged = dict(rows[1], id=None, at=datetime(2025, 3, 1, 9, tzinfo=UTC), object_repr="approved in time")
    rewritten = [*rows[:2], forged, *rows[2:]]
    for seq, row in enumerate(rewritten, start=1):
        row["seq"] = seq
    statements = [("UPDATE audit_auditentry SET seq = seq + 100 WHERE id = %s", [e.pk]) for e in entries[2:]]
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    statements.append(
        (
            "INSERT INTO audit_auditentry (seq, at, actor_label, action, object_type, object_id, object_repr, changes,"  # noqa: S608
            f" ip, request_id, prev_hash, hash) VALUES (3, %s, '', 'update', 'incidents.incident', '1', %s, %s{cast},"
            " '', '', '', %s)",
            [forged["at"], forged["object_repr"], json.dumps(forged["changes"]), "f" * 64],
        )
    )
    statements += [("UPDATE audit_auditentry SET seq = %s WHERE id = %s", [r["seq"], r["id"]]) for r in rewritten[3:]]
    _as_owner(*statements)
    rewritten[2]["id"] = AuditEntry.objects.get(seq=3).pk
    _as_owner(*_rechain_plain(rewritten))
    _assert_broken("entry #1 was changed")


def test_a_wiped_log_with_reset_head_and_deleted_checkpoints_fails_against_the_witness() -> None:
    _append(3)
    services.checkpoint()
    _as_owner(
        ("DELETE FROM audit_auditentry", []),
        ("UPDATE audit_audithead SET seq = 0, hash = %s, key_id = '' WHERE id = 1", [GENESIS]),
        ("DELETE FROM audit_auditcheckpoint", []),
    )
    _assert_broken("the database is behind its witness: entry #3 was witnessed")
    with pytest.raises(services.AuditLogBehind):  # and nothing is appended over the gap
        _append(1)


def test_a_truncated_tail_fails_against_the_witness() -> None:
    _append(4)
    services.checkpoint()
    rows = _rows()[:2]
    _as_owner(
        ("DELETE FROM audit_auditentry WHERE seq > 2", []),
        ("UPDATE audit_audithead SET seq = 2, hash = %s WHERE id = 1", [rows[-1]["hash"] if rows else ""]),
        ("DELETE FROM audit_auditcheckpoint", []),
    )
    _assert_broken("the chain ends at #2")


def test_a_rewrite_behind_a_witnessed_checkpoint_fails_even_with_the_key() -> None:
    """Someone holding the MAC key (not the signing key) re-MACs a rewritten chain: the witness still tells."""
    _append(3)
    services.checkpoint()
    rows = _rows()
    rows[0]["object_repr"] = "rewritten"
    secret = keys.mac_key().secret
    from anwei.audit.chain import mac_function

    mac, prev, statements = mac_function(secret), GENESIS, []
    for row in rows:
        row["prev_hash"] = prev
        prev = mac(canonical({name: row[name] for name in FIELDS}))
        statements.append(
            (
                "UPDATE audit_auditentry SET object_repr = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [row["object_repr"], row["prev_hash"], prev, row["id"]],
            )
        )
    statements.append(("UPDATE audit_audithead SET hash = %s WHERE id = 1", [prev]))
    statements.append(("DELETE FROM audit_auditcheckpoint", []))
    _as_owner(*statements)
    _assert_broken("entry #3 differs from the checkpoint witnessed")


def test_a_changed_witness_line_is_refused(settings: Any) -> None:
    _append(2)
    services.checkpoint()
    path = Path(settings.AUDIT_WITNESS)
    record = json.loads(path.read_text())
    record["seq"] = 1
    path.write_text(json.dumps(record) + "\n")
    _assert_broken("line 1 of the witness file")


def test_verify_without_the_key_says_so_and_stops(settings: Any, tmp_path: Path) -> None:
    _append(2)
    settings.AUDIT_KEY_FILE = tmp_path / "absent-key"
    settings.AUDIT_KEYS_GENERATE = False
    with pytest.raises(CommandError, match=r"audit verify stopped: the audit key file .*absent-key is missing"):
        call_command("audit", "verify")
    with pytest.raises(keys.KeyMissing):  # and nothing is written unkeyed
        _append(1)
    assert not (tmp_path / "absent-key").exists()


@pytest.fixture
def own_keys(settings: Any, tmp_path: Path) -> Path:
    """A key file of the test's own (rotation adds keys to it)."""
    settings.AUDIT_KEY_FILE = tmp_path / "audit-key"
    return Path(settings.AUDIT_KEY_FILE)


def test_rotation_is_an_entry_and_both_keys_verify(own_keys: Path, capsys: Any) -> None:
    _append(2)
    old = keys.mac_key()
    call_command("audit", "rotate-key")
    new = keys.mac_key()
    assert new.id != old.id and [k.id for k in keys.keyring()] == [old.id, new.id]
    handover = AuditEntry.objects.get(seq=3)
    assert (handover.object_type, handover.object_id) == (KEY_ENTRY, new.id)
    _append(2, start=10)
    assert AuditHead.objects.get(pk=1).key_id == new.id
    call_command("audit", "verify")
    assert "audit chain OK: 5 entries" in capsys.readouterr().out
    assert len(witness.read()) == 1  # the rotation was witnessed at once
    # without the old key the entries it MACed cannot be verified
    own_keys.write_text(own_keys.read_text().splitlines()[1] + "\n")
    _assert_broken("entry #1 was changed")


def test_a_legacy_chain_continues_keyed_and_cannot_be_downgraded(own_keys: Path) -> None:
    """A chain written before keyed MACs (plain SHA-256, head without key id): the next entry hands it to the key
    file's key, the key file records where; a rewrite of the whole chain as plain hashes is then refused."""
    prev = GENESIS
    for seq in (1, 2):
        values = {name: "" for name in FIELDS} | {
            "seq": seq, "at": datetime(2026, 1, seq, tzinfo=UTC), "actor_id": None, "action": "update",
            "changes": {"n": seq}, "prev_hash": prev,
        }  # fmt: skip
        prev = entry_hash(values)
        AuditEntry.objects.create(hash=prev, **values)
    AuditHead.objects.update_or_create(pk=1, defaults={"seq": 2, "hash": prev, "key_id": ""})
    _append(2)
    key = keys.mac_key()
    assert key.legacy_until == 3 and AuditEntry.objects.get(seq=3).object_id == key.id
    assert selectors.verify().ok
    rows = _rows()
    rows[3]["object_repr"] = "downgraded"
    _as_owner(*_rechain_plain(rows))
    _assert_broken("entry #4 was changed")


def test_a_plain_hash_chain_handed_to_the_key_at_its_end_is_refused(own_keys: Path) -> None:
    """The downgrade with a forged hand-over entry at the end: the key file says the keyed chain began at #1."""
    _append(3)
    key = keys.mac_key()
    rows = _rows()
    rows[2].update(object_type=KEY_ENTRY, object_id=key.id, object_repr="")
    statements = _rechain_plain(rows)
    statements.insert(
        0, ("UPDATE audit_auditentry SET object_type = %s, object_id = %s WHERE seq = 3", [KEY_ENTRY, key.id])
    )
    _as_owner(*statements)
    _assert_broken("entry #1 was changed")


def test_checkpoints_are_witnessed_and_mailed_to_the_auditors(world: Any, settings: Any) -> None:
    mail.outbox.clear()
    from anwei.audit.tasks import daily_checkpoint

    daily_checkpoint.call()
    head = AuditHead.objects.get(pk=1)
    (witnessed,) = witness.read()
    assert (witnessed.seq, witnessed.mac, witnessed.key) == (head.seq, head.hash, keys.mac_key().id)
    assert AuditCheckpoint.objects.get().seq == head.seq
    (message,) = mail.outbox
    assert message.to == ["auditor@test.example"]  # the one auditor of the world, nobody else
    line = Path(settings.AUDIT_WITNESS).read_text().strip()
    assert line in message.body and f"{head.seq:,}" in message.body


@pytest.mark.postgres
def test_postgresql_refuses_to_lower_the_head() -> None:
    from django.db import DatabaseError, transaction

    _append(2)
    with pytest.raises(DatabaseError, match="only grows"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_audithead SET seq = 0 WHERE id = 1")


@pytest.fixture
def app_role() -> Any:
    """The application role of docs/operations.md, granted by the owner (audit.pgroles) on the test database from a
    connection of its own (committed at once), and a connection as that role; dropped afterwards."""
    import uuid

    import psycopg

    from anwei.audit import pgroles

    settings_dict = connection.settings_dict
    name, password = f"anwei_app_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    owner_params = {
        "host": settings_dict["HOST"] or "127.0.0.1",
        "port": settings_dict["PORT"] or 5432,
        "dbname": settings_dict["NAME"],
    }
    with psycopg.connect(**owner_params, user=settings_dict["USER"], password=settings_dict["PASSWORD"] or None,
                         autocommit=True) as owner:  # fmt: skip
        for sql in pgroles.grant_statements(name, settings_dict["NAME"]):
            owner.execute(sql)  # type: ignore[arg-type]
        owner.execute(f"ALTER ROLE \"{name}\" PASSWORD '{password}'")  # type: ignore[arg-type]
        try:
            with psycopg.connect(**owner_params, user=name, password=password, autocommit=True) as app:
                yield app
        finally:
            owner.execute(f'DROP OWNED BY "{name}"')  # type: ignore[arg-type]
            owner.execute(f'DROP ROLE "{name}"')  # type: ignore[arg-type]


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only",
        "ALTER TABLE audit_audithead DISABLE TRIGGER USER",
        "UPDATE audit_auditentry SET object_repr = 'x'",
        "DELETE FROM audit_auditentry",
        "TRUNCATE audit_auditentry",
        "DELETE FROM audit_audithead",
        "DELETE FROM audit_auditcheckpoint",
        "DROP TRIGGER audit_head_only_grows ON audit_audithead",
        "DROP TABLE audit_auditcheckpoint",
        "CREATE TABLE shadow (id int)",
        "ALTER TABLE incidents_incident ADD COLUMN x int",
    ],
)
def test_the_application_role_is_refused_what_an_insider_needs(app_role: Any, statement: str) -> None:
    import psycopg

    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        app_role.execute(statement)


@pytest.mark.postgres
def test_the_application_role_reads_and_appends(app_role: Any) -> None:
    """What the processes need still works: reading, appending an entry, moving the head forward, other tables."""
    app_role.execute("SELECT count(*) FROM audit_auditentry")
    app_role.execute("SELECT count(*) FROM incidents_incident")
    app_role.execute("UPDATE audit_audithead SET seq = seq WHERE id = 1")
    with app_role.transaction(force_rollback=True):
        app_role.execute(
            "INSERT INTO audit_auditentry (seq, at, actor_label, action, object_type, object_id, object_repr, changes,"
            " ip, request_id, prev_hash, hash) VALUES (999999, now(), '', 'other', '', '', '', '{}', '', '', '', 'x')"
        )
        app_role.execute("DELETE FROM django_session")
    # a filing takes its keys ahead from the sequences (core.ahead.KeysAhead) and locks the chain's head
    from anwei.audit.services import HeadAhead
    from anwei.core import ahead
    from anwei.incidents.models import Incident
    from anwei.notifications.models import Delivery, Notification

    rows = [[Incident()], [Notification(), Notification()], [Delivery() for _ in range(3)]]
    keys = ahead.KeysAhead(rows)
    columns, params = ahead.returning([keys, HeadAhead()])
    with app_role.transaction(force_rollback=True):
        row = app_role.execute(f"SELECT 1{columns}", params).fetchone()  # type: ignore[call-overload]
    assert row is not None
    keys.take(row[1:4])
    assert all(type(ahead.later_of(r, "id").value) is int for some in rows for r in some)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_ranges_follow_the_key_entries(own_keys: Path, monkeypatch: Any) -> None:
    """Ranges verified in separate processes start with the key the chain had there: #15 and #26 hand it over."""
    from anwei.audit import fastwalk

    _append(14)
    services.rotate_key()
    _append(10)
    services.rotate_key()
    _append(4)
    monkeypatch.setattr(fastwalk, "PARALLEL_FROM", 10)
    verdict = fastwalk.walk_table(workers=3)  # ranges 1–10, 11–20, 21–30
    assert verdict.ok and verdict.count == 30 and verdict.key_id == keys.mac_key().id
    assert [e.seq for e in AuditEntry.objects.filter(object_type=KEY_ENTRY)] == [26, 15]
    _as_owner(("UPDATE audit_auditentry SET object_repr = 'forged' WHERE seq = 22", []))
    verdict = fastwalk.walk_table(workers=3)
    assert not verdict.ok and verdict.broken_seq == 22, verdict


@pytest.mark.postgres
def test_migrate_as_the_owner_then_run_as_the_application_role(tmp_path: Path) -> None:
    """The deployment of docs/operations.md end to end: a new database, `migrate` and `pg-roles` with
    ANWEI_MIGRATE_DATABASE_URL (the owner), then the service's own work as the application role — an audited write,
    a checkpoint, `audit verify` — while the same role is refused switching the audit triggers off."""
    import os
    import subprocess
    import sys
    import uuid

    import psycopg

    settings_dict = connection.settings_dict
    host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
    owner = settings_dict["USER"] + (f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else "")
    database, role, password = f"anwei_roles_{uuid.uuid4().hex[:8]}", f"anwei_app_{uuid.uuid4().hex[:8]}", "pw-x1"
    (tmp_path / "pw").write_text(password)
    admin = psycopg.connect(
        host=host, port=port, user=settings_dict["USER"], password=settings_dict["PASSWORD"] or None,
        dbname="postgres", autocommit=True,
    )  # fmt: skip
    admin.execute(f'CREATE DATABASE "{database}"')  # type: ignore[arg-type]
    env = {
        **os.environ,
        "ANWEI_VAR_DIR": str(tmp_path),
        "ANWEI_MEDIA_ROOT": str(tmp_path / "media"),
        "ANWEI_AUDIT_WITNESS": str(tmp_path / "witness.jsonl"),
        "DATABASE_URL": f"postgres://{role}:{password}@{host}:{port}/{database}",
        "ANWEI_MIGRATE_DATABASE_URL": f"postgres://{owner}@{host}:{port}/{database}",
    }

    def anwei(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "anwei", *args], env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    try:
        anwei("migrate", "-v0")
        anwei("pg-roles", "--app-role", role, "--password-file", str(tmp_path / "pw"))
        write = "from anwei.audit import services; services.record(actor=None, action='other', object_type='x.y')"
        anwei("shell", "-v", "0", "-c", write)
        anwei("demo")  # every app's ordinary writes (plans, reports, notifications, classified …) need no more
        anwei("audit", "checkpoint")
        assert "audit chain OK" in anwei("audit", "verify")
        app = psycopg.connect(host=host, port=port, user=role, password=password, dbname=database)
        with app, pytest.raises(psycopg.errors.InsufficientPrivilege, match="must be owner"):
            app.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')  # type: ignore[arg-type]
        admin.execute(f'DROP ROLE IF EXISTS "{role}"')  # type: ignore[arg-type]
        admin.close()


def test_the_embedded_default_generates_each_key_once_readable_only_by_the_service(own_keys: Path) -> None:
    first = keys.mac_key()
    assert own_keys.stat().st_mode & 0o777 == 0o600
    keys._create_once(own_keys, b'{"id": "other", "key": "00"}\n')  # a second process starting at the same moment
    assert keys.mac_key() == first and [k.id for k in keys.keyring()] == [first.id]
    assert sorted(p.name for p in own_keys.parent.iterdir()) == ["audit-key"]  # nothing left aside
