"""Writes on register items: registering (proposed or decided), deciding a proposal, level changes and
declassification, combining, need-to-know grants, destruction, views of restricted content, inventory checks.
Each in one transaction with its audit entry. Audit entries name items by reference number, never by title.
Copy/take-out requests and transfers are in custody.py."""

from datetime import date, datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, write_service
from anwei.accounts.models import AccessGrant, User
from anwei.accounts.roles import Role
from anwei.audit import services as audit
from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.core.rocdate import roc_year
from anwei.directory.models import Unit
from anwei.notifications.services import notify

from . import auditing, policies, rules, storage
from .models import ClassifiedItem, DestructionRecord, InventoryCheck, LevelChange
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


def _refuse_while_out(item: ClassifiedItem) -> None:
    if item.status == ClassifiedItem.Status.ON_LOAN:
        raise BusinessRuleError(_("This item is out on loan; record its return first."), code="item_state")
    if item.status == ClassifiedItem.Status.IN_TRANSIT:
        raise BusinessRuleError(_("This item is in transit; wait until its receipt is confirmed."), code="item_state")


def _ref(item: ClassifiedItem) -> str:
    return item.reference_no


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
        object_repr=_ref(item),
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
        _refuse_while_out(item)
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
def move(
    *, actor: Actor, item: ClassifiedItem, storage_location: str, outside_premises: bool = False
) -> ClassifiedItem:
    """The custodian records where the item is kept now, and whether that is outside the agency's premises (only on
    an approved take-out). The custodian's supervisors and the ethics office are told of every change."""
    item = locked(item)
    if item.custodian_id != actor.user_id:
        raise NotAllowed()
    if item.status in GONE:
        raise BusinessRuleError(_("This item is no longer classified here."))
    if item.status == ClassifiedItem.Status.IN_TRANSIT:
        _refuse_while_out(item)
    if not storage_location.strip():
        raise BusinessRuleError(_("Name the storage location."), field="storage_location")
    storage.check_place(item, outside_premises=outside_premises)
    before = auditing.snapshot(item, ["storage_location", "storage_outside_premises"])
    was = (item.storage_location, item.storage_outside_premises)
    item.storage_location = storage_location.strip()[:120]
    item.storage_outside_premises = outside_premises
    if (item.storage_location, item.storage_outside_premises) == was:
        return item
    item.save(update_fields=["storage_location", "storage_outside_premises"])
    auditing.record_update(actor=actor, item=item, before=before)
    storage.tell_of_move(item=item, ethics=ethics_officers(item))
    return item


def copy_holders(item: ClassifiedItem) -> list[User]:
    return [
        c.custodian for c in item.copies.exclude(status=ClassifiedItem.Status.DESTROYED).select_related("custodian")
    ]


@write_service
@transaction.atomic
def change_level(
    *,
    actor: Actor,
    item: ClassifiedItem,
    reason: str,
    authority: str,
    to_level: str = "",
    declassify: bool = False,
    protection_until: date | None = None,
) -> LevelChange:
    """Change the level or declassify (變更/解除機密): recorded with reason and authority; copies follow and their
    holders are notified."""
    if not policies.items.can(actor, "classified.decide", item):
        raise NotAllowed()
    item = locked(item)
    if item.is_copy:
        raise BusinessRuleError(_("Change the original's level; its copies follow."))
    if item.status in (*GONE, ClassifiedItem.Status.DECLASSIFIED):
        raise BusinessRuleError(_("This item is no longer classified here."))
    if not reason.strip():
        raise BusinessRuleError(_("Give the reason."), field="reason")
    if not authority.strip():
        raise BusinessRuleError(_("Name the authority who decided."), field="authority")
    if declassify:
        _refuse_while_out(item)  # a return or a receipt would put it back "in custody"
    else:
        if to_level not in Level.values or to_level == item.level:
            raise BusinessRuleError(_("Choose a different level."), field="to_level")
        # the period still counts from the original classification date (第11條第3項)
        until = protection_until if protection_until is not None else item.protection_until
        check_protection(
            level=to_level,
            classified_on=item.classified_on,
            protection_until=until,
            condition=item.declassification_condition,
        )
    change = LevelChange.objects.create(
        item=item,
        from_level=item.level,
        to_level="" if declassify else to_level,
        declassified=declassify,
        reason=reason.strip(),
        authority=authority.strip(),
        decided_by=signed_in(actor),
    )
    family = [item, *item.copies.exclude(status=ClassifiedItem.Status.DESTROYED)]
    for member in family:
        before = auditing.snapshot(member, ITEM_FIELDS)
        if declassify:
            member.status = ClassifiedItem.Status.DECLASSIFIED
        else:
            member.level = to_level
            if protection_until is not None:
                member.protection_until = protection_until
        member.save(update_fields=["status", "level", "protection_until"])
        auditing.record_update(actor=actor, item=member, before=before)
    holders = copy_holders(item)
    if holders:
        subject = (
            _("Declassified: %(ref)s") % {"ref": item.reference_no}
            if declassify
            else _("Level changed: %(ref)s is now %(mark)s")
            % {"ref": item.reference_no, "mark": rules.MARK[Level(to_level)]}
        )
        notify(
            people=holders,
            subject=subject,
            body=_("Strike through the old marking on your copy and mark it as recorded on the change form."),
            source=item,
            key=f"classified-level-change-{change.pk}",
            url=f"/classified/items/{item.pk}/",
        )
    return change


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
        object_repr=_ref(combined),
        changes={"combined_from": [p.reference_no for p in parts], "level": level},
    )
    return combined


