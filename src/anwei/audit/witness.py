"""The witness file: signed checkpoints of the chain kept outside the database (`ANWEI_AUDIT_WITNESS`).

Like a Certificate Transparency log's signed tree heads (RFC 9162) kept by witnesses: each line is a checkpoint —
the number of the chain's newest entry, its MAC, the key that MACed it and the time — signed with the Ed25519 key
of `keys.signing_key()`. The lines are only ever appended. `audit verify` checks the database against every line:
a database behind the newest witnessed entry (a wipe, a truncated tail, a restored old copy) or with another MAC at
a witnessed number (a rewrite) fails. The same checkpoints are e-mailed to the agency's auditors every day, so a
lost or rewritten witness file can be told from their mailboxes."""

import base64
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from django.conf import settings

from . import keys


class WitnessBroken(Exception):
    """A line of the witness file is not a checkpoint signed with the audit signing key."""


@dataclass(frozen=True)
class Witnessed:
    seq: int
    mac: str
    key: str | None
    at: str
    line: int = 0

    def message(self) -> bytes:
        """What is signed: the checkpoint's fields in canonical JSON."""
        body = {"at": self.at, "key": self.key, "mac": self.mac, "seq": self.seq}
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def path() -> Path:
    return Path(settings.AUDIT_WITNESS)


def append(seq: int, mac: str, key: str | None, at: datetime) -> Witnessed:
    """Sign a checkpoint and append it to the witness file (flushed to disk before returning)."""
    checkpoint = Witnessed(seq, mac, key, at.isoformat(timespec="seconds"))
    signature = base64.b64encode(keys.signing_key().sign(checkpoint.message())).decode()
    record = {"seq": seq, "mac": mac, "key": key, "at": checkpoint.at, "sig": signature}
    target = path()
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return checkpoint


def read() -> list[Witnessed]:
    """Every checkpoint in the file, each with its signature checked (WitnessBroken on the first bad line)."""
    try:
        lines = path().read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    public = keys.verify_key()
    found = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            checkpoint = Witnessed(int(record["seq"]), str(record["mac"]), record["key"], str(record["at"]), number)
            public.verify(base64.b64decode(record["sig"]), checkpoint.message())
        except (ValueError, KeyError, TypeError, InvalidSignature) as error:
            kind = "its signature does not match" if isinstance(error, InvalidSignature) else "it cannot be read"
            raise WitnessBroken(f"line {number} of the witness file {path()}: {kind}") from None
        found.append(checkpoint)
    return found


_last: dict[str, tuple[float, int, int]] = {}


def last_seq() -> int:
    """The highest entry number ever witnessed (0 when none): the chain's head may never be below it. Read from the
    file's last line (cached while the file is unchanged); signatures are checked by `read()`, not here."""
    target = os.fspath(settings.AUDIT_WITNESS)  # path()'s file, without making a Path: this runs in every audited write
    try:
        stat = os.stat(target)
    except FileNotFoundError:
        return 0
    cached = _last.get(target)
    if cached and cached[:2] == (stat.st_mtime, stat.st_size):
        return cached[2]
    highest = 0
    with open(target, "rb") as handle:
        handle.seek(max(0, stat.st_size - 4096))
        for line in handle.read().splitlines()[-1:]:
            try:
                highest = int(json.loads(line)["seq"])
            except (ValueError, KeyError, TypeError):
                highest = max((c.seq for c in read()), default=0)
    _last[target] = (stat.st_mtime, stat.st_size, highest)
    return highest


def problem(witnessed: list[Witnessed], count: int, mac_at: dict[int, str]) -> str:
    """What the database's chain (`count` entries, `mac_at`: the stored MAC at each witnessed number) has against
    the witnessed checkpoints (`read()`), or "" when every one of them is in it."""
    for checkpoint in witnessed:
        if checkpoint.seq > count:
            return (
                f"the database is behind its witness: entry #{checkpoint.seq} was witnessed at {checkpoint.at} "
                f"but the chain ends at #{count} (a wiped, truncated or restored log)"
            )
        if checkpoint.seq and mac_at.get(checkpoint.seq) != checkpoint.mac:
            return (
                f"entry #{checkpoint.seq} differs from the checkpoint witnessed at {checkpoint.at} "
                "(the chain was rewritten)"
            )
    return ""
