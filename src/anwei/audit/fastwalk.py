"""The chain walk at speed, same hashes as `chain.canonical` (the reference): raw cursor tuples instead of ORM rows,
the canonical JSON written field by field in its fixed (sorted) key order with the C string escaper, and — for
long committed chains in a file or server database — seq ranges verified in parallel processes. Each range checks
its own entries and links, starting from the stored hash of the entry just before it; that entry is checked by the
range before, so every link is checked exactly once.

On SQLite the database itself writes each row's canonical text (`json_quote` and concatenation, in C; `changes` as
stored, since `chain.CanonicalEncoder` writes it in canonical form) and Python only hashes it. That is sound: the
text SQLite builds is valid JSON, so if its hash equals the stored hash it is byte for byte the text hashed when the
entry was written, and a JSON text has one reading — the fields are the ones written. Where the spellings could
differ (a time in another form, `changes` written before the encoder, a NULL, a value written in by hand) the row is
re-read and checked the reference way before it is called changed."""

import json
import multiprocessing
import os
from collections.abc import Iterable
from datetime import UTC, datetime
from json.encoder import encode_basestring
from typing import Any

from django.db import connection, connections
from django.utils.dateparse import parse_datetime

from . import keys
from .chain import FIELDS, GENESIS, KEY_ENTRY, KeyState, Mac, Verdict

COLUMNS = ("id", "hash", *FIELDS)
_changes = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode
_loads = json.loads
PARALLEL_FROM = 200_000


def _at(value: Any) -> str:
    if isinstance(value, datetime):  # naive from SQLite's converter: stored in UTC
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return moment.isoformat(timespec="microseconds")
    text = str(value)  # SQLite: "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC as Django writes it
    if len(text) == 26 and text[19] == ".":
        return f"{text[:10]}T{text[11:19]}{text[19:]}+00:00"
    if len(text) == 19:
        return f"{text[:10]}T{text[11:19]}.000000+00:00"
    parsed = parse_datetime(text)  # anything else (an offset, a written-in row): as the ORM would read it
    if parsed is None:
        return text
    return _at(parsed)


def canonical_row(row: tuple[Any, ...], *, stored_changes: bool = False) -> bytes:
    """`chain.canonical()` of a raw row (id, hash, *FIELDS) — byte for byte. With `stored_changes`, the stored text
    of `changes` is taken as it is: entries written since `chain.CanonicalEncoder` store exactly their canonical
    text, so most rows need no JSON parsing at all (`walk_rows` falls back to re-writing it when that fails)."""
    (_pk, _h, seq, at, actor_id, label, action, otype, oid, orepr, changes, ip, rid, prev) = row
    if not isinstance(changes, str):
        changes = _changes(changes)
    elif not stored_changes:
        changes = _changes(_loads(changes))
    return (
        f'{{"action":{encode_basestring(action)},"actor_id":{"null" if actor_id is None else actor_id},'
        f'"actor_label":{encode_basestring(label)},"at":"{_at(at)}","changes":{changes},'
        f'"ip":{encode_basestring(ip)},"object_id":{encode_basestring(oid)},"object_repr":{encode_basestring(orepr)},'
        f'"object_type":{encode_basestring(otype)},"prev_hash":{encode_basestring(prev)},'
        f'"request_id":{encode_basestring(rid)},"seq":{seq}}}'
    ).encode()


def _matches(row: tuple[Any, ...], stored: str, stored_text: bool, mac: Mac) -> bool:
    if stored_text and mac(canonical_row(row, stored_changes=True)) == stored:
        return True
    return mac(canonical_row(row)) == stored


def _keeps_text() -> bool:
    """SQLite keeps the JSON text as written; PostgreSQL's jsonb gives back its own spelling of it."""
    return connection.vendor == "sqlite"


def _checks(row: tuple[Any, ...], stored_text: bool, mac: Mac) -> bool:
    try:
        return _matches(row, row[1], stored_text, mac)
    except (TypeError, ValueError):  # a value of the wrong type written in by hand
        return False


