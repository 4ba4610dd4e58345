"""`python -m anwei permissions`: the permission table (role × action) as Markdown, as docs/permissions.md has it.
The table is read from the roles the apps grant in their policies.py; a test keeps the document in step."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import translation

from anwei.accounts import roles

HEADER = """# Permissions

Written by `python -m anwei permissions > docs/permissions.md` from the grants in each app's `policies.py`; a test
fails when this file and the code disagree. A role is assigned on a unit and acts within that unit's subtree; a
restricted record needs need-to-know on top (see `docs/security.md`). Two-factor sign-in is required for: {mfa}.
"""


def table() -> str:
    with translation.override("en"):
        order = list(roles.Role)
        lines = [HEADER.format(mfa=", ".join(r.value for r in order if r in roles.MFA_REQUIRED))]
        lines.append("| action | " + " | ".join(r.value for r in order) + " |")
        lines.append("|---|" + "---|" * len(order))
        for action in sorted(roles.KNOWN_ACTIONS):
            allowed = roles.roles_for(action)
            lines.append(f"| `{action}` | " + " | ".join("✓" if r in allowed else "" for r in order) + " |")
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Print the permission table (role × action) as Markdown."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(table(), ending="")
