"""The SQLite backend's writers' gate (anwei.core.sqlite, issue 20): a transaction on a database file holds an
exclusive lock on the file beside it from BEGIN to COMMIT or ROLLBACK, so the next writer is woken by the kernel
instead of polling in SQLite's busy handler. Runs in both passes: it makes its own database file."""

import contextlib
import fcntl
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError

from anwei.core.sqlite import base as gate
from anwei.core.sqlite.base import DatabaseWrapper

pytestmark = pytest.mark.django_db  # pytest-django lets a test open connections only with it (these are its own)


def _connection(path: Path, alias: str) -> DatabaseWrapper:
    settings_dict: dict[str, Any] = {
        "ENGINE": "anwei.core.sqlite",
        "NAME": str(path),
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        "TIME_ZONE": None,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "AUTOCOMMIT": True,
        "ATOMIC_REQUESTS": False,
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "TEST": {},
    }
    return DatabaseWrapper(settings_dict, alias=alias)


def _gate_is_free(path: Path) -> bool:
    fd = os.open(f"{path}-writers.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing drops a lock taken here
    return True


def test_a_transaction_holds_the_gate_and_the_next_writer_waits_for_it(tmp_path: Path) -> None:
    path = tmp_path / "gate.sqlite3"
    first = _connection(path, "first")
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE t (n integer)")
    assert _gate_is_free(path)
    first.set_autocommit(
        False, force_begin_transaction_with_broken_autocommit=True
    )  # as atomic() begins: BEGIN IMMEDIATE, after the gate
    with first.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES (1)")
    assert not _gate_is_free(path)
    order: list[str] = []
    started = threading.Event()

    def write_second() -> None:
        second = _connection(path, "second")  # a connection is used in the thread that made it
        second.ensure_connection()
        started.set()
        second.set_autocommit(
            False, force_begin_transaction_with_broken_autocommit=True
        )  # blocks on the gate until the first commits
        order.append("second began")
        with second.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES (2)")
        second.commit()
        second.set_autocommit(True)
        second.close()

    thread = threading.Thread(target=write_second)
    thread.start()
    started.wait(5)
    thread.join(0.3)
    assert thread.is_alive() and order == []  # waiting at the gate
    order.append("first committed")
    first.commit()
    first.set_autocommit(True)
    thread.join(10)
    assert order == ["first committed", "second began"]
    assert _gate_is_free(path)
    with first.cursor() as cursor:
        cursor.execute("SELECT n FROM t ORDER BY n")
        assert cursor.fetchall() == [(1,), (2,)]
    first.close()


def test_a_rollback_opens_the_gate(tmp_path: Path) -> None:
    path = tmp_path / "gate.sqlite3"
    conn = _connection(path, "only")
    conn.ensure_connection()
    conn.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    assert not _gate_is_free(path)
    conn.rollback()
    conn.set_autocommit(True)
    assert _gate_is_free(path)
    conn.close()
    assert _gate_is_free(path)


def test_an_in_memory_database_has_no_gate(tmp_path: Path) -> None:
    conn = _connection(Path(":memory:"), "memory")
    conn.ensure_connection()
    conn.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    assert conn._gate is None
    conn.rollback()
    conn.set_autocommit(True)
    conn.close()
    assert not (tmp_path / ":memory:-writers.lock").exists()


def test_closing_a_connection_in_a_transaction_opens_the_gate(tmp_path: Path) -> None:
    path = tmp_path / "gate.sqlite3"
    conn = _connection(path, "closing")
    conn.ensure_connection()
    conn.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    assert not _gate_is_free(path)
    conn._close()  # the connection dropped (e.g. after an error): the gate with it
    assert _gate_is_free(path) and conn._gate is None


def _wal_table(path: Path) -> DatabaseWrapper:
    """A connection to a WAL database at `path` with an empty table t (n)."""
    conn = _connection(path, "wal")
    conn.settings_dict["OPTIONS"]["init_command"] = "PRAGMA journal_mode=WAL"
    with conn.cursor() as cursor:
        cursor.execute("CREATE TABLE t (n integer)")
    return conn


def _commit_row(conn: DatabaseWrapper, n: int) -> None:
    """One transaction (through the gate) that adds the row n to t."""
    conn.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    with conn.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES (%s)", [n])
    conn.commit()
    conn.set_autocommit(True)


def test_the_wal_is_copied_into_the_database_every_checkpoint_rows(tmp_path: Path, monkeypatch: Any) -> None:
    """SQLite's own checkpoint (every 1,000 pages) is off; the backend's runs after every CHECKPOINT_ROWS rows."""
    monkeypatch.setattr(gate, "CHECKPOINT_ROWS", 3)
    path = tmp_path / "wal.sqlite3"
    conn = _wal_table(path)
    with conn.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone() == (0,)

    def in_the_file() -> int:
        """Rows in the database file itself (immutable: the WAL is not read)."""
        with contextlib.closing(sqlite3.connect(f"file:{path}?immutable=1", uri=True)) as reader:
            try:
                return int(reader.execute("SELECT count(*) FROM t").fetchone()[0])
            except sqlite3.OperationalError:  # the table itself still only in the WAL
                return -1

    for n in range(3):
        _commit_row(conn, n)
        assert in_the_file() == (-1 if n < 2 else 3)  # the third commit reaches CHECKPOINT_ROWS
    conn.close()


def test_a_checkpoint_runs_after_the_gate_opens_unless_the_wal_has_grown_long(tmp_path: Path, monkeypatch: Any) -> None:
    """After the gate opens, a checkpoint can be overtaken by another process's next commit, is then not complete,
    and SQLite does not start the WAL anew: under a steady stream of filings it grew without end. Once a checkpoint
    leaves more than WAL_FRAMES_MAX pages in the WAL, the next one runs with the gate held, where nothing overtakes
    it."""
    monkeypatch.setattr(gate, "CHECKPOINT_ROWS", 1)
    path = tmp_path / "wal.sqlite3"
    conn = _wal_table(path)
    gate_free_at_checkpoint: list[bool] = []
    conn.connection.set_trace_callback(
        lambda sql: gate_free_at_checkpoint.append(_gate_is_free(path)) if "wal_checkpoint" in sql else None
    )
    for n in range(2):
        _commit_row(conn, n)
    assert gate_free_at_checkpoint == [True, True]  # a short WAL: each checkpoint after the gate opened
    monkeypatch.setattr(gate, "WAL_FRAMES_MAX", 0)  # now every WAL is long
    for n in range(2, 5):
        _commit_row(conn, n)
    # the first finds the WAL long (still after the gate), the next ones run before it opens
    assert gate_free_at_checkpoint[2:] == [True, False, False]
    assert _gate_is_free(path)  # and it opened after them
    conn.close()


def test_a_failed_checkpoint_leaves_the_commit_standing(tmp_path: Path, monkeypatch: Any) -> None:
    """The checkpoint runs after the commit: its failure (a full disk, say) must not turn a saved change into an
    error the caller would send again."""
    monkeypatch.setattr(gate, "CHECKPOINT_ROWS", 1)
    path = tmp_path / "wal.sqlite3"
    conn = _wal_table(path)
    real = conn.connection

    class FailingCheckpoints:
        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def execute(self, sql: str, *args: Any) -> Any:
            if "wal_checkpoint" in sql:
                raise sqlite3.OperationalError("disk I/O error")
            return real.execute(sql, *args)

    conn.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    with conn.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES (1)")
    monkeypatch.setattr(conn, "connection", FailingCheckpoints())
    conn.commit()  # no error: the row is saved
    monkeypatch.setattr(conn, "connection", real)
    conn.set_autocommit(True)
    assert _gate_is_free(path)
    with contextlib.closing(sqlite3.connect(path)) as reader:
        assert reader.execute("SELECT n FROM t").fetchall() == [(1,)]
    conn.close()


def test_a_writer_gives_up_at_the_gate_after_the_timeout_as_sqlite_would(tmp_path: Path) -> None:
    """Behind a long transaction (an import, a restore) a writer gets "database is locked" — answered as "nothing
    was saved, send it again" — after the `timeout` option's seconds, instead of hanging."""
    path = tmp_path / "gate.sqlite3"
    holder, waiter = _connection(path, "holder"), _connection(path, "waiter")
    waiter.settings_dict["OPTIONS"]["timeout"] = 0.2
    holder.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    waiter.ensure_connection()
    began = time.monotonic()
    with pytest.raises(OperationalError, match="database is locked"):
        waiter.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    assert 0.2 <= time.monotonic() - began < 5
    assert not waiter._gate_held and not _gate_is_free(path)  # still the holder's
    holder.rollback()
    holder.set_autocommit(True)
    waiter.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)  # now it passes at once
    assert not _gate_is_free(path)
    waiter.rollback()
    waiter.set_autocommit(True)
    holder.close()
    waiter.close()


