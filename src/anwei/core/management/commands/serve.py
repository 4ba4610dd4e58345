"""`python -m anwei serve`: the production web server (gunicorn, one blocking thread per worker process).

gunicorn's control socket (for `gunicornc`) defaults to one path per account, ~/.gunicorn/gunicorn.ctl, so two
instances on one host under the same account (two agencies, or the old and the new release during an upgrade) would
share it: the second replaces the first's socket, and a command meant for one reaches the other. We do not use it —
systemd's signals reload and stop the server — so it is off; ANWEI_GUNICORN_CONTROL_SOCKET names a socket of this
instance's own (owner-only) when an operator wants one."""

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


def control_socket_args(path: str) -> list[str]:
    """No control socket, or this instance's own at `path`."""
    if not path:
        return ["--no-control-socket"]
    return ["--control-socket", path]  # gunicorn makes it 0600


class Command(BaseCommand):
    help = "Serve Anwei with gunicorn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("ANWEI_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("ANWEI_WEB_WORKERS", "2")))

    def handle(self, *args: Any, bind: str, workers: int, **options: Any) -> None:
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "anwei.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--threads",
            "1",
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "10",
            "--timeout",
            "60",
            *control_socket_args(os.environ.get("ANWEI_GUNICORN_CONTROL_SOCKET", "")),
        ]
        os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with the server
