"""`python -m anwei serve`: the production web server (gunicorn, one blocking thread per worker process)."""

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


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
        ]
        os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with the server
