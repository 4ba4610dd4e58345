"""Writes for the directory, each with its audit entry in the same transaction."""

from typing import Any

from django.db import transaction
from django.db.models import CharField, Max, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, write_service
from anwei.audit import services as audit
from anwei.core.errors import BusinessRuleError, NotAllowed

from . import policies
from .models import Agency, DutyKind, DutyShift, ExternalContact, Organisation, Person, Unit
from .signals import protected_fields_changed

PERSON_FIELDS = [
    "unit_id",
    "name",
    "title",
    "grade",
    "email",
    "mobile",
    "office_phone",
    "extension",
    "fax",
    "duty_eligible",
    "national_secret_duty",
    "national_secret_duty_until",
    "active",
]


@write_service
@transaction.atomic
def create_agency(*, actor: Actor, code: str, name: str, name_en: str = "") -> Agency:
    agency = Agency.objects.create(code=code, name=name, name_en=name_en)
    audit.record_create(actor=actor, obj=agency)
    return agency


UNIT_FIELDS = ["name", "name_en", "code", "kind", "sort_order", "active", "parent_id", "path"]
UNIT_PATH_MAX = Unit._meta.get_field("path").max_length or 255


def _require_units(actor: Actor, unit: Unit | None) -> None:
    """directory.manage_units over `unit` (its subtree); a new top unit of an agency needs it everywhere. Calls
    without a user (the system: set-up, demo data) are the system's own."""
    if actor.is_system:
        return
    if unit is None:
        if not policies.units.scope(actor, "directory.manage_units").everywhere:
            raise NotAllowed()
    elif not policies.units.can(actor, "directory.manage_units", unit):
        raise NotAllowed()


