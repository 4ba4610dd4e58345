"""`python -m anwei demo` loads the demo agency, its people and one user per role, then each app's demo data."""

import importlib
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from anwei.core.registry import with_module
from anwei.directory.models import Agency


def demo_apps() -> list[str]:
    return [c.name for c in with_module("demo") if c.name != "anwei.directory"]


class Command(BaseCommand):
    help = "Load the demo data (Hualien County Government, 2014 Spring-Festival plan)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when an agency already exists.")

    def handle(self, *args: Any, if_empty: bool = False, **options: Any) -> None:
        if Agency.objects.exists():
            if if_empty:
                self.stdout.write("Demo data: the database already has data; nothing loaded.")
                return
            raise CommandError("The database already has an agency; the demo data goes into an empty database.")
        from anwei.directory import demo

        with transaction.atomic():
            ctx = demo.load()
            for name in demo_apps():
                importlib.import_module(f"{name}.demo").load(ctx)
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded. Demo logins (password: {demo.DEMO_PASSWORD}):"))
        for username, _person, role, _unit in demo.USERS:
            self.stdout.write(f"  {username:<11} {role.label}")
