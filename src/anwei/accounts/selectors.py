"""Who answers for a unit: the people with accounts whom a message to a unit reaches.

`who_serves(unit)` is the one place that decides who is told of work given to a unit (an incident task, …):
- the unit's own people with an account, and the supervisors assigned on the unit itself;
- a unit with no account holder is served through its supervisor in the directory: the nearest unit supervisor
  assigned on the unit's parent (or the parent's parent …);
- else the ethics office covering the unit, as its proxy (由政風室代轉) — never silently nobody.

`holders(roles, unit)` are the active users whose role assignment covers a unit (e.g. who may approve there)."""

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


def who_serves(unit: Unit) -> Served:
    """Who is told of work given to `unit`, and how they were found (see the module's docstring)."""
    members = User.objects.filter(person__unit=unit, person__active=True, is_active=True).select_related("person")
    paths = _ancestor_paths(unit)
    supervisors = list(
        RoleAssignment.objects.filter(
            role=Role.UNIT_SUPERVISOR, unit__path__in=paths, unit__active=True, user__is_active=True
        ).select_related("user__person", "unit")
    )
    own = _active([*members.order_by("pk"), *(a.user for a in supervisors if a.unit_id == unit.pk)])
    if own:
        return Served(unit, Via.UNIT, own)
    for path in paths[1:]:  # nearest parent first
        above = _active(a.user for a in supervisors if a.unit.path == path)
        if above:
            return Served(unit, Via.SUPERVISOR, above)
    return Served(unit, Via.PROXY, holders([Role.ETHICS_OFFICER], unit))
