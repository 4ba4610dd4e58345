"""The fast chain walk hashes exactly what `chain.canonical` (the reference) hashes, for awkward values too."""

from typing import Any

import pytest

from anwei.audit import fastwalk, services
from anwei.audit.chain import FIELDS, canonical
from anwei.audit.models import AuditEntry


@pytest.mark.django_db
def test_fast_canonical_matches_the_reference() -> None:
    services.record(actor=None, action="other", object_type="x", object_id=7, object_repr='引號 "與" \\ 換行\n\t\u2028')
    services.record(
        actor=None,
        action="update",
        object_type="incidents.incident",
        changes={"z": [1, 2.5, None], "a": {"中": "文", "b": True}, "when": "2014-01-21"},
    )
    rows: list[Any] = list(fastwalk._fetch(fastwalk._select(), []))
    orm = list(AuditEntry.objects.order_by("seq").values_list("id", "hash", *FIELDS))
    assert len(rows) == len(orm) >= 2
    for raw, ref in zip(rows, orm, strict=True):
        reference = canonical(dict(zip(FIELDS, ref[2:], strict=True)))
        assert fastwalk.canonical_row(raw) == reference
        if fastwalk._keeps_text():
            assert fastwalk.canonical_row(raw, stored_changes=True) == reference  # stored as it is hashed
    assert fastwalk.walk_table().ok


def _set_changes(seq: int, text: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        cursor.execute("UPDATE audit_auditentry SET changes = %s WHERE seq = %s", [text, seq])
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")


@pytest.mark.django_db
def test_changes_stored_in_another_form_verify_and_a_changed_value_is_caught() -> None:
    """Entries from before the canonical encoder hold Django's default JSON text ("a": 1, ASCII escapes): still
    verified, by re-writing the text; a changed value is caught whichever form it is written in."""
    services.record(actor=None, action="update", object_type="x", object_id=1, changes={"b": "乙", "a": [1, 2]})
    services.record(actor=None, action="update", object_type="x", object_id=2, changes={"n": 1})
    _set_changes(1, '{"b": "\\u4e59", "a": [1, 2]}')  # Django's default: spaces, ASCII escapes, keys unsorted
    assert fastwalk.walk_table().ok
    _set_changes(1, '{"a":[1,3],"b":"乙"}')
    verdict = fastwalk.walk_table()
    assert not verdict.ok and verdict.broken_seq == 1 and verdict.problem == "entry #1 was changed"


def _set_repr(seq: int, text: str) -> None:
    """Tamper by raw SQL, past the append-only trigger (as tests/test_audit_tamper.py does)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        cursor.execute("UPDATE audit_auditentry SET object_repr = %s WHERE seq = %s", [text, seq])
        cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_ranges_catch_a_change_inside_a_range_and_at_a_boundary(monkeypatch: Any) -> None:
    entries = [services.record(actor=None, action="other", object_type="x", object_id=i) for i in range(1, 31)]
    monkeypatch.setattr(fastwalk, "PARALLEL_FROM", 10)
    verdict = fastwalk.walk_table(workers=3)  # ranges 1–10, 11–20, 21–30 in three processes
    assert verdict.ok and verdict.count == 30 and verdict.head_hash == entries[-1].hash
    for seq in (11, 17):  # the first entry of a range, and one inside it
        _set_repr(seq, "forged")
        verdict = fastwalk.walk_table(workers=3)
        assert not verdict.ok and verdict.broken_seq == seq and verdict.count == seq - 1, verdict
        _set_repr(seq, "")
    assert fastwalk.walk_table(workers=3).ok
