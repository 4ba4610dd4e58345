"""Roll-up scope (上級機關彙整): a role at a superior agency that allows `upward.rollup`, held on the agency's top
unit, covers every agency below it (its subordinates, theirs, …). Roll-up shows summaries and figures only — the
roll-up tables hold no description, no restricted title and no classified-register contents, so no grant can be
needed to see them; the subordinate's records themselves stay on its own instance."""

from anwei.accounts.actor import Actor, Who
from anwei.accounts.roles import Role, grant
from anwei.accounts.scope import scope_for
from anwei.directory.models import Agency, Unit

grant("upward.rollup", Role.ADMIN, Role.ETHICS_OFFICER, Role.AGENCY_HEAD, Role.DUTY_OFFICER, Role.AUDITOR)
grant("upward.sitrep_due", Role.ETHICS_OFFICER, Role.DUTY_OFFICER)


def superior_agencies(user: Who, action: str = "upward.rollup") -> list[int]:
    """The agencies whose whole tree (top unit) the user's roles cover for `action`."""
    if not Actor.of(user).is_authenticated:
        return []
    scope = scope_for(user, action)
    if scope.empty:
        return []
    roots = Unit.objects.filter(parent__isnull=True).only("pk", "path", "agency_id")
    return sorted({root.agency_id for root in roots if scope.covers(root)})


def subordinates_of(agency_ids: list[int]) -> list[int]:
    """Every agency below the given ones, however deep (each level one query)."""
    found: list[int] = []
    level = list(agency_ids)
    while level:
        level = [
            pk for pk in Agency.objects.filter(superior_id__in=level).values_list("pk", flat=True) if pk not in found
        ]
        found.extend(level)
    return found


def rollup_agencies(user: Who, action: str = "upward.rollup") -> list[int]:
    return subordinates_of(superior_agencies(user, action))


def can_view_rollup(user: Who) -> bool:
    return bool(superior_agencies(user))
