"""`python -m anwei demo` loads the demo agency, its people and one user per role, then each app's demo data
(core.seeding: every app's `demo.py`, found through core.registry)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anwei.core import seeding


class Command(BaseCommand):
    help = "Load the demo data (Hualien County Government, 2014 Spring-Festival plan)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when an agency already exists.")

    def handle(self, *args: Any, if_empty: bool = False, **options: Any) -> None:
        if seeding.has_data():
            if if_empty:
                self.stdout.write("Demo data: the database already has data; nothing loaded.")
                return
            raise CommandError("The database already has an agency; the demo data goes into an empty database.")
        seeding.load_demo()
        password, logins = seeding.demo_logins()
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded. Demo logins (password: {password}):"))
        for username, role in logins:
            self.stdout.write(f"  {username:<11} {role}")
