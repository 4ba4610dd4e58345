"""Backup → restore into an empty database → the same rows, the same files, the same audit head, and `audit verify`
passes. On SQLite here, on PostgreSQL in the PostgreSQL pass."""

import hashlib
import json
import os
import sqlite3
import stat
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from anwei.audit import selectors
from anwei.directory import services as directory

pytestmark = pytest.mark.django_db(transaction=True)

UPLOAD = "plans/2026/春安計畫.odt"


def _anwei(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "anwei", *args], env=env, capture_output=True, text=True)


def _env(tmp_path: Path, database_url: str) -> dict[str, str]:
    """The restoring server: its own database, media and var/, and the same signing key file as the backup's."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "ANWEI_MEDIA_ROOT"}}
    env.update(
        {
            "DATABASE_URL": database_url,
            "ANWEI_MEDIA_ROOT": str(tmp_path / "restored-media"),
            "ANWEI_VAR_DIR": str(tmp_path),
            "ANWEI_BACKUP_SIGNING_KEY_FILE": str(tmp_path / "signing.key"),
        }
    )
    return env


@pytest.fixture(autouse=True)
def signing_key(settings: Any, tmp_path: Path) -> Path:
    """The key that signs manifests, kept outside the database (and outside the backup)."""
    path = tmp_path / "signing.key"
    path.write_text("a-signing-key-that-is-not-in-the-database\n")
    settings.ANWEI_BACKUP_SIGNING_KEY_FILE = str(path)
    return path


@pytest.fixture
def target_url(tmp_path: Path) -> Iterator[str]:
    """A new, empty database of the same kind as the one under test."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    name = f"anwei_restore_{uuid.uuid4().hex[:10]}"
    db = connection.settings_dict
    dsn = f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} user={db['USER'] or 'postgres'} dbname=postgres"
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    path = settings.MEDIA_ROOT / UPLOAD
    path.parent.mkdir(parents=True)
    path.write_bytes(b"PK\x03\x04 an uploaded plan " + os.urandom(64))
    return path


def test_backup_restore_round_trip(world: Any, media: Path, tmp_path: Path, target_url: str) -> None:
    directory.create_person(actor=world.users["admin"], agency=world.agency, unit=world.units["b"], name="備份測試")
    dest = tmp_path / "backup"
    call_command("backup", str(dest))
    manifest = json.loads((dest / "manifest.json").read_text())
    assert manifest["engine"] == connection.vendor
    assert manifest["files"][f"media/{UPLOAD}"]
    assert manifest["counts"]["accounts_user"] == len(world.users)
    source = selectors.verify()
    assert source.ok and manifest["audit"]["head"] == source.head_hash

    env = _env(tmp_path, target_url)
    result = _anwei(env, "restore", str(dest))
    assert result.returncode == 0, result.stderr
    assert f"head #{source.count} {source.head_hash}" in result.stdout
    verify = _anwei(env, "audit", "verify")
    assert verify.returncode == 0, verify.stderr
    assert f"audit chain OK: {source.count} entries, head {source.head_hash}" in verify.stdout
    restored = tmp_path / "restored-media" / UPLOAD
    assert restored.read_bytes() == media.read_bytes()
    code = "from anwei.directory.models import Person; print(Person.objects.filter(name='備份測試').count())"
    assert _anwei(env, "shell", "-v", "0", "-c", code).stdout.strip() == "1"

    # a second restore into the now filled database is refused
    again = _anwei(env, "restore", str(dest))
    assert again.returncode != 0 and "not empty" in again.stderr


def test_damaged_backup_is_refused_before_anything_is_written(
    world: Any, media: Path, tmp_path: Path, target_url: str
) -> None:
    dest = tmp_path / "backup"
    call_command("backup", str(dest))
    (dest / "media" / UPLOAD).write_bytes(b"swapped")
    (dest / "media" / "extra.txt").write_text("planted")
    env = _env(tmp_path, target_url)
    result = _anwei(env, "restore", str(dest))
    assert result.returncode != 0
    assert "changed since the backup" in result.stderr and "extra.txt: not in the manifest" in result.stderr
    assert not (tmp_path / "restored-media").exists()
    tables = "from django.db import connection; print(len(connection.introspection.table_names()))"
    assert _anwei(env, "shell", "-v", "0", "-c", tables).stdout.strip() == "0"


def test_backup_goes_on_the_audit_log_and_needs_an_empty_folder(world: Any, tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "no-media"
    dest = tmp_path / "backup"
    call_command("backup", str(dest))
    from anwei.audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="export", object_type="anwei.backup").exists()
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(dest))


def _rewrite_manifest(dest: Path, change: Any) -> None:
    manifest = json.loads((dest / "manifest.json").read_text())
    change(manifest)
    (dest / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))


