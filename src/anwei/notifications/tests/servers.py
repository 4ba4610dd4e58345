"""Real local servers for the channel tests: an SMTP server (aiosmtpd) and an HTTP server, both on 127.0.0.1."""

import email
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpRecorder:
    """Records what it accepts; refuses mail to the addresses in `refuse` (550 at RCPT, as a real server does for
    an unknown mailbox)."""

    def __init__(self, delay: float = 0.0, refuse: set[str] | None = None) -> None:
        self.messages: list[Message] = []
        self.delay = delay
        self.refuse = refuse or set()
        self.refused: list[str] = []
        self.lock = threading.Lock()
        self.sessions = 0  # SMTP connections open now: 0 once a killed client's connection has been torn down

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if address.lower() in self.refuse:
            self.refused.append(address)
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            time.sleep(self.delay)  # a slow server: deliveries stay in flight long enough to be interrupted
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]) for m in self.messages]


@dataclass
class SmtpServer:
    host: str
    port: int
    recorder: SmtpRecorder

    @property
    def messages(self) -> list[Message]:
        return self.recorder.messages

    def mailers(self) -> dict[str, Any]:
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": self.host, "port": self.port, "timeout": 5},
            }
        }


def start_smtp(delay: float = 0.0, refuse: set[str] | None = None) -> tuple[Any, SmtpServer]:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP

    recorder = SmtpRecorder(delay, refuse)

    class Counted(SMTP):
        """Counts open connections. A lost connection cancels its session, so nothing more is recorded from it."""

        def connection_made(self, transport: Any) -> None:
            with recorder.lock:
                recorder.sessions += 1
            super().connection_made(transport)

        def connection_lost(self, error: Exception | None) -> None:
            super().connection_lost(error)
            with recorder.lock:
                recorder.sessions -= 1

    class CountingController(Controller):
        def factory(self) -> SMTP:
            return Counted(self.handler, **self.SMTP_kwargs)

    port = free_port()
    controller = CountingController(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, SmtpServer("127.0.0.1", port, recorder)


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpServer]:
    controller, server = start_smtp()
    settings.MAILERS = server.mailers()
    try:
        yield server
    finally:
        controller.stop()


@dataclass
class HttpServer:
    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    delay: float = 0.0

    def json_bodies(self) -> list[Any]:
        return [json.loads(r["body"]) for r in self.requests]


@pytest.fixture
def http_server() -> Iterator[HttpServer]:
    port = free_port()
    state = HttpServer(url=f"http://127.0.0.1:{port}/hook")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if state.delay:
                time.sleep(state.delay)
            state.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            self.send_response(state.status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
