"""Who may import a plan document: system administrators and ethics officers whose role covers the whole agency
(a plan is the agency's, so a role on one unit is not enough)."""

from anwei.accounts.actor import Who
from anwei.accounts.roles import Role, grant
from anwei.accounts.scope import scope_for
from anwei.directory.models import Agency, Unit

IMPORT = "plans.import"
grant(IMPORT, Role.ADMIN, Role.ETHICS_OFFICER)


def may_import(user: Who, agency: Agency | None) -> bool:
    if agency is None or not getattr(user, "is_authenticated", False):
        return False
    scope = scope_for(user, IMPORT)
    if scope.empty:
        return False
    return any(scope.covers(root) for root in Unit.objects.filter(agency=agency, parent__isnull=True))