@write_service
@transaction.atomic
def grant_need_to_know(
    *, actor: Actor, item: ClassifiedItem, user: User, reason: str, expires_at: datetime | None = None
) -> AccessGrant:
    """A written, recorded need-to-know grant (第14條) by the custodian or an authorised supervisor — never to
    oneself: whoever may grant does not thereby see the item. An optional end (`expires_at`)."""
    if not policies.items.can(actor, "classified.grant", item):
        raise NotAllowed()
    if user.pk == actor.user_id:
        raise BusinessRuleError(
            _("You cannot grant need-to-know to yourself; another authorised person must grant it."), field="user"
        )
    if user.agency_id != item.agency_id or not user.is_active:
        raise BusinessRuleError(_("Unknown person."), field="user")
    if policies.items.can_read(user, item):
        raise BusinessRuleError(_("This person can already see the item."), field="user")
    if expires_at is not None and expires_at <= timezone.now():
        raise BusinessRuleError(_("The grant must end in the future."), field="expires_at")
    if not reason.strip():
        raise BusinessRuleError(_("A grant needs a reason."), field="reason")
    # as accounts.grant_access, but the reason is sealed on the audit log: it may describe the item
    grant = AccessGrant.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(ClassifiedItem),
        object_id=str(item.pk),
        reason=reason.strip()[:300],
        granted_by=signed_in(actor),
        expires_at=expires_at,
    )
    audit.record(
        actor=actor,
        action=audit.Action.GRANT,
        obj=item,
        object_repr=_ref(item),
        changes={
            "need_to_know": user.username,
            "grant": grant.pk,
            "reason": auditing.seal(grant.reason),
            "expires_at": expires_at,
        },
    )
    return grant


@write_service
@transaction.atomic
def revoke_need_to_know(*, actor: Actor, item: ClassifiedItem, grant: AccessGrant, reason: str) -> AccessGrant:
    """Withdraw a written grant, with the reason; recorded on the audit log like the grant."""
    if not policies.items.can(actor, "classified.grant", item):
        raise NotAllowed()
    grant = AccessGrant.objects.select_for_update().get(pk=grant.pk)
    if not AccessGrant.objects.for_object(item).filter(pk=grant.pk).exists():
        raise NotAllowed()
    if grant.revoked_at is not None or (grant.expires_at is not None and grant.expires_at <= timezone.now()):
        raise BusinessRuleError(_("This grant is no longer in force."))
    if not reason.strip():
        raise BusinessRuleError(_("Give the reason."), field="reason")
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor,
        action=audit.Action.REVOKE,
        obj=item,
        object_repr=_ref(item),
        changes={"need_to_know": grant.user.username, "grant": grant.pk, "reason": auditing.seal(reason.strip())},
    )
    return grant


@write_service
@transaction.atomic
def destroy(*, actor: Actor, item: ClassifiedItem, method: str, reason: str, witness: str = "") -> DestructionRecord:
    """Originals only after declassification (第15條第2項); copies at any time, with a record attached to the
    original (第18條)."""
    if not policies.items.can(actor, "classified.destroy", item):
        raise NotAllowed()
    item = locked(item)
    if item.status == ClassifiedItem.Status.DESTROYED:
        raise BusinessRuleError(_("This item has already been destroyed."))
    if not item.is_copy and item.status != ClassifiedItem.Status.DECLASSIFIED:
        raise BusinessRuleError(
            _("An original may be destroyed only after it is declassified (%(law)s).")
            % {"law": rules.rules_on(item.classified_on).citations["destruction"]}
        )
    if not method.strip():
        raise BusinessRuleError(_("Say how it was destroyed."), field="method")
    if not reason.strip():
        raise BusinessRuleError(_("Give the reason."), field="reason")
    record = DestructionRecord.objects.create(
        item=item,
        original=item.original,
        method=method.strip(),
        reason=reason.strip(),
        witness=witness.strip(),
        destroyed_by=signed_in(actor),
    )
    before = auditing.snapshot(item, ITEM_FIELDS)
    item.status = ClassifiedItem.Status.DESTROYED
    item.save(update_fields=["status"])
    auditing.record_update(actor=actor, item=item, before=before)
    return record


@write_service
@transaction.atomic
def record_inventory(
    *,
    actor: Actor,
    agency_id: int,
    storage_location: str,
    expected: list[ClassifiedItem],
    missing: list[ClassifiedItem],
    note: str = "",
) -> InventoryCheck:
    if not policies.items.can(actor, "classified.inventory"):
        raise NotAllowed()
    check = InventoryCheck.objects.create(
        agency_id=agency_id,
        storage_location=storage_location,
        checked_by=signed_in(actor),
        expected=len(expected),
        note=note,
    )
    check.missing.set(missing)
    audit.record(
        actor=actor,
        action=audit.Action.CREATE,
        obj=check,
        object_repr=_("inventory check"),
        changes={
            "location": auditing.seal(storage_location),
            "expected": len(expected),
            "missing": [m.reference_no for m in missing],
            "note": auditing.seal(note),
        },
    )
    if missing:
        notify(
            people=ethics_officers(missing[0]),
            subject=_("Inventory: %(n)s item(s) missing at %(place)s") % {"n": len(missing), "place": storage_location},
            body=", ".join(m.reference_no for m in missing),
            source=check,
            key=f"classified-inventory-{check.pk}",
            url="/classified/inventory/",
        )
    return check


def ethics_officers(item: ClassifiedItem) -> list[User]:
    """The ethics office covering the item's unit."""
    from anwei.accounts.models import RoleAssignment

    assignments = RoleAssignment.objects.filter(
        role=Role.ETHICS_OFFICER, unit__agency_id=item.agency_id
    ).select_related("user", "unit")
    return [a.user for a in assignments if item.unit.path.startswith(a.unit.path) and a.user.is_active]
