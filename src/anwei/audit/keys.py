"""The audit log's keys, kept outside the database: the MAC key ring (`ANWEI_AUDIT_KEY_FILE`) that keys the chain,
and the Ed25519 signing key (`ANWEI_AUDIT_SIGNING_KEY_FILE`) that signs the checkpoints sent to the witness file.

Someone who can write to the database but cannot read these files cannot recompute an entry's MAC nor sign a
checkpoint. For the embedded default (no `ANWEI_AUDIT_KEY_FILE` set) the files are generated under `var/`, 0600, on
first use, like the secret key; in production they are files readable only by the service (docs/security.md).

The key ring is one JSON object a line, oldest first: `{"id": …, "key": hex, "legacy_until": seq}`. The last line is
the current key; older lines stay so that the entries they MACed can still be verified. `legacy_until` is written
only when a chain from before keyed MACs was continued with the first key: entries up to that number are plain
SHA-256 (the last of them is the entry that starts the keyed chain).

Other areas may use `mac_key()` (e.g. to sign a backup's manifest with a key the database does not hold) and
`signing_key()`/`verify_key()`."""

import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class KeyMissing(ImproperlyConfigured):
    """A key file the audit log needs is missing or unreadable."""


@dataclass(frozen=True)
class MacKey:
    id: str
    secret: bytes
    legacy_until: int | None = None


def key_id(secret: bytes) -> str:
    """A short name for a key that says nothing about it (a hash of a hash of 32 random bytes)."""
    return hashlib.sha256(b"anwei audit key id\0" + secret).hexdigest()[:16]


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    path.chmod(0o600)


def _create_once(path: Path, data: bytes) -> None:
    """Write a new key file unless another process has just written one (the web and the worker starting together
    must not make two keys): written aside, then linked into place, which fails if the name exists."""
    aside = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    _write_private(aside, data)
    try:
        os.link(aside, path)
    except FileExistsError:
        pass
    finally:
        aside.unlink()


def _line(key: MacKey) -> str:
    record: dict[str, object] = {"id": key.id, "key": key.secret.hex()}
    if key.legacy_until is not None:
        record["legacy_until"] = key.legacy_until
    return json.dumps(record)


def _new_key() -> MacKey:
    secret = secrets.token_bytes(32)
    return MacKey(key_id(secret), secret)


_cache: dict[str, tuple[float, int, list[MacKey]]] = {}


def keyring() -> list[MacKey]:
    """Every MAC key, oldest first (the last is the current one). Generated for the embedded default."""
    name = os.fspath(settings.AUDIT_KEY_FILE)  # os.stat on the text: this runs in every audited write
    path = Path(name)
    try:
        stat = os.stat(name)
    except FileNotFoundError:
        if not settings.AUDIT_KEYS_GENERATE:
            raise KeyMissing(f"the audit key file {path} is missing (ANWEI_AUDIT_KEY_FILE)") from None
        _create_once(path, (_line(_new_key()) + "\n").encode())
        stat = os.stat(name)
    cached = _cache.get(name)
    if cached and cached[:2] == (stat.st_mtime, stat.st_size):
        return cached[2]
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        ring = [
            MacKey(r["id"], bytes.fromhex(r["key"]), r.get("legacy_until"))
            for r in (json.loads(line) for line in lines if line.strip())
        ]
    except (OSError, ValueError, KeyError) as error:
        raise KeyMissing(f"the audit key file {path} cannot be read: {error}") from None
    if not ring:
        raise KeyMissing(f"the audit key file {path} holds no key")
    for key in ring:
        if key_id(key.secret) != key.id:
            raise KeyMissing(f"the audit key file {path}: key {key.id} does not match its id")
    _cache[name] = (stat.st_mtime, stat.st_size, ring)
    return ring


def mac_key() -> MacKey:
    """The current MAC key (the one the next entries are MACed with)."""
    return keyring()[-1]


def mac_keys() -> dict[str, MacKey]:
    return {key.id: key for key in keyring()}


def _save(ring: list[MacKey]) -> None:
    path = Path(settings.AUDIT_KEY_FILE)
    aside = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        _write_private(aside, "".join(_line(key) + "\n" for key in ring).encode())
        os.replace(aside, path)  # readers see the old ring or the new one, never half of it
    except OSError as error:
        aside.unlink(missing_ok=True)
        raise KeyMissing(
            f"the audit key file {path} cannot be written ({error.strerror}): run `audit rotate-key` as its owner"
        ) from None
    _cache.pop(str(path), None)


def add_key() -> MacKey:
    """A new current key, appended to the ring (the old ones stay to verify what they MACed)."""
    ring = keyring()
    key = _new_key()
    _save([*ring, key])
    return key


def mark_legacy_until(key: MacKey, seq: int) -> MacKey:
    """Record in the key file that entries up to `seq` were written before keyed MACs (the upgrade of a chain)."""
    ring = [MacKey(k.id, k.secret, seq) if k.id == key.id else k for k in keyring()]
    _save(ring)
    return next(k for k in ring if k.id == key.id)


def signing_key() -> Ed25519PrivateKey:
    """The Ed25519 key that signs the checkpoints (generated for the embedded default, like the MAC key)."""
    path = Path(settings.AUDIT_SIGNING_KEY_FILE)
    if not path.exists():
        if not settings.AUDIT_KEYS_GENERATE:
            raise KeyMissing(f"the audit signing key file {path} is missing (ANWEI_AUDIT_SIGNING_KEY_FILE)")
        new = Ed25519PrivateKey.generate()
        pem = new.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        _create_once(path, pem)
    try:
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as error:
        raise KeyMissing(f"the audit signing key file {path} cannot be read: {error}") from None
    if not isinstance(loaded, Ed25519PrivateKey):
        raise KeyMissing(f"the audit signing key file {path} is not an Ed25519 key")
    return loaded


def verify_key() -> Ed25519PublicKey:
    """The public half: what an auditor needs to check a witness file (`audit public-key` prints it)."""
    return signing_key().public_key()


def public_key_pem() -> str:
    return (
        verify_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    )
