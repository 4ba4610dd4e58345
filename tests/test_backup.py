"""Backup → restore into an empty database → the same rows, the same files, the same audit head, and `audit verify`
passes. On SQLite here, on PostgreSQL in the PostgreSQL pass."""

import json
import os
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
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "ANWEI_MEDIA_ROOT"}}
    env.update(
        {
            "DATABASE_URL": database_url,
            "ANWEI_MEDIA_ROOT": str(tmp_path / "restored-media"),
            "ANWEI_VAR_DIR": str(tmp_path),
        }
    )
    return env


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
