"""Roll-up scope (上級機關彙整): a role at a superior agency that allows `upward.rollup`, held on the agency's top
unit, covers every agency below it (its subordinates, theirs, …). Roll-up shows summaries and figures only — the
roll-up tables hold no description, no restricted title and no classified-register contents, so no grant can be
needed to see them; the subordinate's records themselves stay on its own instance."""

from django.db.models import Q, QuerySet

from anwei.accounts.actor import Actor, Who
from anwei.accounts.roles import Role, grant
from anwei.accounts.scope import scope_for
from anwei.directory.models import Agency, Unit

grant("upward.rollup", Role.ADMIN, Role.ETHICS_OFFICER, Role.AGENCY_HEAD, Role.DUTY_OFFICER, Role.AUDITOR)
grant("upward.sitrep_due", Role.ETHICS_OFFICER, Role.DUTY_OFFICER)
# the subordinate's ethics office files its results report upward (checked over the plan's agency, as reports are)
grant("upward.file_results", Role.ADMIN, Role.ETHICS_OFFICER)
# the superior's admin links subordinate agencies (token shown once) and revokes links
grant("upward.manage_links", Role.ADMIN)


def superior_agencies(user: Who, action: str = "upward.rollup") -> list[int]:
    """The agencies whose whole tree (top unit) the user's roles cover for `action`."""
    if not Actor.of(user).is_authenticated:
        return []
    scope = scope_for(user, action)
    if scope.empty:
        return []
    roots = Unit.objects.filter(parent__isnull=True).filter(scope.q(""))  # in SQL: not every agency's top unit
    return sorted(set(roots.values_list("agency_id", flat=True)))


def subordinates_of(agency_ids: list[int]) -> list[int]:
    """Every agency below the given ones, however deep (each level one query)."""
    found: list[int] = []
    seen: set[int] = set()
    level = list(agency_ids)
    while level:
        level = [
            pk for pk in Agency.objects.filter(superior_id__in=level).values_list("pk", flat=True) if pk not in seen
        ]
        seen.update(level)
        found.extend(level)
    return found


def rollup_agencies(user: Who, action: str = "upward.rollup") -> list[int]:
    return subordinates_of(superior_agencies(user, action))


MAX_DEPTH = 8  # 廉政署 → county → township is 3; a loop in the superiors' chain stops here


def rollup_scope(user: Who, using: str = "default", action: str = "upward.rollup") -> QuerySet[Agency]:
    """The same agencies as `rollup_agencies`, as a query to use as a subquery: at 1,000 agencies no list of 1,000
    ids goes into every statement. One EXISTS per level of the tree."""
    level = Agency.objects.using(using).filter(superior_id__in=superior_agencies(user, action))
    scope = Q(pk__in=[])
    for _depth in range(MAX_DEPTH):
        if not level.exists():
            break
        scope |= Q(pk__in=level.values("pk"))
        level = Agency.objects.using(using).filter(superior_id__in=level.values("pk"))
    return Agency.objects.using(using).filter(scope)


def can_view_rollup(user: Who) -> bool:
    return bool(superior_agencies(user))


def can_manage_links(user: Who) -> bool:
    return bool(superior_agencies(user, "upward.manage_links"))


def managed_links(user: Who) -> list[int]:
    """The agencies whose links the user may see and revoke: those below the agencies they administer."""
    return subordinates_of(superior_agencies(user, "upward.manage_links"))
