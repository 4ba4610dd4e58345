"""`python -m anwei run` (what `make run` ends with): the web server and the worker together; Ctrl-C stops both."""

import os
from typing import Any

from django.core.management.base import BaseCommand

from anwei.core.seeding import demo_logins
from anwei.core.supervise import Supervisor, manage


class Command(BaseCommand):
    help = "Run the web server and the background worker until Ctrl-C."

    def handle(self, *args: Any, **options: Any) -> None:
        bind = os.environ.get("ANWEI_BIND", "127.0.0.1:8000")
        self.stdout.write(self.style.SUCCESS(f"Anwei is at http://{bind}/  (Ctrl-C stops it)"))
        password, logins = demo_logins()
        self.stdout.write(f"Demo logins, password {password}: " + ", ".join(username for username, _role in logins))
        code = Supervisor({"web": manage("serve", "--bind", bind), "worker": manage("worker")}, out=self.stdout).run()
        if code:
            raise SystemExit(code)
