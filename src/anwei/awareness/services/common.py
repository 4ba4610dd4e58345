"""What the awareness writes share: today's date (one place to patch in tests), the unit a write names (of the
actor's agency), the people holding a role in an agency (whom the notices go to) and the single call into the
incidents app."""

from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor
from anwei.accounts.models import RoleAssignment
from anwei.core.errors import BusinessRuleError
from anwei.directory.models import Agency, Person, Unit

if TYPE_CHECKING:
    from anwei.incidents.models import Incident


def today() -> date:
    return timezone.localdate()


def agency_unit(actor: Actor, unit_id: int, within: Q | None = None) -> Unit:
    """The unit `unit_id` of the actor's agency — among `within` when given (the write's scope, active units) — or
    "Unknown unit." on the `unit_id` field, the same answer for a unit elsewhere as for one that does not exist."""
    units = Unit.objects.filter(pk=unit_id, agency_id=actor.agency_id or 0)
    unit = (units if within is None else units.filter(within)).first()
    if unit is None:
        raise BusinessRuleError(_("Unknown unit."), field="unit_id")
    return unit


def role_people(agency: Agency | int, *roles: str) -> list[Person]:
    """Active people holding one of `roles` somewhere in the agency."""
    rows = RoleAssignment.objects.filter(
        role__in=roles, unit__agency=agency, user__is_active=True, user__person__isnull=False
    ).select_related("user__person")
    out: dict[int, Person] = {}
    for row in rows:
        person = row.user.person
        if person is not None and person.active:
            out[person.pk] = person
    return list(out.values())


def open_incident(
    *, actor: Actor, agency: Agency, category: str, title: str, description: str, unit: Unit | None, source: Model
) -> "Incident":
    """The single call into the incidents app (anwei.incidents.services.file_report)."""
    from anwei.incidents.services import file_report

    return file_report(
        actor=actor, agency=agency, category=category, title=title, description=description, unit=unit, source=source
    )
