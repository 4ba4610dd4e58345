"""`python -m anwei link create --agency CODE --name NAME` (prints the token on its last line), `link list`,
`link revoke --agency CODE` (or `--key KEY`): links of subordinate agencies to this (superior) instance."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anwei.accounts.actor import Actor
from anwei.directory.models import Agency
from anwei.upward import services
from anwei.upward.models import Link


class Command(BaseCommand):
    help = "Manage the links of subordinate agencies that file upward to this instance."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("--agency", required=True, help="The subordinate agency's code.")
        create.add_argument("--name", required=True)
        create.add_argument("--superior", help="This instance's agency it reports to (default: the only top one).")
        sub.add_parser("list")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("--agency")
        revoke.add_argument("--key")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "create":
            superior = self._superior(options.get("superior"), options["agency"])
            link, token = services.create_link(
                actor=Actor.system(), agency_code=options["agency"], name=options["name"], superior=superior
            )
            self.stdout.write(f"Linked {link.agency.code} ({link.name}) under {superior.code if superior else '-'}.")
            self.stdout.write("Give the subordinate ANWEI_UPSTREAM_TOKEN (shown once):")
            self.stdout.write(token)
        elif action == "list":
            for link in Link.objects.select_related("agency"):
                state = f"revoked {link.revoked_at:%Y-%m-%d %H:%M}" if link.revoked_at else "active"
                self.stdout.write(f"{link.agency.code}\t{link.key}\t{link.name}\t{state}\t#{link.last_sequence}")
        else:
            links = Link.objects.filter(revoked_at__isnull=True)
            if options.get("key"):
                links = links.filter(key=options["key"])
            elif options.get("agency"):
                links = links.filter(agency__code=options["agency"])
            else:
                raise CommandError("Name the link: --agency CODE or --key KEY.")
            if not links.exists():
                raise CommandError("No such active link.")
            for link in links:
                services.revoke_link(actor=Actor.system(), link=link)
                self.stdout.write(f"Revoked {link.agency.code} {link.key}.")

    def _superior(self, code: str | None, subordinate: str) -> Agency | None:
        if code:
            found = Agency.objects.filter(code=code).first()
            if found is None:
                raise CommandError(f"No agency {code}.")
            return found
        tops = list(Agency.objects.filter(superior__isnull=True, upward_links__isnull=True).exclude(code=subordinate))
        return tops[0] if len(tops) == 1 else None
