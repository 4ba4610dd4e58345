"""Django's SQLite backend, plus a writers' gate for database files (issue 20).

SQLite lets one transaction write at a time. A writer that finds the write lock taken waits in SQLite's busy
handler, which sleeps 1, 2, 5, 10, 15, 20, 25 … 100 ms between tries, however soon the lock is free. Here every
transaction (`BEGIN IMMEDIATE`, the settings' `transaction_mode`) first takes an exclusive `flock` on a file beside
the database, trying again after 20 µs, 40 µs … at most 0.5 ms (and giving up, as SQLite does, after the `timeout`
option's seconds), so the next writer starts within a fraction of a millisecond of the holder's commit or rollback
(P1, 2 web processes, A/B against Django's backend: 390–400 vs 294–348 filings a second). The lock is released by
the commit or rollback, and by the kernel if the process dies. Single statements outside a transaction do not take
it (SQLite's own locking and busy handler still apply to them), nor does an in-memory database (one process).

The WAL is copied into the database (`_checkpoint`, every CHECKPOINT_ROWS rows a connection changes, instead of
SQLite's own every 1,000 pages) after the gate has opened, so other writers go on meanwhile. But a checkpoint that
another writer's commit overtakes is not complete, SQLite starts the WAL anew only after a complete one, and under a
steady stream of filings from two processes the WAL grew without end (800 MB after 3,600 filings, every read of a
page searching it): a checkpoint that leaves more than WAL_FRAMES_MAX pages in the WAL makes the connection's next
one run before the gate opens, where nothing overtakes it.

Also: the conversion of a statement's `%s` placeholders to SQLite's `?` (a regular expression over the whole text,
on every execution) is kept per statement text."""

import fcntl
import logging
import os
import sqlite3
import time
from typing import Any

from django.db import OperationalError
from django.db.backends.sqlite3 import base

log = logging.getLogger(__name__)
_converted: dict[str, str] = {}  # statements in Django's %s style → SQLite's ?, kept (the same few hundred repeat)


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query: str, *, param_names: list[str] | None = None) -> str:
        if param_names is not None:
            return str(super().convert_query(query, param_names=param_names))
        if (known := _converted.get(query)) is None:
            known = str(super().convert_query(query))
            if len(_converted) < 4096:
                _converted[query] = known
        return known


GATE_POLL_MAX = 0.0005  # seconds between tries at a taken gate, at most
CHECKPOINT_ROWS = 1000  # rows a connection changes between its checkpoints (SQLite's own: every 1,000 WAL pages)
WAL_FRAMES_MAX = 16384  # pages (64 MB of 4 KB pages) in the WAL past which a checkpoint holds the gate


class DatabaseWrapper(base.DatabaseWrapper):
    _gate: int | None = None
    _gate_held = False
    _checkpointed = 0  # the connection's total_changes at its last checkpoint
    _wal_long = False  # the last checkpoint left more than WAL_FRAMES_MAX frames: the next runs with the gate held

    def create_cursor(self, name: str | None = None) -> Any:
        return self.connection.cursor(factory=SQLiteCursorWrapper)

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        if self._gate is None and (file := connection.execute("PRAGMA database_list").fetchone()[2]):
            self._gate = os.open(f"{file}-writers.lock", os.O_RDWR | os.O_CREAT, 0o600)  # "" in memory: none
            connection.execute("PRAGMA wal_autocheckpoint=0")  # checkpoints after the gate opens (_checkpoint)
            self._checkpointed = 0
        return connection

    def _take_gate(self, gate: int) -> None:
        """Wait at the gate, but no longer than SQLite would wait for its lock (the `timeout` option): a writer
        held up behind a long transaction (an import, a restore) gets "database is locked", which the pages and the
        API answer as "nothing was saved, send it again", instead of hanging until the web server kills it. The
        waiting is short sleeps (20 µs doubling to GATE_POLL_MAX), not SQLite's 1–100 ms."""
        delay, deadline = 20e-6, None
        while True:
            try:
                fcntl.flock(gate, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                now = time.monotonic()
                deadline = deadline or now + float(self.settings_dict["OPTIONS"].get("timeout", 5))
                if now >= deadline:
                    raise OperationalError("database is locked (another writer held the writers' gate)") from None
                time.sleep(delay)
                delay = min(delay * 2, GATE_POLL_MAX)

    def _start_transaction_under_autocommit(self) -> None:
        if self._gate is not None and not self._gate_held:
            self._take_gate(self._gate)
            self._gate_held = True
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # Django's private step, not in the type stubs
        except BaseException:
            self._open_gate()
            raise

    def _open_gate(self) -> None:
        if self._gate_held and self._gate is not None:
            self._gate_held = False
            fcntl.flock(self._gate, fcntl.LOCK_UN)

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]  # Django's private step, not in the type stubs
            if self._wal_long:
                self._checkpoint()  # with the gate held: nothing overtakes it, and the WAL starts anew
        finally:
            self._open_gate()
        self._checkpoint()

    def _checkpoint(self) -> None:
        """A PASSIVE checkpoint once the connection has changed CHECKPOINT_ROWS rows since its last, after the gate
        has opened (other writers go on meanwhile) — unless the last one left more than WAL_FRAMES_MAX frames in the
        WAL: then this one runs before the gate opens (see the module's text)."""
        connection = self.connection
        due = connection is not None and connection.total_changes - self._checkpointed >= CHECKPOINT_ROWS
        if self._gate is not None and due:
            self._checkpointed = connection.total_changes
            try:
                _busy, frames, _copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            except sqlite3.Error:  # the commit before it stands: the next checkpoint tries again
                log.warning("SQLite WAL checkpoint failed", exc_info=True)
                return
            self._wal_long = frames > WAL_FRAMES_MAX

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]  # Django's private step, not in the type stubs
        finally:
            self._open_gate()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]  # Django's private step, not in the type stubs
        finally:
            self._open_gate()
            if self._gate is not None:
                os.close(self._gate)
                self._gate = None
