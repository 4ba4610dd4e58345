"""Roll-up reads from a streaming replica, with read-your-writes (anwei.core.dbrouter).

The router's rules are checked in-process on any database. On PostgreSQL, a real primary and its streaming replica
(`initdb` + `pg_basebackup -R`, our own throwaway servers on free ports under a temporary directory, so that the
shared server's configuration does not matter) serve a child process configured with DATABASE_URL and
ANWEI_REPLICA_DATABASE_URL: a write on the primary appears on the replica, the roll-up API reads the replica, and a
browser that has just filed reads the primary while the replica's replay is paused."""

import contextlib
import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from anwei.core import dbrouter

# ---- the router's rules, on any database ---------------------------------------------------------------------


@pytest.fixture
def with_replica(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dbrouter, "replica_enabled", lambda: True)


def test_without_a_replica_everything_reads_the_primary() -> None:
    with dbrouter.fresh_context():
        assert dbrouter.rollup_db() == "default"


def test_migrations_and_writes_only_on_the_primary() -> None:
    from anwei.upward.models import RollupSitrep

    router = dbrouter.ReplicaRouter()
    assert router.allow_migrate("default", "upward") is True
    assert router.allow_migrate("replica", "upward") is False
    with dbrouter.fresh_context():
        assert router.db_for_write(RollupSitrep) == "default"


