"""Backup and restore: the database (SQLite through its online-backup API, PostgreSQL through pg_dump/pg_restore)
and the uploaded files, with a manifest of SHA-256 hashes, row counts and the audit chain's head.

A backup folder (mode 0700, its files 0600: they hold password hashes and second-factor seeds) holds
`manifest.json`, the database (`database.sqlite3` or `database.pgdump`) and `media/`. The manifest is signed
(HMAC-SHA-256) with a key that is not in the database (core.keyfile), so whoever can change the backup's files cannot
re-hash them into a backup that restores. With ANWEI_BACKUP_KEY_FILE set, the database and every uploaded file are
encrypted (AES-256-GCM, core.sealed); the manifest then says which key they need. `restore` checks the signature and
every hash first, refuses a database or media folder that is not empty, and afterwards compares the row counts and
the audit head with the manifest and walks the audit chain."""

import contextlib
import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from anwei.core import keyfile, sealed
from anwei.core.errors import BusinessRuleError

MANIFEST = "manifest.json"
FORMAT = 1
SIGNATURE = "signature"
CIPHER = "AES-256-GCM"


@dataclass
class Report:
    folder: Path
    engine: str
    counts: dict[str, int]
    audit_seq: int
    audit_head: str
    files: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _tables() -> list[str]:
    return sorted(connection.introspection.table_names(include_views=False))


def _count_rows(cursor: Any, tables: list[str]) -> dict[str, int]:
    quote = connection.ops.quote_name
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - table names from introspection
        counts[table] = cursor.fetchone()[0]
    return counts


def _audit_head(cursor: Any) -> tuple[int, str]:
    cursor.execute("SELECT seq, hash FROM audit_audithead WHERE id = 1")
    row = cursor.fetchone()
    return (row[0], row[1]) if row else (0, "")


def _pg_env() -> tuple[list[str], dict[str, str]]:
    db = connection.settings_dict
    args = ["--host", db.get("HOST") or "127.0.0.1", "--port", str(db.get("PORT") or 5432)]
    args += ["--username", db.get("USER") or "postgres"]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


@contextlib.contextmanager
def _private_files() -> Iterator[None]:
    """Everything created meanwhile is for the owner only (pg_dump and sqlite create their files themselves)."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def _private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)


def _copy_media(source: Path, target: Path, key: bytes | None) -> dict[str, str]:
    """Copy (or, with a key, encrypt) the uploaded files; returns {relative path: sha256 of the stored file}.
    Symbolic links are not followed."""
    hashes: dict[str, str] = {}
    if not source.exists():
        return hashes
    for path in sorted(source.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        relative = path.relative_to(source).as_posix()
        destination = target / relative
        for parent in reversed(destination.relative_to(target.parent).parents[:-1]):
            _private_dir(target.parent / parent)
        if key is None:
            shutil.copyfile(path, destination)
            destination.chmod(0o600)
        else:
            sealed.seal(key, path, destination, name=f"media/{relative}")
        hashes[relative] = sha256_file(destination)
    return hashes


def _canonical(manifest: dict[str, Any]) -> bytes:
    unsigned = {k: v for k, v in manifest.items() if k != SIGNATURE}
    return json.dumps(unsigned, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def sign(manifest: dict[str, Any]) -> dict[str, Any]:
    key = keyfile.backup_signing_key()
    value = hmac.new(key, _canonical(manifest), hashlib.sha256).hexdigest()
    return {**manifest, SIGNATURE: {"alg": "HMAC-SHA-256", "key_id": keyfile.key_id(key), "value": value}}


def check_signature(manifest: dict[str, Any]) -> None:
    """Refuse a manifest that is unsigned, or whose signature this server's signing key does not give."""
    signature = manifest.get(SIGNATURE)
    if not isinstance(signature, dict) or not isinstance(signature.get("value"), str):
        raise BusinessRuleError("the backup's manifest is not signed: it is refused (it may have been altered)")
    key = keyfile.backup_signing_key()
    expected = hmac.new(key, _canonical(manifest), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature["value"]):
        raise BusinessRuleError(
            "the backup's manifest signature does not match: the backup was altered, or it was signed with another "
            f"key (the backup names key {signature.get('key_id')!r}, this server has {keyfile.key_id(key)!r}: set "
            "ANWEI_BACKUP_SIGNING_KEY_FILE to the key file the backup was made with)"
        )


