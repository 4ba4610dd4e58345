"""Writes that enter items in the register: registering (proposed or decided), deciding a proposal, combining
several items into one — each in one transaction with its audit entry — and what every write on the register shares:
the signed-in user, the item's locked row, the refusal while it is out, who the ethics office is.

The other writes on an item are by topic: a level change, declassification and destruction in declassification.py,
need-to-know grants in grants.py, the storage place and inventory checks in storage.py; copy/take-out requests in
custody.py and transfers in transfers.py. Audit entries name items by reference number, never by title."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, write_service
from anwei.accounts.models import RoleAssignment, User
from anwei.accounts.roles import Role
from anwei.audit import services as audit
from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.core.rocdate import roc_year
from anwei.directory.models import Unit

from . import auditing, policies, rules
from .models import ClassifiedItem
from .rules import Level

ITEM_FIELDS = [
    "level",
    "classified_on",
    "protection_until",
    "declassification_condition",
    "classifying_authority",
    "proposed",
    "custodian_id",
    "storage_location",
    "storage_outside_premises",
    "status",
]
GONE = (ClassifiedItem.Status.DESTROYED, ClassifiedItem.Status.TRANSFERRED)
OUT = (ClassifiedItem.Status.ON_LOAN, ClassifiedItem.Status.IN_TRANSIT)  # not in the custodian's hands


def signed_in(actor: Actor) -> User:
    """The user behind an actor the policy let through (signed in: the system holds no role here)."""
    if actor.user is None:
        raise NotAllowed()
    return actor.user


def locked(item: ClassifiedItem) -> ClassifiedItem:
    """The item's row, locked until the transaction ends, as it is now (not as the caller loaded it)."""
    return ClassifiedItem.objects.select_for_update().get(pk=item.pk)


def refuse_while_out(item: ClassifiedItem) -> None:
    """Refuse a write while the item is not in the custodian's hands (out on loan, in transit)."""
    if item.status == ClassifiedItem.Status.ON_LOAN:
        raise BusinessRuleError(_("This item is out on loan; record its return first."), code="item_state")
    if item.status == ClassifiedItem.Status.IN_TRANSIT:
        raise BusinessRuleError(_("This item is in transit; wait until its receipt is confirmed."), code="item_state")


def check_protection(*, level: str, classified_on: date, protection_until: date | None, condition: str) -> None:
    """A period or a condition is required; the period may not exceed the level's legal maximum (第11條)."""
    if level not in Level.values:
        raise BusinessRuleError(_("Unknown level."), field="level")
    if protection_until is None and not condition.strip():
        raise BusinessRuleError(
            _("Give a protection period or a declassification condition."), field="protection_until"
        )
    if protection_until is not None and protection_until <= classified_on:
        raise BusinessRuleError(_("Protection must end after the classification date."), field="protection_until")
    latest = rules.latest_end(level, classified_on)
    if protection_until is not None and latest is not None and protection_until > latest:
        ruleset = rules.rules_on(classified_on)
        raise BusinessRuleError(
            _("%(mark)s may be protected for at most %(years)s years from classification (%(law)s): until %(day)s.")
            % {
                "mark": rules.MARK[Level(level)],
                "years": ruleset.level(level).max_years,
                "law": ruleset.citations["max_period"],
                "day": latest.isoformat(),
            },
            field="protection_until",
        )


def protection_ends(item: ClassifiedItem) -> date | None:
    """The day protection ends: the period, or — for a condition not yet met — the legal maximum (第11條第4項)."""
    if item.protection_until is not None:
        return item.protection_until
    return rules.latest_end(item.level, item.classified_on)


def next_reference(agency_id: int, classified_on: date) -> str:
    prefix = f"{roc_year(classified_on)}機"
    count = ClassifiedItem.objects.filter(agency_id=agency_id, reference_no__startswith=prefix).count()
    return f"{prefix}{count + 1:04d}"