def walk_rows(rows: Iterable[tuple[Any, ...]], keys: KeyState, prev_hash: str = GENESIS, first_seq: int = 1) -> Verdict:
    """rows: (id, hash, *FIELDS) ordered by seq."""
    expected, count, stored_text, mac = first_seq, 0, _keeps_text(), keys.mac
    for row in rows:
        pk, stored, seq = row[0], row[1], row[2]
        if seq != expected:
            problem = f"entry #{expected} is missing" if seq > expected else f"entry #{seq} is out of order"
            return Verdict(False, count, prev_hash, expected, pk, problem)
        if row[13] != prev_hash:
            return Verdict(False, count, prev_hash, seq, pk, f"entry #{seq} does not follow entry #{seq - 1}")
        if keys.key_id is None and (problem := keys.unkeyed(seq)):
            return Verdict(False, count, prev_hash, seq, pk, problem)
        if not _checks(row, stored_text, mac):
            return Verdict(False, count, prev_hash, seq, pk, f"entry #{seq} was changed")
        if row[7] == KEY_ENTRY:
            if problem := keys.problem(seq, row[7], row[8]):
                return Verdict(False, count, prev_hash, seq, pk, problem)
            mac = keys.mac
        prev_hash = stored
        expected += 1
        count += 1
    return Verdict(True, count, prev_hash, keys=keys.used, key_id=keys.key_id)


# SQLite: the canonical text of a row, written by the database (see the module's docstring).
_AT = (
    "CASE WHEN length(at) = 26 AND substr(at, 20, 1) = '.' THEN substr(at, 1, 10) || 'T' || substr(at, 12) || '+00:00' "
    "WHEN length(at) = 19 THEN substr(at, 1, 10) || 'T' || substr(at, 12) || '.000000+00:00' END"
)
_TEXT = (
    """'{"action":' || json_quote(action) || ',"actor_id":' || coalesce(actor_id, 'null')"""
    """ || ',"actor_label":' || json_quote(actor_label) || ',"at":"' || """
    + _AT
    + """ || '","changes":' || changes || ',"ip":' || json_quote(ip) || ',"object_id":' || json_quote(object_id)"""
    """ || ',"object_repr":' || json_quote(object_repr) || ',"object_type":' || json_quote(object_type)"""
    """ || ',"prev_hash":' || json_quote(prev_hash) || ',"request_id":' || json_quote(request_id)"""
    """ || ',"seq":' || seq || '}'"""
)


def walk_texts(
    rows: Iterable[tuple[Any, ...]],
    keys: KeyState,
    prev_hash: str = GENESIS,
    first_seq: int = 1,
    handover_at: dict[int, str] | None = None,
) -> Verdict:
    """rows: (id, hash, seq, prev_hash, canonical text as UTF-8 bytes or NULL) ordered by seq (SQLite).
    `handover_at`: the key entries' numbers and the keys they name (`handovers()`), read beforehand so that the
    walk fetches no more columns; each is followed only once its entry's MAC — which covers the key's id — holds."""
    expected, count, mac = first_seq, 0, keys.mac
    handover_at = handovers_by_seq() if handover_at is None else handover_at
    for pk, stored, seq, prev, text in rows:
        if seq != expected:
            problem = f"entry #{expected} is missing" if seq > expected else f"entry #{seq} is out of order"
            return Verdict(False, count, prev_hash, expected, pk, problem)
        if prev != prev_hash:
            return Verdict(False, count, prev_hash, seq, pk, f"entry #{seq} does not follow entry #{seq - 1}")
        if keys.key_id is None and (problem := keys.unkeyed(seq)):
            return Verdict(False, count, prev_hash, seq, pk, problem)
        if (text is None or mac(text) != stored) and not _checks(_full_row(pk), True, mac):
            return Verdict(False, count, prev_hash, seq, pk, f"entry #{seq} was changed")
        if seq in handover_at:
            if problem := keys.problem(seq, KEY_ENTRY, handover_at[seq]):
                return Verdict(False, count, prev_hash, seq, pk, problem)
            mac = keys.mac
        prev_hash = stored
        expected += 1
        count += 1
    return Verdict(True, count, prev_hash, keys=keys.used, key_id=keys.key_id)