def _encryption_key_for(manifest: dict[str, Any]) -> bytes | None:
    encrypted = manifest.get("encryption")
    if not encrypted:
        return None
    key = keyfile.backup_encryption_key()
    if key is None:
        raise BusinessRuleError(
            f"the backup is encrypted (key {encrypted.get('key_id')!r}): set ANWEI_BACKUP_KEY_FILE to its key file"
        )
    if keyfile.key_id(key) != encrypted.get("key_id"):
        raise BusinessRuleError(
            f"the backup is encrypted with key {encrypted.get('key_id')!r}, ANWEI_BACKUP_KEY_FILE holds "
            f"{keyfile.key_id(key)!r}"
        )
    return key


def backup(destination: Path, *, actor_label: str = "backup") -> Report:
    """Write a backup of the database and the uploaded files into `destination` (a new or empty folder), readable
    only by the owner, with a signed manifest; encrypted when ANWEI_BACKUP_KEY_FILE is set."""
    destination = destination.resolve()
    if destination.exists() and any(destination.iterdir()):
        raise BusinessRuleError(f"{destination} is not empty")
    keyfile.backup_signing_key()  # a missing key file stops the backup before anything is written
    key = keyfile.backup_encryption_key()
    with _private_files(), tempfile.TemporaryDirectory(prefix="anwei-backup-") as scratch:
        _private_dir(destination)
        return _backup(destination, key, Path(scratch), actor_label)


def _backup(destination: Path, key: bytes | None, scratch: Path, actor_label: str) -> Report:
    from anwei.audit import services as audit

    audit.record(
        actor=None,
        action=audit.Action.EXPORT,
        object_type="anwei.backup",
        object_repr=destination.name,
        actor_label=actor_label,
        changes={"backup": str(destination)},
    )
    engine = connection.vendor
    # with a key, the plain database goes to a private scratch folder and only its encryption into the backup
    plain_dir = destination if key is None else scratch
    if engine == "sqlite":
        db_file = plain_dir / "database.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(db_file)
        try:
            connection.connection.backup(target)  # online backup: a consistent copy while others write
        finally:
            target.close()
        copy = sqlite3.connect(db_file)
        try:
            lite = copy.cursor()
            names = [r[0] for r in lite.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            tables = sorted(n for n in names if not n.startswith("sqlite_"))
            counts = {t: lite.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608
            seq, head = _audit_head(lite)
        finally:
            copy.close()
    elif engine == "postgresql":
        db_file = plain_dir / "database.pgdump"
        args, env = _pg_env()
        # count and dump the same snapshot
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _count_rows(cursor, _tables())
            seq, head = _audit_head(cursor)
            dump = ["pg_dump", *args, "--format=custom", "--no-owner", "--no-privileges", "--snapshot", snapshot]
            subprocess.run(  # noqa: S603
                [*dump, "--file", str(db_file), connection.settings_dict["NAME"]],
                env=env,
                check=True,
                capture_output=True,
            )
    else:
        raise BusinessRuleError(f"backup does not know the {engine} database")
    db_file.chmod(0o600)
    if key is not None:
        stored = destination / db_file.name
        sealed.seal(key, db_file, stored, name=db_file.name)
        db_file.unlink()
        db_file = stored
    media = _copy_media(Path(settings.MEDIA_ROOT), destination / "media", key)
    report = Report(destination, engine, counts, seq, head, {db_file.name: sha256_file(db_file)})
    report.files.update({f"media/{k}": v for k, v in media.items()})
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "engine": engine,
        "database": db_file.name,
        "counts": counts,
        "audit": {"seq": seq, "head": head},
        "files": report.files,
    }
    if key is not None:
        manifest["encryption"] = {"cipher": CIPHER, "key_id": keyfile.key_id(key)}
    path = destination / MANIFEST
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(sign(manifest), ensure_ascii=False, indent=1))
    return report


def read_manifest(source: Path) -> dict[str, Any]:
    path = source / MANIFEST
    if not path.is_file():
        raise BusinessRuleError(f"{source} has no {MANIFEST}: not an Anwei backup")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BusinessRuleError(f"unknown backup format {manifest.get('format')!r}")
    return dict(manifest)