def test_a_write_or_an_open_transaction_pins_reads_to_the_primary(
    with_replica: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Primary:
        in_atomic_block = False

    def execute(sql: str, params: Any, many: bool, context: dict[str, Any]) -> None:
        return None

    monkeypatch.setattr(dbrouter, "connections", {"default": Primary()})
    with dbrouter.fresh_context():
        assert dbrouter.rollup_db() == "replica"
        dbrouter._watch(execute, 'SELECT "id" FROM "upward_rollupsitrep"', (), False, {})
        dbrouter._watch(execute, 'UPDATE "django_session" SET "expire_date" = %s', (), False, {})
        assert dbrouter.rollup_db() == "replica"  # reads and the session's own row do not pin
        dbrouter._watch(execute, 'INSERT INTO "upward_rollupsitrep" ("day") VALUES (%s)', (), False, {})
        assert dbrouter.rollup_db() == "default"
    with dbrouter.fresh_context():
        assert dbrouter.rollup_db() == "replica"  # the next unit of work starts afresh
        Primary.in_atomic_block = True
        assert dbrouter.rollup_db() == "default"  # an open transaction on the primary


def test_a_request_that_wrote_pins_the_browser_for_a_while(with_replica: None, settings: Any) -> None:
    settings.ANWEI_REPLICA_PIN_SECONDS = 30
    seen: list[bool] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(dbrouter._pinned.get())
        if request.method == "POST":
            dbrouter.mark_written()
        return HttpResponse("ok")

    middleware = dbrouter.ReadYourWritesMiddleware(view)
    factory = RequestFactory()
    assert dbrouter.COOKIE not in middleware(factory.get("/")).cookies
    wrote = middleware(factory.post("/"))
    cookie = wrote.cookies[dbrouter.COOKIE]
    assert cookie["max-age"] == 31 and cookie["httponly"]
    until = int(cookie.value)
    assert time.time() + 29 < until <= time.time() + 32
    after = factory.get("/")
    after.COOKIES[dbrouter.COOKIE] = cookie.value
    middleware(after)
    expired = factory.get("/")
    expired.COOKIES[dbrouter.COOKIE] = str(int(time.time()) - 1)
    middleware(expired)
    assert seen == [False, False, True, False]


# ---- a real streaming replica on PostgreSQL ------------------------------------------------------------------

BINARIES = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(argv: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run the server tools as the `postgres` account."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


@contextlib.contextmanager
def primary_and_replica(schema_from: str) -> Iterator[tuple[int, int]]:
    """A throwaway primary (initdb) holding `schema_from`'s schema and rows, and a streaming replica of it made by
    `pg_basebackup -R`; both stopped and removed afterwards. Yields their ports."""
    bindir = BINARIES[-1]
    tmp = tempfile.mkdtemp(prefix="anwei-replica-")
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        os.chown(tmp, account.pw_uid, account.pw_gid)
    primary, replica = f"{tmp}/primary", f"{tmp}/replica"
    ports = _free_port(), _free_port()

    def tool(name: str, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        argv = _as_server_user([f"{bindir}/{name}", *args])
        return subprocess.run(argv, check=True, capture_output=True, text=True, timeout=60, cwd=tmp, **kwargs)

    def settings_for(port: int) -> str:
        return (
            f"\nport = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{tmp}'\n"
            "fsync = off\nfull_page_writes = off\nshared_buffers = 16MB\nmax_wal_senders = 4\nwal_level = replica\n"
        )

    try:
        tool("initdb", "-D", primary, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions")
        with open(f"{primary}/postgresql.auto.conf", "a") as conf:
            conf.write(settings_for(ports[0]))
        tool("pg_ctl", "-D", primary, "-l", f"{tmp}/primary.log", "-w", "start")
        url = f"postgres://postgres@127.0.0.1:{ports[0]}"
        tool("createdb", "-h", "127.0.0.1", "-p", str(ports[0]), "-U", "postgres", "anwei")
        dumped = subprocess.run(
            [f"{bindir}/pg_dump", "--no-owner", "--no-privileges", schema_from], capture_output=True, timeout=60
        )
        assert dumped.returncode == 0, dumped.stderr.decode()
        dump = dumped.stdout
        subprocess.run(
            [f"{bindir}/psql", "-q", "-v", "ON_ERROR_STOP=1", f"{url}/anwei"],
            input=dump,
            check=True,
            capture_output=True,
            timeout=60,
        )
        tool(
            "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            str(ports[0]),
            "-U",
            "postgres",
            "-D",
            replica,
            "-R",
            "--checkpoint=fast",
        )
        with open(f"{replica}/postgresql.auto.conf", "a") as conf:
            conf.write(settings_for(ports[1]))
        tool("pg_ctl", "-D", replica, "-l", f"{tmp}/replica.log", "-w", "start")
        yield ports
    finally:
        for data in (replica, primary):
            if Path(data, "postmaster.pid").exists():
                with contextlib.suppress(subprocess.SubprocessError):
                    tool("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("sqlite") or not BINARIES, reason="PostgreSQL only")
@pytest.mark.django_db  # the test database is set up (and copied from: schema and migrations' rows), not written
def test_rollup_reads_from_a_streaming_replica_and_read_your_writes() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    settings = connection.settings_dict
    source = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    began = time.monotonic()
    with primary_and_replica(source) as (primary, replica):
        env = dict(
            os.environ,
            DATABASE_URL=f"postgres://postgres@127.0.0.1:{primary}/anwei",
            ANWEI_REPLICA_DATABASE_URL=f"postgres://postgres@127.0.0.1:{replica}/anwei",
            DJANGO_SETTINGS_MODULE="anwei.settings",
        )
        child = subprocess.run(
            [sys.executable, "-c", "from anwei.core.tests.replica_child import main; main()"],
            env=env,
            capture_output=True,
            text=True,
            timeout=90,
        )
        assert child.returncode == 0, child.stderr[-3000:]
    seen = json.loads(child.stdout.strip().splitlines()[-1])
    assert seen["replica_in_recovery"] is True and seen["primary_in_recovery"] is False
    # a write on the primary appears on the replica
    assert seen["replicated"] is True
    # the roll-up API is served by the replica: its roll-up queries ran there, none on the primary
    assert seen["api_before"] == {"nat-a": True, "nat-b": False}
    assert seen["api_rollup_queries"]["replica"] >= 1 and seen["api_rollup_queries"]["default"] == 0
    # replay paused: the filing is accepted on the primary, and that browser (pinned by its cookie) sees it …
    assert seen["filing_status"] == 200 and seen["pin_cookie"] is True
    assert seen["api_pinned"] == {"nat-a": True, "nat-b": True}
    assert seen["api_pinned_rollup_queries"]["default"] >= 1 and seen["api_pinned_rollup_queries"]["replica"] == 0
    # … while another browser still reads the (paused) replica, which does not have it yet
    assert seen["api_other_browser"] == {"nat-a": True, "nat-b": False}
    # in code: a write in the same unit of work, or an open transaction, reads the primary
    assert seen["after_own_write"] == "default" and seen["in_transaction"] == "default"
    assert seen["unpinned"] == "replica"
    # replay resumed: the replica catches up and every browser sees the filing
    assert seen["api_caught_up"] == {"nat-a": True, "nat-b": True}
    assert time.monotonic() - began < 90