def _open_temporary_files() -> list[str]:
    """SQLite's temporary files this process has open (named etilqs_…, removed at once, open until closed)."""
    names = []
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            if "etilqs_" in (target := os.readlink(f"/proc/self/fd/{fd}")):
                names.append(target)
    return names


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="reads the process's open files from /proc")
def test_a_statements_rollback_journal_stays_in_memory(tmp_path: Path) -> None:
    """Many-row INSERTs inside a transaction need a statement journal (to undo one statement that fails half-way);
    with the project's options it is kept in memory, not written to a temporary file at every filing."""
    from django.conf import settings

    conn = _connection(tmp_path / "journal.sqlite3", "journal")
    conn.settings_dict["OPTIONS"] = dict(settings.SQLITE_OPTIONS)
    fifty = "INSERT INTO t (v, w) VALUES " + ", ".join(["(%s, %s)"] * 50)  # noqa: S608 - placeholders only
    with conn.cursor() as cursor:
        cursor.execute("CREATE TABLE t (id integer PRIMARY KEY AUTOINCREMENT, v text UNIQUE, w text)")
        cursor.execute("CREATE INDEX t_w ON t (w)")
    conn.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    try:
        with conn.cursor() as cursor:
            for _ in range(40):  # each statement journals the pages it changes that the transaction changed before
                rows = [(os.urandom(60).hex(), os.urandom(60).hex()) for _ in range(50)]
                cursor.execute(fifty, [value for row in rows for value in row])
            assert _open_temporary_files() == []
    finally:
        conn.rollback()
        conn.close()