def _name_free(agency_id: int, parent: Unit | None, name: str, exclude: int | None = None) -> None:
    clash = Unit.objects.filter(agency_id=agency_id, parent=parent, name=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise BusinessRuleError(_("A unit with this name already exists here."), field="name")


@write_service
@transaction.atomic
def create_unit(
    *,
    actor: Actor,
    agency: Agency,
    name: str,
    parent: Unit | None = None,
    kind: str = Unit.Kind.DEPARTMENT,
    **extra: Any,
) -> Unit:
    if parent is not None and parent.agency_id != agency.pk:
        raise BusinessRuleError(_("The parent unit belongs to another agency."), field="parent")
    _require_units(actor, parent)
    _name_free(agency.pk, parent, name)
    unit = Unit(agency=agency, parent=parent, name=name, kind=kind, **extra)
    unit.full_clean(exclude=["path", "agency", "parent"], validate_unique=False, validate_constraints=False)
    unit.save()
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    if len(unit.path) > UNIT_PATH_MAX:
        raise BusinessRuleError(_("The unit tree would be too deep here."), field="parent")
    unit.save(update_fields=["path"])
    audit.record_create(actor=actor, obj=unit)
    return unit


_UNCHANGED: Any = object()


@write_service
@transaction.atomic
def update_unit(
    *, actor: Actor, unit: Unit, parent: Any = _UNCHANGED, active: bool | None = None, **fields: Any
) -> Unit:
    """Rename or re-describe a unit (`fields`: name, name_en, code, kind, sort_order), move it under another
    `parent`, deactivate or reactivate it (`active`) — one audit entry with every change, old and new. Moving keeps
    the materialized path of the whole subtree consistent: every unit below gets the new prefix in one UPDATE."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _require_units(actor, unit)
    before = audit.snapshot(unit, UNIT_FIELDS)
    for name, value in fields.items():
        setattr(unit, name, value)
    moved = 0
    if parent is not _UNCHANGED and (parent.pk if parent else None) != unit.parent_id:
        moved = _move(actor, unit, parent)
    elif "name" in fields:
        _name_free(unit.agency_id, unit.parent, unit.name, exclude=unit.pk)
    if active is not None and active != unit.active:
        _check_activation(unit, active)
        unit.active = active
    unit.full_clean(exclude=["path", "agency", "parent"], validate_unique=False, validate_constraints=False)
    unit.save()
    if moved:
        changes = {**audit.changes_between(before, audit.snapshot(unit, UNIT_FIELDS)), "subtree_moved": moved}
        audit.record(actor=actor, action=audit.Action.UPDATE, obj=unit, changes=changes)
    else:
        audit.record_update(actor=actor, obj=unit, before=before)
    return unit


def _move(actor: Actor, unit: Unit, parent: Unit | None) -> int:
    """Put `unit` under `parent`; returns how many units (the unit and those below it) got a new path."""
    if unit.parent_id is None:
        raise BusinessRuleError(_("The agency's top unit cannot be moved."), field="parent")
    if parent is None:
        raise BusinessRuleError(_("Choose the unit to move it under."), field="parent")
    if parent.agency_id != unit.agency_id:
        raise BusinessRuleError(_("The parent unit belongs to another agency."), field="parent")
    parent = Unit.objects.get(pk=parent.pk)  # its path as stored now
    if parent.is_within(unit):
        raise BusinessRuleError(_("A unit cannot be moved under itself or one of its own sub-units."), field="parent")
    if not parent.active:
        raise BusinessRuleError(_("A unit cannot be moved under an inactive unit."), field="parent")
    _require_units(actor, parent)
    _name_free(unit.agency_id, parent, unit.name, exclude=unit.pk)
    old, new = unit.path, f"{parent.path}{unit.pk}/"
    subtree = Unit.objects.filter(path__startswith=old)
    longest = subtree.aggregate(n=Max(Length("path")))["n"] or len(old)
    if longest - len(old) + len(new) > UNIT_PATH_MAX:
        raise BusinessRuleError(_("The unit tree would be too deep here."), field="parent")
    moved = subtree.update(path=Concat(Value(new), Substr("path", len(old) + 1), output_field=CharField()))
    unit.parent, unit.path = parent, new
    return moved


def _check_activation(unit: Unit, active: bool) -> None:
    if active:
        if unit.parent is not None and not unit.parent.active:
            raise BusinessRuleError(_("Reactivate the unit above it first."), field="active")
        return
    if unit.parent_id is None:
        raise BusinessRuleError(_("The agency's top unit cannot be deactivated."), field="active")
    if unit.children.filter(active=True).exists():
        raise BusinessRuleError(_("Move or deactivate its sub-units first."), field="active")
    if unit.people.filter(active=True).exists():
        raise BusinessRuleError(_("Move its people to another unit first."), field="active")


def _check_unit(actor: Actor, unit: Unit | None) -> None:
    if unit is None:
        if not policies.people.scope(actor, "directory.edit").everywhere:
            raise NotAllowed()
    elif not policies.people.scope(actor, "directory.edit").covers(unit):
        raise NotAllowed()


@write_service
@transaction.atomic
def create_person(*, actor: Actor, agency: Agency, **fields: Any) -> Person:
    unit = fields.get("unit")
    if unit is not None and unit.agency_id != agency.pk:
        raise BusinessRuleError(_("The unit belongs to another agency."), field="unit")
    _check_unit(actor, unit)
    person = Person(agency=agency, **fields)
    person.full_clean()
    person.save()
    audit.record_create(actor=actor, obj=person)
    return person


@write_service
@transaction.atomic
def update_person(*, actor: Actor, person: Person, **fields: Any) -> Person:
    """Change a person; the actor must be allowed to edit both the old and the new unit."""
    _check_unit(actor, person.unit)
    if "unit" in fields:
        unit = fields["unit"]
        if unit is not None and unit.agency_id != person.agency_id:
            raise BusinessRuleError(_("The unit belongs to another agency."), field="unit")
        _check_unit(actor, unit)
    protected = [n for n in policies.PROTECTED_PERSON_FIELDS if n in fields and fields[n] != getattr(person, n)]
    if protected and not policies.people.may_change_protected(actor, person):
        raise NotAllowed(
            _(
                "Only the ethics office or an administrator may change the grade, the national-secret duty and the "
                "contact addresses, and never in their own entry."
            )
        )
    before = audit.snapshot(person, PERSON_FIELDS)
    for name, value in fields.items():
        setattr(person, name, value)
    person.full_clean()
    person.save()
    audit.record_update(actor=actor, obj=person, before=before)
    if protected:  # the person is told (notifications listens), at the old address too
        old = {name: before.get(name) for name in protected}
        protected_fields_changed.send(sender=Person, person=person, actor=actor.user, fields=protected, before=old)
    return person


@write_service
@transaction.atomic
def create_organisation(*, actor: Actor, agency: Agency, **fields: Any) -> Organisation:
    if not policies.organisations.can(actor, "directory.manage_external"):
        raise NotAllowed()
    org = Organisation.objects.create(agency=agency, **fields)
    audit.record_create(actor=actor, obj=org)
    return org


@write_service
@transaction.atomic
def update_organisation(*, actor: Actor, organisation: Organisation, **fields: Any) -> Organisation:
    if not policies.organisations.can(actor, "directory.manage_external", organisation):
        raise NotAllowed()
    before = audit.snapshot(organisation, list(fields))
    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation.save()
    audit.record_update(actor=actor, obj=organisation, before=before)
    return organisation


@write_service
@transaction.atomic
def add_contact(*, actor: Actor, organisation: Organisation, **fields: Any) -> ExternalContact:
    if not policies.organisations.can(actor, "directory.manage_external", organisation):
        raise NotAllowed()
    contact = ExternalContact(organisation=organisation, **fields)
    contact.full_clean()
    contact.save()
    audit.record_create(actor=actor, obj=contact)
    return contact


CONTACT_FIELDS = ["name", "title", "phone", "mobile", "email"]


@write_service
@transaction.atomic
def update_contact(*, actor: Actor, contact: ExternalContact, **fields: Any) -> ExternalContact:
    if not policies.contacts.can(actor, "directory.manage_external", contact):
        raise NotAllowed()
    before = audit.snapshot(contact, CONTACT_FIELDS)
    for name, value in fields.items():
        setattr(contact, name, value)
    contact.full_clean()
    contact.save()
    audit.record_update(actor=actor, obj=contact, before=before)
    return contact


@write_service
@transaction.atomic
def remove_contact(*, actor: Actor, contact: ExternalContact) -> None:
    """Delete an outside contact; the audit entry keeps what it held."""
    if not policies.contacts.can(actor, "directory.manage_external", contact):
        raise NotAllowed()
    audit.record(
        actor=actor,
        action=audit.Action.DELETE,
        obj=contact,
        changes={"old": {**audit.snapshot(contact, CONTACT_FIELDS), "organisation_id": contact.organisation_id}},
    )
    contact.delete()


@write_service
def record_export(*, actor: Actor, what: str, object_id: Any = "", object_repr: str = "", **details: Any) -> None:
    """An export (CSV, vCard) goes on the audit log: what, of which record or list, with which filters."""
    audit.record(
        actor=actor,
        action=audit.Action.EXPORT,
        object_type=what,
        object_id=object_id,
        object_repr=object_repr,
        changes=details,
    )


@write_service
@transaction.atomic
def create_duty_kind(*, actor: Actor, agency: Agency, code: str, name: str, name_en: str = "") -> DutyKind:
    kind = DutyKind.objects.create(agency=agency, code=code, name=name, name_en=name_en)
    audit.record_create(actor=actor, obj=kind)
    return kind


@write_service
@transaction.atomic
def add_shift(
    *,
    actor: Actor,
    kind: DutyKind,
    starts_at: Any,
    ends_at: Any,
    person: Person | None = None,
    substitute: Person | None = None,
    handover_note: str = "",
) -> DutyShift:
    if ends_at <= starts_at:
        raise BusinessRuleError(_("A shift must end after it starts."), field="ends_at")
    for who, field in ((person, "person"), (substitute, "substitute")):
        if who is not None and who.agency_id != kind.agency_id:
            raise BusinessRuleError(_("This person belongs to another agency."), field=field)
    shift = DutyShift.objects.create(
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        person=person,
        substitute=substitute,
        handover_note=handover_note,
    )
    audit.record_create(actor=actor, obj=shift)
    return shift


# --- the entrances' writes: records named by their keys, resolved here through the policies (pages and API) -------


@write_service
@transaction.atomic
def create_person_in_unit(*, actor: Actor, unit_id: int, **fields: Any) -> Person:
    if not policies.people.can(actor, "directory.edit"):
        raise NotAllowed()
    unit: Unit = policies.units.get_visible(actor, unit_id)
    return create_person(actor=actor, agency=unit.agency, unit=unit, **fields)


@write_service
@transaction.atomic
def update_person_by_id(*, actor: Actor, person_id: int, **fields: Any) -> Person:
    """`unit_id` (a key, or None for no unit) or `unit` (a record the page's form chose) moves the person."""
    person: Person = policies.people.get_visible(actor, person_id)
    if "unit_id" in fields:
        unit_id = fields.pop("unit_id")
        fields["unit"] = policies.units.get_visible(actor, unit_id) if unit_id else None
    return update_person(actor=actor, person=person, **fields)


@write_service
@transaction.atomic
def create_unit_under(*, actor: Actor, parent_id: int, **fields: Any) -> Unit:
    parent: Unit = policies.units.get_visible(actor, parent_id)
    if not policies.units.can(actor, "directory.manage_units", parent):
        raise NotAllowed()
    return create_unit(actor=actor, agency=parent.agency, parent=parent, **fields)


@write_service
@transaction.atomic
def update_unit_by_id(*, actor: Actor, unit_id: int, **fields: Any) -> Unit:
    """`parent_id` (a key) or `parent` (a record the page's form chose) moves the unit."""
    unit: Unit = policies.units.get_visible(actor, unit_id)
    if not policies.units.can(actor, "directory.manage_units", unit):
        raise NotAllowed()
    if "parent_id" in fields:
        fields["parent"] = policies.units.get_visible(actor, fields.pop("parent_id"))
    return update_unit(actor=actor, unit=unit, **fields)


@write_service
@transaction.atomic
def add_contact_by_id(*, actor: Actor, organisation_id: int, **fields: Any) -> ExternalContact:
    organisation: Organisation = policies.organisations.get_visible(actor, organisation_id)
    return add_contact(actor=actor, organisation=organisation, **fields)


@write_service
@transaction.atomic
def update_contact_by_id(*, actor: Actor, contact_id: int, **fields: Any) -> ExternalContact:
    contact: ExternalContact = policies.contacts.get_visible(actor, contact_id)
    return update_contact(actor=actor, contact=contact, **fields)


@write_service
@transaction.atomic
def remove_contact_by_id(*, actor: Actor, contact_id: int) -> int:
    """Remove the contact; returns its organisation's key (for the page to go back to)."""
    contact: ExternalContact = policies.contacts.get_visible(actor, contact_id)
    organisation_id = contact.organisation_id
    remove_contact(actor=actor, contact=contact)
    return organisation_id
