"""Writes that change or end an item's classification: a level change or declassification (變更/解除機密), which
the copies follow and their holders are told of, and destruction (銷毀) — of an original only once it is declassified,
of a copy at any time. Each in one transaction with its audit entry."""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, write_service
from anwei.accounts.models import User
from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.notifications.services import notify

from . import auditing, policies, rules
from .models import ClassifiedItem, DestructionRecord, LevelChange
from .rules import Level
from .services import GONE, ITEM_FIELDS, check_protection, locked, refuse_while_out, signed_in


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
        refuse_while_out(item)  # a return or a receipt would put it back "in custody"
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