def _full_row(pk: int) -> tuple[Any, ...]:
    with connection.cursor() as cursor:
        cursor.execute(_select("WHERE id = %s"), [pk])
        return tuple(cursor.fetchone())


def _select(where: str = "") -> str:
    # SQLite: the time as its stored text (no Python-level timestamp converter); PostgreSQL: psycopg's datetime.
    columns = [("at || ''" if c == "at" and connection.vendor == "sqlite" else c) for c in COLUMNS]
    return f"SELECT {', '.join(columns)} FROM audit_auditentry {where} ORDER BY seq"  # noqa: S608


def _walk(
    where: str,
    params: list[Any],
    keys: KeyState,
    prev_hash: str = GENESIS,
    first_seq: int = 1,
    handover_at: dict[int, str] | None = None,
) -> Verdict:
    if _keeps_text():
        sql = (
            f"SELECT id, hash, seq, prev_hash, CAST({_TEXT} AS BLOB) "  # noqa: S608
            f"FROM audit_auditentry {where} ORDER BY seq"
        )
        return walk_texts(_fetch(sql, params), keys, prev_hash, first_seq, handover_at)
    return walk_rows(_fetch(_select(where), params), keys, prev_hash, first_seq)


def _fetch(sql: str, params: list[Any], size: int = 20_000) -> Iterable[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(size):
            yield from batch


def handovers() -> list[tuple[int, str]]:
    """The chain's key entries (seq, the key they hand over to), as stored: each is checked where the walk meets it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT seq, object_id FROM audit_auditentry WHERE object_type = %s ORDER BY seq", [KEY_ENTRY])
        return [(seq, key) for seq, key in cursor.fetchall()]


def handovers_by_seq() -> dict[int, str]:
    return dict(handovers())


_ring: tuple[dict[str, bytes], int] = ({}, 0)  # the key ring for the child processes (set before forking)


def _range(bounds: tuple[int, int, list[tuple[int, str]]]) -> tuple[Verdict, int]:
    """Verify seq first..last (a child process; opens its own connection)."""
    first, last, keyed_at = bounds
    with connection.cursor() as cursor:
        cursor.execute("SELECT hash FROM audit_auditentry WHERE seq = %s", [first - 1])
        found = cursor.fetchone()
    prev = GENESIS if first == 1 else (found[0] if found else "missing")
    keys = KeyState.at(*_ring, first, keyed_at)
    verdict = _walk("WHERE seq >= %s AND seq <= %s", [first, last], keys, prev, first, dict(keyed_at))
    connection.close()
    return verdict, last - first + 1


def _can_fork() -> bool:
    settings = connection.settings_dict
    memory = connection.vendor == "sqlite" and (
        settings["NAME"] in ("", ":memory:") or "mode=memory" in settings["NAME"]
    )
    return not memory and not connection.in_atomic_block and "fork" in multiprocessing.get_all_start_methods()


def walk_table(workers: int | None = None) -> Verdict:
    """The whole chain with the key file's keys, in parallel ranges when it is long and committed, serially
    otherwise (keys.KeyMissing without the key file)."""
    global _ring
    keyring = keys.keyring()
    ring = {key.id: key.secret for key in keyring}
    legacy_until = max(key.legacy_until or 0 for key in keyring)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(seq), 0), COUNT(*) FROM audit_auditentry")
        top, total = cursor.fetchone()
    workers = workers or min(8, os.cpu_count() or 1)
    if workers < 2 or total < PARALLEL_FROM or top != total or not _can_fork():
        return _walk("", [], KeyState.at(ring, legacy_until, 1, []))
    step = -(-top // workers)
    keyed_at = handovers()
    bounds = [(start, min(start + step - 1, top), keyed_at) for start in range(1, top + 1, step)]
    _ring = (ring, legacy_until)
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(len(bounds)) as pool:
        results = pool.map(_range, bounds)
    count, used = 0, set()
    for verdict, size in results:
        used |= verdict.keys
        if not verdict.ok or verdict.count != size:
            verdict.count += count
            return verdict if not verdict.ok else Verdict(False, count, verdict.head_hash, None, None, "short range")
        count += verdict.count
    last = results[-1][0]
    return Verdict(True, count, last.head_hash, keys=used, key_id=last.key_id)
