"""Writes for a plan's contact list (通信聯絡): a line added, edited or removed, each with its audit entry — and a
new version with the reason when the plan is approved or active (amendments.py)."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, write_service
from anwei.audit import services as audit
from anwei.core.errors import BusinessRuleError
from anwei.directory.models import Person

from .. import policies
from ..models import Plan, PlanContact
from . import amendments

CONTACT_FIELDS = ["name", "title", "person_id", "organisation_id", "phones", "note"]


def _clean_phone(phone: dict[str, Any]) -> dict[str, str]:
    return {
        "kind": str(phone.get("kind") or "office"),
        "number": str(phone.get("number") or "").strip(),
        "ext": str(phone.get("ext") or "").strip(),
    }


def _name(name: str, person: Person | None, organisation: Any) -> str:
    name = name.strip() or (person.name if person else "") or (organisation.name if organisation else "")
    if not name:
        raise BusinessRuleError(_("Give a name, or choose a person or an organisation."), field="name")
    return name


def _open_line(
    *,
    actor: Actor,
    plan: Plan,
    reason: str,
    name: str,
    title: str,
    phones: list[dict[str, str]] | None,
    person: Person | None,
    organisation: Any,
    note: str,
) -> tuple[Plan, bool, dict[str, Any]]:
    """What adding and editing a line share: the actor may manage the plan; the plan locked, and whether the change
    makes a new version (amendments.py); the line's fields checked and cleaned — a person and an organisation of the
    plan's agency, a name (or theirs), trimmed text, clean phones."""
    policies.require(actor, policies.plans, "plans.manage", plan)
    plan = amendments.lock(plan)
    versioned = amendments.needs_version(plan, reason)
    for linked, field in ((person, "person"), (organisation, "organisation")):
        if linked is not None and linked.agency_id != plan.agency_id:
            raise BusinessRuleError(_("This belongs to another agency."), field=field)
    fields = {
        "name": _name(name, person, organisation),
        "title": title.strip(),
        "person": person,
        "organisation": organisation,
        "phones": [_clean_phone(p) for p in phones or []],
        "note": note.strip(),
    }
    return plan, versioned, fields


@write_service
@transaction.atomic
def add_contact(
    *,
    actor: Actor,
    plan: Plan,
    name: str,
    title: str = "",
    phones: list[dict[str, str]] | None = None,
    person: Person | None = None,
    organisation: Any = None,
    note: str = "",
    reason: str = "",
) -> PlanContact:
    plan, versioned, fields = _open_line(
        actor=actor,
        plan=plan,
        reason=reason,
        name=name,
        title=title,
        phones=phones,
        person=person,
        organisation=organisation,
        note=note,
    )
    contact = PlanContact.objects.create(plan=plan, position=plan.contacts.count() + 1, **fields)
    audit.record_create(actor=actor, obj=contact)
    if versioned:
        amendments.new_version(actor=actor, plan=plan, reason=reason)
    return contact


@write_service
@transaction.atomic
def update_contact(
    *,
    actor: Actor,
    contact: PlanContact,
    name: str,
    title: str = "",
    phones: list[dict[str, str]] | None = None,
    person: Person | None = None,
    organisation: Any = None,
    note: str = "",
    reason: str = "",
) -> PlanContact:
    plan, versioned, fields = _open_line(
        actor=actor,
        plan=contact.plan,
        reason=reason,
        name=name,
        title=title,
        phones=phones,
        person=person,
        organisation=organisation,
        note=note,
    )
    contact = PlanContact.objects.get(pk=contact.pk)
    before = audit.snapshot(contact, CONTACT_FIELDS)
    for field, value in fields.items():
        setattr(contact, field, value)
    contact.save()
    entry = audit.record_update(actor=actor, obj=contact, before=before)
    if versioned:
        if entry is None:
            raise BusinessRuleError(_("Nothing was changed."))
        amendments.new_version(actor=actor, plan=plan, reason=reason)
    return contact


@write_service
@transaction.atomic
def remove_contact(*, actor: Actor, contact: PlanContact, reason: str = "") -> None:
    policies.require(actor, policies.plans, "plans.manage", contact.plan)
    plan = amendments.lock(contact.plan)
    versioned = amendments.needs_version(plan, reason)
    audit.record(actor=actor, action="delete", obj=contact, changes={"name": contact.name, "phones": contact.phones})
    contact.delete()
    if versioned:
        amendments.new_version(actor=actor, plan=plan, reason=reason)
