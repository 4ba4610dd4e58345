from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from anwei.accounts.actor import Who

from . import policies
from .models import Agency, DutyShift, Organisation, Person, Unit


def unit_tree(user: Who) -> QuerySet[Unit]:
    return policies.units.visible(user).filter(active=True).order_by("path")


def people(user: Who, *, q: str = "", unit: Unit | None = None, subtree: bool = True) -> QuerySet[Person]:
    qs = policies.people.visible(user).select_related("unit").filter(active=True)
    if q:
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(title__icontains=q)
            | Q(unit__name__icontains=q)
            | Q(email__icontains=q)
            | Q(mobile__icontains=q)
            | Q(office_phone__icontains=q)
        )
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path) if subtree else qs.filter(unit=unit)
    return qs.order_by("unit__path", "name")


def organisations(user: Who, *, kind: str = "", q: str = "") -> QuerySet[Organisation]:
    """Outside organisations the user may see; `q` finds an organisation by its own name, phone, e-mail, address
    or notes, or by the name, title or numbers of one of its contacts."""
    qs = policies.organisations.visible(user).prefetch_related("contacts")
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        matching = Q(name__icontains=q) | Q(phone__icontains=q) | Q(email__icontains=q) | Q(address__icontains=q)
        matching |= Q(notes__icontains=q)
        for field in ("name", "title", "phone", "mobile", "email"):
            matching |= Q(**{f"contacts__{field}__icontains": q})
        qs = qs.filter(pk__in=Organisation.objects.filter(matching).values("pk"))
    return qs


def units_to_manage(user: Who) -> QuerySet[Unit]:
    """Units the user may edit, move and deactivate (directory.manage_units), the inactive ones too."""
    scope = policies.units.scope(user, "directory.manage_units")
    return policies.units.visible(user).filter(scope.q("")).order_by("path")


def parents_for(user: Who, unit: Unit | None) -> QuerySet[Unit]:
    """Where a unit may be put: an active unit the user manages, of the same agency, not the unit or below it."""
    qs = units_to_manage(user).filter(active=True)
    if unit is not None:
        qs = qs.filter(agency_id=unit.agency_id).exclude(path__startswith=unit.path)
    return qs


def units_for_edit(user: Who) -> QuerySet[Unit]:
    """Units in which the user may edit people."""
    scope = policies.people.scope(user, "directory.edit")
    return policies.units.visible(user).filter(scope.q("")).filter(active=True)


@dataclass(frozen=True)
class OnDuty:
    """Who answers for a duty kind at a moment: the person on the roster, or the substitute when the person is
    unavailable (or missing)."""

    shift: DutyShift | None
    person: Person | None
    is_substitute: bool = False


def on_duty(agency: Agency, kind_code: str, at: datetime | None = None) -> OnDuty:
    """The shift covering `at` (half-open: at a boundary the next shift is on duty); the latest-starting shift
    wins where shifts overlap."""
    at = at or timezone.now()
    shift = (
        DutyShift.objects.select_related("person", "substitute")
        .filter(kind__agency=agency, kind__code=kind_code, starts_at__lte=at, ends_at__gt=at)
        .order_by("-starts_at", "-pk")
        .first()
    )
    return duty_of(shift)


def duty_of(shift: DutyShift | None) -> OnDuty:
    """Who answers on this shift: its person, or the substitute when the person is unavailable (or missing)."""
    if shift is None:
        return OnDuty(None, None)
    primary = shift.person if shift.person and shift.person.active else None
    if primary is not None and not shift.primary_unavailable:
        return OnDuty(shift, primary)
    substitute = shift.substitute if shift.substitute and shift.substitute.active else None
    return OnDuty(shift, substitute, is_substitute=substitute is not None)