def _rehash(dest: Path, relative: str) -> Any:
    def change(manifest: dict[str, Any]) -> None:
        manifest["files"][relative] = hashlib.sha256((dest / relative).read_bytes()).hexdigest()

    return change


def test_a_role_changed_inside_the_backup_and_rehashed_is_refused(
    world: Any, media: Path, tmp_path: Path, target_url: str
) -> None:
    """The attack: make oneself administrator inside the backup's database file, put its new SHA-256 into the
    manifest, and restore. The manifest's signature (a key not in the backup) no longer matches."""
    if connection.vendor != "sqlite":
        pytest.skip("edits the SQLite file of the backup")
    dest = tmp_path / "backup"
    call_command("backup", str(dest))
    db = sqlite3.connect(dest / "database.sqlite3")
    changed = db.execute(
        "UPDATE accounts_roleassignment SET role = 'admin' WHERE user_id = ?", [world.users["staff_b"].pk]
    ).rowcount
    db.commit()
    db.close()
    assert changed == 1
    _rewrite_manifest(dest, _rehash(dest, "database.sqlite3"))

    env = _env(tmp_path, target_url)
    result = _anwei(env, "restore", str(dest))
    assert result.returncode != 0
    assert "signature does not match" in result.stderr
    tables = "from django.db import connection; print(len(connection.introspection.table_names()))"
    assert _anwei(env, "shell", "-v", "0", "-c", tables).stdout.strip() == "0"


def test_an_unsigned_or_re_signed_backup_is_refused(world: Any, media: Path, tmp_path: Path, target_url: str) -> None:
    dest = tmp_path / "backup"
    call_command("backup", str(dest))
    (dest / "media" / UPLOAD).write_bytes(b"swapped")
    _rewrite_manifest(dest, _rehash(dest, f"media/{UPLOAD}"))
    env = _env(tmp_path, target_url)
    altered = _anwei(env, "restore", str(dest))
    assert altered.returncode != 0 and "signature does not match" in altered.stderr

    _rewrite_manifest(dest, lambda manifest: manifest.pop("signature"))
    unsigned = _anwei(env, "restore", str(dest))
    assert unsigned.returncode != 0 and "not signed" in unsigned.stderr

    # a server with another signing key does not accept it either, even untouched
    other = tmp_path / "second"
    call_command("backup", str(other))
    (tmp_path / "signing.key").write_text("another-key-on-another-server\n")
    foreign = _anwei(env, "restore", str(other))
    assert foreign.returncode != 0 and "signature does not match" in foreign.stderr
    assert not (tmp_path / "restored-media").exists()


def test_backup_files_are_for_the_owner_only(world: Any, media: Path, tmp_path: Path) -> None:
    dest = tmp_path / "backup"
    call_command("backup", str(dest))
    paths = [dest, *dest.rglob("*")]
    assert len([p for p in paths if p.is_file()]) == 3  # manifest, database, the upload
    for path in paths:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))


def test_encrypted_backup_round_trip(world: Any, media: Path, tmp_path: Path, target_url: str, settings: Any) -> None:
    key = tmp_path / "backup.key"
    key.write_text("0123456789abcdef0123456789abcdef\n")
    settings.ANWEI_BACKUP_KEY_FILE = str(key)
    directory.create_person(actor=world.users["admin"], agency=world.agency, unit=world.units["b"], name="加密備份")
    dest = tmp_path / "backup"
    call_command("backup", str(dest))
    manifest = json.loads((dest / "manifest.json").read_text())
    assert manifest["encryption"]["cipher"] == "AES-256-GCM"
    stored = (dest / manifest["database"]).read_bytes()
    assert b"SQLite format 3" not in stored and "加密備份".encode() not in stored and b"PGDMP" not in stored
    assert media.read_bytes() not in (dest / "media" / UPLOAD).read_bytes()

    env = _env(tmp_path, target_url)
    without = _anwei(env, "restore", str(dest))
    assert without.returncode != 0 and "ANWEI_BACKUP_KEY_FILE" in without.stderr
    wrong = tmp_path / "wrong.key"
    wrong.write_text("fedcba9876543210fedcba9876543210\n")
    refused = _anwei({**env, "ANWEI_BACKUP_KEY_FILE": str(wrong)}, "restore", str(dest))
    assert refused.returncode != 0 and "encrypted with key" in refused.stderr

    env["ANWEI_BACKUP_KEY_FILE"] = str(key)
    result = _anwei(env, "restore", str(dest))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "restored-media" / UPLOAD).read_bytes() == media.read_bytes()
    code = "from anwei.directory.models import Person; print(Person.objects.filter(name='加密備份').count())"
    assert _anwei(env, "shell", "-v", "0", "-c", code).stdout.strip() == "1"