@write_service
@transaction.atomic
def register_item(
    *,
    actor: Actor,
    unit: Unit,
    title: str,
    level: str,
    classified_on: date,
    classifying_authority: str,
    custodian: User,
    storage_location: str,
    protection_until: date | None = None,
    declassification_condition: str = "",
    proposed: bool = False,
    reference_no: str = "",
    content: str = "",
    kind: str = ClassifiedItem.Kind.DOCUMENT,
    handlers: list[User] | None = None,
) -> ClassifiedItem:
    """Register an item. A proposed classification (擬訂) is protected at once and must be decided within the
    legal time (第6條)."""
    if not policies.items.scope(actor, "classified.register").covers(unit):
        raise NotAllowed()
    check_protection(
        level=level,
        classified_on=classified_on,
        protection_until=protection_until,
        condition=declassification_condition,
    )
    reference_no = reference_no.strip() or next_reference(unit.agency_id, classified_on)
    taken = ClassifiedItem.objects.filter(agency_id=unit.agency_id, reference_no=reference_no)
    if taken.exists():
        # numbers are unique in the agency, so a taken number must be refused; but only an item the user may see is
        # named as "registered" — elsewhere the answer says nothing of what holds the number (docs/security.md)
        if policies.items.visible(actor, taken).exists():
            raise BusinessRuleError(_("This reference number is already registered."), field="reference_no")
        raise BusinessRuleError(
            _("This reference number cannot be used. Leave it empty to be given the next free number."),
            field="reference_no",
        )
    item = ClassifiedItem.objects.create(
        agency_id=unit.agency_id,
        unit=unit,
        reference_no=reference_no,
        kind=kind,
        title=title,
        content=content,
        level=level,
        classified_on=classified_on,
        protection_until=protection_until,
        declassification_condition=declassification_condition,
        classifying_authority=classifying_authority,
        proposed=proposed,
        decided_at=None if proposed else timezone.now(),
        decided_by=None if proposed else actor.user,
        custodian=custodian,
        storage_location=storage_location,
        created_by=actor.user,
    )
    people = {u.pk: u for u in [*(handlers or []), *([actor.user] if actor.user is not None else [])]}
    item.handlers.set(people.values())
    audit.record(
        actor=actor,
        action=audit.Action.CREATE,
        obj=item,
        object_repr=item.reference_no,
        changes={"new": auditing.snapshot(item, ITEM_FIELDS), "handlers": sorted(people)},
    )
    return item


@write_service
@transaction.atomic
def decide_classification(
    *, actor: Actor, item: ClassifiedItem, approve: bool = True, note: str = ""
) -> ClassifiedItem:
    """The authorised official decides a proposed classification: confirmed, or not classified."""
    if not policies.items.can(actor, "classified.decide", item):
        raise NotAllowed()
    item = locked(item)
    if not item.proposed:
        raise BusinessRuleError(_("This classification has already been decided."))
    if not approve:
        refuse_while_out(item)
    before = auditing.snapshot(item, ITEM_FIELDS)
    item.proposed = False
    item.decided_at, item.decided_by = timezone.now(), actor.user
    if not approve:
        item.status = ClassifiedItem.Status.DECLASSIFIED
    item.save(update_fields=["proposed", "decided_at", "decided_by", "status"])
    auditing.record_update(actor=actor, item=item, before=before)
    return item


@write_service
@transaction.atomic
def combine_items(
    *,
    actor: Actor,
    parts: list[ClassifiedItem],
    unit: Unit,
    title: str,
    classified_on: date,
    classifying_authority: str,
    custodian: User,
    storage_location: str,
    protection_until: date | None = None,
    declassification_condition: str = "",
) -> ClassifiedItem:
    """A new item made of several: it takes the highest of their levels (第17條)."""
    if len(parts) < 2:
        raise BusinessRuleError(_("Choose at least two items to combine."), field="parts")
    for part in parts:
        if not policies.items.can_read(actor, part):
            raise NotAllowed()
    level = rules.highest([p.level for p in parts])
    combined = register_item(
        actor=actor,
        unit=unit,
        title=title,
        level=level,
        classified_on=classified_on,
        classifying_authority=classifying_authority,
        custodian=custodian,
        storage_location=storage_location,
        protection_until=protection_until,
        declassification_condition=declassification_condition,
    )
    combined.combined_from.set(parts)
    audit.record(
        actor=actor,
        action=audit.Action.UPDATE,
        obj=combined,
        object_repr=combined.reference_no,
        changes={"combined_from": [p.reference_no for p in parts], "level": level},
    )
    return combined


def ethics_officers(item: ClassifiedItem) -> list[User]:
    """The ethics office covering the item's unit."""
    assignments = RoleAssignment.objects.filter(
        role=Role.ETHICS_OFFICER, unit__agency_id=item.agency_id
    ).select_related("user", "unit")
    return [a.user for a in assignments if item.unit.path.startswith(a.unit.path) and a.user.is_active]
