"""`python -m anwei token create --user NAME [--name LABEL]` prints a new personal API token (shown once);
`token revoke --user NAME --hint anw_abcd`."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anwei.accounts import services
from anwei.accounts.actor import Actor
from anwei.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Create or revoke a personal API token."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["create", "revoke"])
        parser.add_argument("--user", required=True)
        parser.add_argument("--name", default="command line")
        parser.add_argument("--hint", default="", help="with revoke: the first 8 characters of the token")

    def handle(self, *args: Any, what: str, user: str, name: str, hint: str, **options: Any) -> None:
        try:
            owner = User.objects.get(username=user, is_active=True)
        except User.DoesNotExist as exc:
            raise CommandError(f"No active user named {user!r}.") from exc
        if what == "create":
            _token, raw = services.create_token(actor=Actor.system(), user=owner, name=name)
            self.stdout.write(raw)
            return
        tokens = ApiToken.objects.filter(user=owner, hint=hint[:8], revoked_at__isnull=True)
        if not hint or not tokens:
            raise CommandError("No active token of that user starts with that hint.")
        for token in tokens:
            services.revoke_token(actor=Actor.system(), token=token)
        self.stdout.write(f"revoked {len(tokens)} token(s)")
