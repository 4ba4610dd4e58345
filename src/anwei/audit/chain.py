"""The keyed chain: the canonical form of an entry, its MAC and the walk that verifies it.

Each entry's `hash` is HMAC-SHA-256 of its canonical JSON (which holds the previous entry's MAC) under a key kept
outside the database (`keys.py`). A key rotation is itself an entry (`KEY_ENTRY`, its `object_id` names the new
key): it is MACed with the old key, and the entries after it with the new one. A chain written before keyed MACs
is plain SHA-256 up to the entry that started the keyed chain (`MacKey.legacy_until`, recorded in the key file)."""

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
KEY_ENTRY = "audit.key"  # object_type of the entry that hands the chain over to the key named by its object_id
FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "ip",
    "request_id",
    "prev_hash",
)


class CanonicalEncoder(json.JSONEncoder):
    """How an entry's `changes` are stored: exactly as they appear in the canonical form (sorted keys, no spaces,
    UTF-8 text), so the verifier can use the stored text as it is instead of parsing and re-writing it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.update(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        super().__init__(*args, **kwargs)


def canonical(values: dict[str, Any]) -> bytes:
    data = dict(values)
    at = data["at"]
    data["at"] = at.astimezone(UTC).isoformat(timespec="microseconds") if isinstance(at, datetime) else at
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_hash(values: dict[str, Any]) -> str:
    """The plain SHA-256 of an entry: how entries were chained before keyed MACs (legacy)."""
    return hashlib.sha256(canonical(values)).hexdigest()


Mac = Callable[[bytes], str]


def mac_function(secret: bytes | None) -> Mac:
    """HMAC-SHA-256 under `secret` as a function of the text (hex), with the padded key's hash states computed once
    (about twice as fast per entry as `hmac.digest`); plain SHA-256 for `None` (legacy entries)."""
    if secret is None:
        sha = hashlib.sha256
        return lambda text: sha(text).hexdigest()
    block = (hashlib.sha256(secret).digest() if len(secret) > 64 else secret).ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def mac(text: bytes) -> str:
        i = inner.copy()
        i.update(text)
        o = outer.copy()
        o.update(i.digest())
        return o.hexdigest()

    return mac


def entry_mac(secret: bytes | None, values: dict[str, Any]) -> str:
    return mac_function(secret)(canonical(values))


class KeyState:
    """Which key MACs the entry at hand, as a walk goes: the first key of the ring from #1, or plain SHA-256 up to the
    ring's `legacy_until`; then the key named by the last key entry. `ring` maps key ids to secrets (oldest first),
    `start` is the id of the key at the walk's start (None: legacy)."""

    def __init__(self, ring: dict[str, bytes], legacy_until: int, start: str | None) -> None:
        self.ring, self.legacy_until = ring, legacy_until
        self.key_id: str | None = None
        self.mac: Mac = mac_function(None)
        self.used: set[str | None] = set()
        self.use(start)

    @classmethod
    def at(cls, ring: dict[str, bytes], legacy_until: int, seq: int, handovers: list[tuple[int, str]]) -> "KeyState":
        """The state at entry #seq, from the chain's key entries (seq, key id) before it."""
        before = [key for at, key in handovers if at < seq]
        if before:
            start: str | None = before[-1]
        else:
            start = None if seq <= legacy_until else next(iter(ring), None)
        return cls(ring, legacy_until, start)

    def use(self, key_id: str | None) -> bool:
        if key_id is not None and key_id not in self.ring:
            return False
        self.key_id = key_id
        self.mac = mac_function(None if key_id is None else self.ring[key_id])
        self.used.add(key_id)
        return True

    def problem(self, seq: int, object_type: str, object_id: str) -> str:
        """After entry #seq was checked: follow a key entry; say what is wrong, or ""."""
        if object_type == KEY_ENTRY and not self.use(object_id):
            return f"entry #{seq} hands the chain to key {object_id}, which is not in the key file"
        return ""

    def unkeyed(self, seq: int) -> str:
        if self.key_id is None and seq > self.legacy_until:
            return f"entry #{seq} is not MACed (a plain hash where the key file says the keyed chain has begun)"
        return ""


@dataclass
class Verdict:
    ok: bool
    count: int
    head_hash: str
    broken_seq: int | None = None
    broken_id: int | None = None
    problem: str = ""
    keys: set[str | None] = field(default_factory=set)
    key_id: str | None = None


def walk(rows: Iterable[tuple[Any, ...]], keys: KeyState) -> Verdict:
    """rows: (id, hash, *FIELDS) ordered by seq. Stops at the first broken entry. The reference walk."""
    prev_hash = GENESIS
    expected_seq = 1
    count = 0
    for row in rows:
        pk, stored_hash, *values = row
        entry = dict(zip(FIELDS, values, strict=True))
        seq = entry["seq"]
        if seq != expected_seq:
            problem = f"entry #{expected_seq} is missing" if seq > expected_seq else f"entry #{seq} is out of order"
            return Verdict(False, count, prev_hash, expected_seq, pk, problem)
        if entry["prev_hash"] != prev_hash:
            return Verdict(False, count, prev_hash, seq, pk, f"entry #{seq} does not follow entry #{seq - 1}")
        if problem := keys.unkeyed(seq):
            return Verdict(False, count, prev_hash, seq, pk, problem)
        if keys.mac(canonical(entry)) != stored_hash:
            return Verdict(False, count, prev_hash, seq, pk, f"entry #{seq} was changed")
        if problem := keys.problem(seq, entry["object_type"], entry["object_id"]):
            return Verdict(False, count, prev_hash, seq, pk, problem)
        prev_hash = stored_hash
        expected_seq += 1
        count += 1
    return Verdict(True, count, prev_hash, keys=keys.used, key_id=keys.key_id)
