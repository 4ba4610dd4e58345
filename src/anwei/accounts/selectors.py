"""Who answers for a unit: the people with accounts whom a message to a unit reaches.

`who_serves(unit)` is the one place that decides who is told of work given to a unit (an incident task, …):
- the unit's own people with an account, and the supervisors assigned on the unit itself;
- a unit with no account holder is served through its supervisor in the directory: the nearest unit supervisor
  assigned on the unit's parent (or the parent's parent …);
- else the ethics office covering the unit, as its proxy (由政風室代轉) — never silently nobody.

`holders(roles, unit)` are the active users whose role assignment covers a unit (e.g. who may approve there);
`holders_by_level` the same, nearest level first."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from anwei.directory.models import Unit

from .models import RoleAssignment, User
from .roles import Role


class Via:
    UNIT = "unit"  # the unit's own people
    SUPERVISOR = "supervisor"  # the supervisor of a unit above it
    PROXY = "proxy"  # the ethics office, as the unit's proxy


VIA_LABELS = {
    Via.UNIT: _("the unit's own people"),
    Via.SUPERVISOR: _("through the supervisor above the unit"),
    Via.PROXY: _("forwarded by the ethics office (由政風室代轉)"),
}


@dataclass
class Served:
    """The users who answer for a unit, and how they were found."""

    unit: Unit
    via: str
    users: list[User] = field(default_factory=list)

    @property
    def proxied(self) -> bool:
        return self.via != Via.UNIT

    @property
    def via_label(self) -> str:
        return str(VIA_LABELS[self.via])


def _active(users: Iterable[User]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        if user.is_active and user.pk not in seen:
            seen[user.pk] = user
    return list(seen.values())


def _ancestor_paths(unit: Unit) -> list[str]:
    """The unit's own path, then its parent's, … up to the root (nearest first)."""
    ids = [part for part in unit.path.strip("/").split("/") if part]
    return ["/" + "/".join(ids[:n]) + "/" for n in range(len(ids), 0, -1)]


def holders(roles: Iterable[str], unit: Unit) -> list[User]:
    """Active users holding one of `roles` on the unit or a unit above it."""
    paths = _ancestor_paths(unit)
    assignments = RoleAssignment.objects.filter(
        role__in=list(roles), unit__path__in=paths, unit__active=True, user__is_active=True
    ).select_related("user__person")
    return _active(a.user for a in assignments.order_by("pk"))


def holders_by_level(roles: Iterable[str], unit: Unit) -> list[list[User]]:
    """Active users holding one of `roles` on the unit, then on its parent, … up to the root (nearest first; a
    level with nobody is left out)."""
    by_path: dict[str, list[User]] = {}
    for a in (
        RoleAssignment.objects.filter(
            role__in=list(roles), unit__path__in=_ancestor_paths(unit), unit__active=True, user__is_active=True
        )
        .select_related("user__person", "unit")
        .order_by("pk")
    ):
        by_path.setdefault(a.unit.path, []).append(a.user)
    return [found for p in _ancestor_paths(unit) if (found := _active(by_path.get(p, [])))]


def who_serves(unit: Unit) -> Served:
    """Who is told of work given to `unit`, and how they were found (see the module's docstring)."""
    return who_serves_each([unit])[unit.pk]


def who_serves_each(units: Iterable[Unit]) -> dict[int, Served]:
    """`who_serves` for several units at once (unit id → Served), in three queries whatever their number."""
    units = list(units)
    if not units:
        return {}
    paths = {p for unit in units for p in _ancestor_paths(unit)}
    members: dict[int, list[User]] = {}
    for user in (
        User.objects.filter(person__unit__in=units, person__active=True, is_active=True)
        .select_related("person")
        .order_by("pk")
    ):
        # the ignore below: the query filters on person__unit, so every user here has a person
        members.setdefault(user.person.unit_id or 0, []).append(user)  # type: ignore[union-attr]
    supervisors: dict[str, list[User]] = {}
    for a in (
        RoleAssignment.objects.filter(
            role=Role.UNIT_SUPERVISOR, unit__path__in=paths, unit__active=True, user__is_active=True
        )
        .select_related("user__person", "unit")
        .order_by("pk")
    ):
        supervisors.setdefault(a.unit.path, []).append(a.user)
    proxies: dict[str, list[User]] | None = None
    out: dict[int, Served] = {}
    for unit in units:
        own = _active([*members.get(unit.pk, []), *supervisors.get(unit.path, [])])
        if own:
            out[unit.pk] = Served(unit, Via.UNIT, own)
            continue
        above = next((found for p in _ancestor_paths(unit)[1:] if (found := _active(supervisors.get(p, [])))), None)
        if above:
            out[unit.pk] = Served(unit, Via.SUPERVISOR, above)
            continue
        if proxies is None:
            proxies = _ethics_offices(paths)
        ethics = _active(u for p in _ancestor_paths(unit) for u in proxies.get(p, []))
        out[unit.pk] = Served(unit, Via.PROXY, ethics)
    return out


def _ethics_offices(paths: set[str]) -> dict[str, list[User]]:
    found: dict[str, list[User]] = {}
    for a in (
        RoleAssignment.objects.filter(
            role=Role.ETHICS_OFFICER, unit__path__in=paths, unit__active=True, user__is_active=True
        )
        .select_related("user__person", "unit")
        .order_by("pk")
    ):
        found.setdefault(a.unit.path, []).append(a.user)
    return found