def check_files(source: Path, manifest: dict[str, Any]) -> list[str]:
    """Problems with the backup's files: missing, changed, extra or escaping the folder."""
    problems = []
    root = source.resolve()
    for relative, expected in manifest["files"].items():
        path = (root / relative).resolve()
        if not path.is_relative_to(root):
            problems.append(f"{relative}: outside the backup folder")
        elif not path.is_file():
            problems.append(f"{relative}: missing")
        elif sha256_file(path) != expected:
            problems.append(f"{relative}: changed since the backup (SHA-256 differs)")
    listed = set(manifest["files"])
    media = root / "media"
    if media.exists():
        for path in media.rglob("*"):
            if path.is_file() and f"media/{path.relative_to(media).as_posix()}" not in listed:
                problems.append(f"media/{path.relative_to(media).as_posix()}: not in the manifest")
    return problems


def restore(source: Path) -> Report:
    """Restore a backup into the configured (empty) database and media folder, then check it. An unsigned or
    altered backup is refused before anything is written."""
    source = source.resolve()
    manifest = read_manifest(source)
    check_signature(manifest)
    key = _encryption_key_for(manifest)
    problems = check_files(source, manifest)
    if problems:
        raise BusinessRuleError("the backup is damaged: " + "; ".join(problems))
    engine = connection.vendor
    if manifest["engine"] != engine:
        raise BusinessRuleError(f"the backup is of a {manifest['engine']} database, the target is {engine}")
    if _tables():
        raise BusinessRuleError("the target database is not empty: restore only into a new, empty database")
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.exists() and any(media_root.iterdir()):
        raise BusinessRuleError(f"the media folder {media_root} is not empty")
    with tempfile.TemporaryDirectory(prefix="anwei-restore-") as scratch:
        db_file = source / manifest["database"]
        if key is not None:
            db_file = Path(scratch) / manifest["database"]
            sealed.unseal(key, source / manifest["database"], db_file, name=manifest["database"])
        _load_database(engine, db_file)
    for relative in manifest["files"]:
        if relative.startswith("media/"):
            target = media_root / relative.removeprefix("media/")
            target.parent.mkdir(parents=True, exist_ok=True)
            if key is None:
                shutil.copy2(source / relative, target)
            else:
                sealed.unseal(key, source / relative, target, name=relative)
    return _compare(source, engine, manifest)


def _load_database(engine: str, db_file: Path) -> None:
    if engine == "sqlite":
        connection.ensure_connection()
        backup_db = sqlite3.connect(db_file)
        try:
            backup_db.backup(connection.connection)
        finally:
            backup_db.close()
    else:
        args, env = _pg_env()
        load = ["pg_restore", *args, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
        subprocess.run(  # noqa: S603
            [*load, "--dbname", connection.settings_dict["NAME"], str(db_file)],
            env=env,
            check=True,
            capture_output=True,
        )


def _compare(source: Path, engine: str, manifest: dict[str, Any]) -> Report:
    """After loading: the row counts, the audit head and the audit chain against the manifest."""
    from anwei.audit import selectors

    connection.close()  # fresh introspection of the restored schema
    with connection.cursor() as cursor:
        counts = _count_rows(cursor, [t for t in _tables() if t in manifest["counts"]])
        seq, head = _audit_head(cursor)
    report = Report(source, engine, counts, seq, head, dict(manifest["files"]))
    for table, expected in manifest["counts"].items():
        if counts.get(table) != expected:
            report.problems.append(f"{table}: {counts.get(table)} rows, the backup had {expected}")
    if (seq, head) != (manifest["audit"]["seq"], manifest["audit"]["head"]):
        report.problems.append(f"audit head #{seq} {head} differs from the backup's #{manifest['audit']['seq']}")
    verdict = selectors.verify()
    if not verdict.ok:
        report.problems.append(f"audit chain broken at entry #{verdict.broken_seq}: {verdict.problem}")
    elif verdict.head_hash != manifest["audit"]["head"]:
        report.problems.append("the audit chain ends in another hash than the backup's head")
    return report
