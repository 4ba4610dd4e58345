"""Key files: secrets that never enter the database. A key comes from the file an environment variable names
(production: a file readable only by the service account); for the embedded set-up it is generated once into var/,
like the secret key (settings._embedded_secret_key). The audit log's own keys (a rotating MAC key ring and the
checkpoint signing key) are in audit.keys; a backup's signature key is its own file, so rotating the audit key
never makes an older backup unrestorable."""

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

BACKUP_SIGNING_DEFAULT = "backup-signing.key"


def read(path: Path) -> bytes:
    """The key in `path` (its bytes, surrounding white space removed); a missing or empty file is a set-up error."""
    try:
        key = path.read_bytes().strip()
    except OSError as exc:
        raise ImproperlyConfigured(f"the key file {path} cannot be read: {exc.strerror}") from exc
    if len(key) < 16:
        raise ImproperlyConfigured(f"the key file {path} holds fewer than 16 bytes")
    return key


def read_or_create(path: Path) -> bytes:
    """The key in `path`, generated (32 random bytes, URL-safe base64, mode 0600) the first time."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return read(path)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_urlsafe(32) + "\n")
    return read(path)


def derive(key: bytes, purpose: str) -> bytes:
    """A key for one purpose only, so one key file can serve several (HMAC-SHA-256 of the purpose's label)."""
    return hmac.new(key, f"anwei {purpose}".encode(), hashlib.sha256).digest()


def backup_signing_key() -> bytes:
    """The key that signs backup manifests: ANWEI_BACKUP_SIGNING_KEY_FILE, else var/backup-signing.key (generated).
    Restoring needs the same key as the backup."""
    explicit = settings.ANWEI_BACKUP_SIGNING_KEY_FILE
    key = read(Path(explicit)) if explicit else read_or_create(Path(settings.VAR_DIR) / BACKUP_SIGNING_DEFAULT)
    return derive(key, "backup manifest signature v1")


def backup_encryption_key() -> bytes | None:
    """The AES-256 key that encrypts backups, from ANWEI_BACKUP_KEY_FILE; None when it is not set (not encrypted).
    Never generated: a key that would be lost with the server it protects is no key."""
    path = settings.ANWEI_BACKUP_KEY_FILE
    return derive(read(Path(path)), "backup encryption v1") if path else None


def key_id(key: bytes) -> str:
    """A short name of a key that does not reveal it (to tell which key a backup needs)."""
    return hashlib.sha256(b"anwei key id" + key).hexdigest()[:12]
