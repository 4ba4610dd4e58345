"""Tampering with the audit log by raw SQL, beyond the update/delete cases of test_audit.py: a row inserted at the
end, a row inserted in the middle (renumbering the rest), two rows swapped, and an insert forged with a correctly
computed hash. `audit verify` catches each and names where. Runs on SQLite and on PostgreSQL (trigger disabled for
the tampering, as an attacker with owner rights would)."""

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from anwei.audit import keys, selectors, services
from anwei.audit.chain import entry_hash, entry_mac
from anwei.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

COLUMNS = "seq, at, actor_label, action, object_type, object_id, object_repr, changes, ip, request_id, prev_hash, hash"


def _append(n: int) -> list[AuditEntry]:
    return [
        services.record(actor=None, action="other", object_type="test.thing", object_id=i, changes={"n": i})
        for i in range(n)
    ]


def _tamper(*statements: tuple[str, list[Any]]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        for sql, params in statements:
            cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")


def _insert(values: dict[str, Any], digest: str) -> tuple[str, list[Any]]:
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    sql = f"INSERT INTO audit_auditentry ({COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s{cast}, %s, %s, %s, %s)"  # noqa: S608
    params = [
        values["seq"],
        values["at"],
        values["actor_label"],
        values["action"],
        values["object_type"],
        values["object_id"],
        values["object_repr"],
        json.dumps(values["changes"]),
        values["ip"],
        values["request_id"],
        values["prev_hash"],
        digest,
    ]
    return sql, params


def _forged(seq: int, prev_hash: str) -> dict[str, Any]:
    return {
        "seq": seq,
        "at": datetime(2026, 1, 1, tzinfo=UTC),
        "actor_id": None,
        "actor_label": "ethics",
        "action": "view",
        "object_type": "classified.document",
        "object_id": "7",
        "object_repr": "forged",
        "changes": {},
        "ip": "",
        "request_id": "",
        "prev_hash": prev_hash,
    }


def test_row_inserted_at_the_end_is_caught_by_the_head() -> None:
    entries = _append(3)
    forged = _forged(4, entries[-1].hash)
    _tamper(_insert(forged, "e" * 64))
    verdict = selectors.verify()
    assert not verdict.ok and verdict.broken_seq == 4 and "changed" in verdict.problem


def test_insert_with_a_plain_hash_is_caught_as_changed() -> None:
    """Without the key, a forged entry's plain SHA-256 is not its MAC."""
    entries = _append(3)
    forged = _forged(4, entries[-1].hash)
    _tamper(_insert(forged, entry_hash(forged)))
    verdict = selectors.verify()
    assert not verdict.ok and verdict.broken_seq == 4 and "changed" in verdict.problem


def test_insert_with_a_correctly_computed_mac_is_caught_by_the_head() -> None:
    """Even someone holding the key cannot append behind the head's back."""
    entries = _append(3)
    forged = _forged(4, entries[-1].hash)
    _tamper(_insert(forged, entry_mac(keys.mac_key().secret, forged)))
    verdict = selectors.verify()
    assert not verdict.ok and "head records #3" in verdict.problem
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("audit", "verify")


def test_row_inserted_in_the_middle_is_named() -> None:
    entries = _append(5)
    # make room at #3 by renumbering #3..#5 (from the top, so the unique numbers never collide), then insert
    statements = [("UPDATE audit_auditentry SET seq = seq + 1 WHERE id = %s", [e.pk]) for e in reversed(entries[2:])]
    forged = _forged(3, entries[1].hash)
    statements.append(_insert(forged, entry_mac(keys.mac_key().secret, forged)))
    _tamper(*statements)
    verdict = selectors.verify()
    assert not verdict.ok and verdict.broken_seq == 4, verdict.problem
    with pytest.raises(CommandError, match=r"entry #4"):
        call_command("audit", "verify")


def test_reordered_rows_are_named() -> None:
    entries = _append(5)
    second, third = entries[1], entries[2]
    _tamper(
        ("UPDATE audit_auditentry SET seq = %s WHERE id = %s", [-1, second.pk]),
        ("UPDATE audit_auditentry SET seq = %s WHERE id = %s", [2, third.pk]),
        ("UPDATE audit_auditentry SET seq = %s WHERE id = %s", [3, second.pk]),
    )
    verdict = selectors.verify()
    assert not verdict.ok and verdict.broken_seq == 2 and verdict.broken_id == third.pk, verdict.problem


def test_reordered_times_are_named() -> None:
    """Moving an entry in time (the order a reader sees) changes its hash."""
    entries = _append(4)
    _tamper(("UPDATE audit_auditentry SET at = %s WHERE id = %s", [datetime(2020, 1, 1, tzinfo=UTC), entries[1].pk]))
    verdict = selectors.verify()
    assert not verdict.ok and verdict.broken_seq == 2 and "changed" in verdict.problem
