"""`python -m anwei worker`: the background worker (django-tasks-db `db_worker`) and the periodic-job scheduler
(django-crontask). Several workers may run on several machines against one PostgreSQL; tasks are claimed with
SELECT … FOR UPDATE SKIP LOCKED."""

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from anwei.core.supervise import Supervisor, manage


class Command(BaseCommand):
    help = "Run the task worker and the periodic scheduler."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-scheduler", action="store_true", help="Run only the task worker.")
        parser.add_argument(
            "--interval",
            default=os.environ.get("ANWEI_WORKER_INTERVAL", "0.25"),
            help="Seconds between polls when no task is queued (ANWEI_WORKER_INTERVAL, default 0.25).",
        )

    def handle(self, *args: Any, no_scheduler: bool = False, interval: str = "0.25", **options: Any) -> None:
        children = {"worker": manage("db_worker", "--interval", interval, "--no-startup-delay")}
        if not no_scheduler:
            children["scheduler"] = manage("crontask")
        code = Supervisor(children, out=self.stdout).run()
        if code:
            raise SystemExit(code)
