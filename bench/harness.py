"""Shared harness: scratch databases, `python -m anwei` in a subprocess, a real gunicorn on 127.0.0.1 and a small
asyncio HTTP driver (no third-party load tool needed; one connection per request, as gunicorn's sync workers close
the connection after each response)."""

import asyncio
import contextlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DATABASES = [d for d in os.environ.get("BENCH_DATABASES", "sqlite,postgres").split(",") if d]


def pg_available() -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", 5432), timeout=1):
        return True
    return False


@contextlib.contextmanager
def scratch_db(kind: str) -> Iterator[str]:
    """A DATABASE_URL for an empty database that is dropped afterwards."""
    if kind == "sqlite":
        tmp = tempfile.mkdtemp(prefix="anwei-bench-")
        try:
            yield f"sqlite:///{tmp}/bench.sqlite3"
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return
    import psycopg

    name = f"anwei_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_BASE}/{name}"
    finally:
        with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def env_for(url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="bench.settings", PYTHONPATH=str(ROOT))
    env.pop("ANWEI_DEBUG", None)
    env.update(extra)
    return env


def anwei(url: str, *args: str, **extra: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "anwei", *args], env=env_for(url, **extra), cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(f"anwei {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def prepare(url: str) -> str:
    """Migrate, load the demo data, make the bench table; returns an API token of the demo staff member."""
    anwei(url, "migrate", "--noinput", "-v", "0")
    anwei(url, "demo")
    anwei(url, "shell", "-c", "from bench.urls import ensure_table; ensure_table()")
    return anwei(url, "token", "create", "--user", "staff", "--name", "bench").strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MailEnv(TypedDict):
    """The settings that send the e-mail of `python -m anwei` to a local SMTP server (as keywords of `env_for` and
    `server`: the keys are known, so a type checker matches them to `**extra`, never to `workers` or `kind`)."""

    ANWEI_EMAIL_HOST: str
    ANWEI_EMAIL_PORT: str


WEB_SERVER = os.environ.get("BENCH_WEB_SERVER", "gunicorn")


def server_argv(kind: str, port: int, workers: int) -> list[str]:
    """gunicorn as `python -m anwei serve` runs it (sync workers, one thread each), or granian's WSGI interface with
    the same number of worker processes and one blocking thread each."""
    if kind == "granian":
        argv = [sys.executable, "-m", "granian", "--interface", "wsgi", "anwei.wsgi:application"]
        argv += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers), "--blocking-threads", "1"]
        return [*argv, "--backlog", "256", "--no-access-log"]
    argv = [sys.executable, "-m", "gunicorn", "anwei.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    return [*argv, "--workers", str(workers), "--threads", "1", "--timeout", "60", "--backlog", "256"]


@contextlib.contextmanager
def server(url: str, workers: int | None = None, kind: str | None = None, **extra: str) -> Iterator[int]:
    """The web server (BENCH_WEB_SERVER: gunicorn, the default, or granian) on a free loopback port; persistent DB
    connections."""
    port = free_port()
    workers = workers or int(os.environ.get("BENCH_WEB_WORKERS", "4"))
    argv = server_argv(kind or WEB_SERVER, port, workers)
    quiet = subprocess.DEVNULL
    proc = subprocess.Popen(argv, env=env_for(url, **extra), cwd=ROOT, stdout=quiet, stderr=quiet)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            time.sleep(0.2)
        asyncio.run(drive(port, [("GET", "/bench/ping", b"", {})] * workers * 2, concurrency=workers))
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:  # a loaded machine: gunicorn's workers still finishing
            proc.kill()
            proc.wait(timeout=20)


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    bodies: list[bytes] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def pct(self, p: float) -> float:
        """Percentile in milliseconds."""
        if len(self.latencies) < 2:
            return (self.latencies or [0.0])[0] * 1000
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[int(p) - 1] * 1000

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 400 or status == 0)


Request = tuple[str, str, bytes, dict[str, str]]


async def one(port: int, method: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {len(body)}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    writer.write(head.encode() + b"\r\n" + body)
    await writer.drain()
    data = await reader.read()
    writer.close()
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    return status, data.partition(b"\r\n\r\n")[2]


async def drive(port: int, requests: Sequence[Request], concurrency: int = 32, keep: bool = False) -> Result:
    """Send the requests over `concurrency` concurrent connections; latency per request."""
    result = Result()
    queue = iter(requests)

    async def client() -> None:
        for method, path, body, headers in queue:
            began = time.perf_counter()
            try:
                status, data = await one(port, method, path, body, headers)
            except OSError:
                status, data = 0, b""
            result.latencies.append(time.perf_counter() - began)
            result.statuses[status] = result.statuses.get(status, 0) + 1
            if keep:
                result.bodies.append(data)

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    result.elapsed = time.perf_counter() - began
    return result
