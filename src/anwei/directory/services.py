"""Writes for the directory, each with its audit entry in the same transaction."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from anwei.audit import services as audit
from anwei.core.errors import BusinessRuleError, NotAllowed

from . import policies
from .models import Agency, DutyKind, DutyShift, ExternalContact, Organisation, Person, Unit

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


@transaction.atomic
def create_agency(*, actor: Any, code: str, name: str, name_en: str = "") -> Agency:
    agency = Agency.objects.create(code=code, name=name, name_en=name_en)
    audit.record_create(actor=actor, obj=agency)
    return agency


@transaction.atomic
def create_unit(
    *,
    actor: Any,
    agency: Agency,
    name: str,
    parent: Unit | None = None,
    kind: str = Unit.Kind.DEPARTMENT,
    **extra: Any,
) -> Unit:
    if parent is not None and parent.agency_id != agency.pk:
        raise BusinessRuleError(_("The parent unit belongs to another agency."), field="parent")
    if Unit.objects.filter(agency=agency, parent=parent, name=name).exists():
        raise BusinessRuleError(_("A unit with this name already exists here."), field="name")
    unit = Unit.objects.create(agency=agency, parent=parent, name=name, kind=kind, **extra)
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.save(update_fields=["path"])
    audit.record_create(actor=actor, obj=unit)
    return unit


def _check_unit(actor: Any, unit: Unit | None) -> None:
    if unit is None:
        if not policies.people.scope(actor, "directory.edit").everywhere:
            raise NotAllowed()
    elif not policies.people.scope(actor, "directory.edit").covers(unit):
        raise NotAllowed()


@transaction.atomic
def create_person(*, actor: Any, agency: Agency, **fields: Any) -> Person:
    unit = fields.get("unit")
    if unit is not None and unit.agency_id != agency.pk:
        raise BusinessRuleError(_("The unit belongs to another agency."), field="unit")
    _check_unit(actor, unit)
    person = Person.objects.create(agency=agency, **fields)
    audit.record_create(actor=actor, obj=person)
    return person


@transaction.atomic
def update_person(*, actor: Any, person: Person, **fields: Any) -> Person:
    """Change a person; the actor must be allowed to edit both the old and the new unit."""
    _check_unit(actor, person.unit)
    if "unit" in fields:
        unit = fields["unit"]
        if unit is not None and unit.agency_id != person.agency_id:
            raise BusinessRuleError(_("The unit belongs to another agency."), field="unit")
        _check_unit(actor, unit)
    before = audit.snapshot(person, PERSON_FIELDS)
    for name, value in fields.items():
        setattr(person, name, value)
    person.full_clean()
    person.save()
    audit.record_update(actor=actor, obj=person, before=before)
    return person


@transaction.atomic
def create_organisation(*, actor: Any, agency: Agency, **fields: Any) -> Organisation:
    if not policies.organisations.can(actor, "directory.manage_external"):
        raise NotAllowed()
    org = Organisation.objects.create(agency=agency, **fields)
    audit.record_create(actor=actor, obj=org)
    return org


@transaction.atomic
def update_organisation(*, actor: Any, organisation: Organisation, **fields: Any) -> Organisation:
    if not policies.organisations.can(actor, "directory.manage_external", organisation):
        raise NotAllowed()
    before = audit.snapshot(organisation, list(fields))
    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation.save()
    audit.record_update(actor=actor, obj=organisation, before=before)
    return organisation


@transaction.atomic
def add_contact(*, actor: Any, organisation: Organisation, **fields: Any) -> ExternalContact:
    if not policies.organisations.can(actor, "directory.manage_external", organisation):
        raise NotAllowed()
    contact = ExternalContact.objects.create(organisation=organisation, **fields)
    audit.record_create(actor=actor, obj=contact)
    return contact


@transaction.atomic
def create_duty_kind(*, actor: Any, agency: Agency, code: str, name: str, name_en: str = "") -> DutyKind:
    kind = DutyKind.objects.create(agency=agency, code=code, name=name, name_en=name_en)
    audit.record_create(actor=actor, obj=kind)
    return kind


@transaction.atomic
def add_shift(
    *,
    actor: Any,
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
