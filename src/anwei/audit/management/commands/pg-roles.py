"""`python -m anwei pg-roles --app-role anwei_app [--password-file F] [--print]`: create the PostgreSQL application
role and grant it what the web and worker processes need (audit.pgroles), connected as the owner role
(ANWEI_MIGRATE_DATABASE_URL when set). Run after every `migrate`. `--print` shows the SQL instead of running it."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from anwei.audit import pgroles


class Command(BaseCommand):
    help = "Create/grant the PostgreSQL application role (least privilege; run as the owner after migrate)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--app-role", default="anwei_app")
        parser.add_argument("--password-file", type=Path, help="set the role's password from this file")
        parser.add_argument("--print", action="store_true", help="print the SQL, run nothing")

    def handle(self, *args: Any, app_role: str, password_file: Path | None, print: bool, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("pg-roles is for PostgreSQL (SQLite has no roles)")
        if print:
            for sql in pgroles.grant_statements(app_role, connection.settings_dict["NAME"]):
                self.stdout.write(sql + ";")
            return
        password = password_file.read_text(encoding="utf-8").strip() if password_file else None
        statements = pgroles.grant(app_role, password)
        self.stdout.write(f"role {app_role}: {len(statements)} statements run as {connection.settings_dict['USER']}")
