"""The hash chain: the canonical form of an entry and the walk that verifies it."""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
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
    return hashlib.sha256(canonical(values)).hexdigest()


@dataclass
class Verdict:
    ok: bool
    count: int
    head_hash: str
    broken_seq: int | None = None
    broken_id: int | None = None
    problem: str = ""


def walk(rows: Iterable[tuple[Any, ...]]) -> Verdict:
    """rows: (id, hash, *FIELDS) ordered by seq. Stops at the first broken entry."""
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
        if entry_hash(entry) != stored_hash:
            return Verdict(False, count, prev_hash, seq, pk, f"entry #{seq} was changed")
        prev_hash = stored_hash
        expected_seq += 1
        count += 1
    return Verdict(True, count, prev_hash)
