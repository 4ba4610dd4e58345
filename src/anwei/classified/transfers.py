"""Writes on transfers (移交): the custodian hands an item over by a method allowed for its level inside or outside
the agency, confirmed by both sides — outside the agency by the returned receipt (回執), recorded by someone other
than the sender — or withdrawn before it leaves. Where the item may be for each step is custody.py's table."""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, write_service
from anwei.accounts.models import User
from anwei.audit import services as audit
from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.directory.models import Unit
from anwei.notifications.services import notify

from . import auditing, policies, rules
from .custody import CONFIRM_RECEIVED, CONFIRM_SENT, START_TRANSFER, require_state
from .models import ClassifiedItem, Transfer
from .services import locked, signed_in

Status = ClassifiedItem.Status


def allowed_methods(item: ClassifiedItem, *, external: bool) -> tuple[str, ...]:
    rule = rules.rules_on(item.classified_on).level(item.level)
    return rule.external_methods if external else rule.internal_methods


def _check_recipient(
    item: ClassifiedItem, actor: Actor, to_user: User | None, to_unit: Unit | None, outside: str
) -> None:
    if not outside and to_user is None:
        raise BusinessRuleError(_("Choose the recipient."), field="to_user")
    if outside and to_user is not None:
        raise BusinessRuleError(_("Choose a person inside the agency or name one outside, not both."), field="to_user")
    if outside and to_unit is not None:
        raise BusinessRuleError(_("A recipient outside the agency has no unit of ours."), field="to_unit")
    if to_user is not None:
        if to_user.pk == actor.user_id:
            raise BusinessRuleError(_("You already hold this item."), field="to_user")
        if to_user.agency_id != item.agency_id or not to_user.is_active:
            raise BusinessRuleError(_("Unknown person."), field="to_user")
    if to_unit is not None and (to_unit.agency_id != item.agency_id or not to_unit.active):
        raise BusinessRuleError(_("Unknown unit."), field="to_unit")


@write_service
@transaction.atomic
def start_transfer(
    *,
    actor: Actor,
    item: ClassifiedItem,
    method: str,
    expected_by: datetime,
    to_user: User | None = None,
    to_unit: Unit | None = None,
    outside_recipient: str = "",
) -> Transfer:
    """The custodian hands the item over by a method allowed for its level inside or outside the agency. One open
    transfer at a time, and none while the item is out."""
    if not policies.items.can(actor, policies.TRANSFER, item):
        raise NotAllowed()
    item = locked(item)
    if item.custodian_id != actor.user_id:
        raise NotAllowed()
    require_state(item, START_TRANSFER)
    outside = outside_recipient.strip()
    _check_recipient(item, actor, to_user, to_unit, outside)
    external = bool(outside)
    allowed = allowed_methods(item, external=external)
    if method not in allowed:
        names = "、".join(str(rules.TransferMethod(m).label) for m in allowed)
        raise BusinessRuleError(
            _("%(mark)s may travel %(where)s only by: %(methods)s.")
            % {
                "mark": item.mark,
                "where": _("outside the agency") if external else _("inside the agency"),
                "methods": names,
            },
            field="method",
        )
    if expected_by <= timezone.now():
        raise BusinessRuleError(_("The expected time must be in the future."), field="expected_by")
    if to_unit is None and to_user is not None:
        person = to_user.person if to_user.person_id else None
        to_unit = person.unit if person is not None and person.unit_id else None
    transfer = Transfer.objects.create(
        item=item,
        from_user=signed_in(actor),
        to_user=to_user,
        to_unit=to_unit,
        outside_recipient=outside,
        method=method,
        expected_by=expected_by,
    )
    audit.record(
        actor=actor,
        action=audit.Action.CREATE,
        obj=transfer,
        changes={
            "method": method,
            "to_user": to_user and to_user.pk,
            "to_unit": to_unit and to_unit.pk,
            "outside": transfer.outside_recipient,
        },
    )
    return transfer


def _locked_transfer(transfer: Transfer) -> Transfer:
    return Transfer.objects.select_for_update().get(pk=transfer.pk)


def _unsent(actor: Actor, transfer: Transfer, *, sent: str) -> Transfer:
    """The transfer locked, for its sender, while it is neither cancelled nor sent (`sent`: the refusal after)."""
    if not policies.transfers.can(actor, "classified.confirm_sent", transfer):
        raise NotAllowed()
    transfer = _locked_transfer(transfer)
    if transfer.cancelled_at is not None:
        raise BusinessRuleError(_("This transfer was cancelled."))
    if transfer.sent_at is not None:
        raise BusinessRuleError(sent)
    return transfer


@write_service
@transaction.atomic
def confirm_sent(*, actor: Actor, transfer: Transfer) -> Transfer:
    """The sender confirms it left: only while the item is still in their custody and not out on a take-out."""
    transfer = _unsent(actor, transfer, sent=_("Already confirmed as sent."))
    item = locked(transfer.item)
    if item.custodian_id != transfer.from_user_id:
        raise BusinessRuleError(_("The sender no longer holds this item."), code="item_state")
    require_state(item, CONFIRM_SENT)
    transfer.sent_at = timezone.now()
    transfer.save(update_fields=["sent_at"])
    before = auditing.snapshot(item, ["status"])
    item.status = Status.IN_TRANSIT
    item.save(update_fields=["status"])
    audit.record(actor=actor, action=audit.Action.UPDATE, obj=transfer, changes={"sent_at": transfer.sent_at})
    auditing.record_update(actor=actor, item=item, before=before)
    if transfer.to_user_id:
        notify(
            people=[transfer.to_user],
            subject=_("A classified item is on its way to you: %(ref)s") % {"ref": item.reference_no},
            body=_("Confirm receipt in Anwei when it reaches you."),
            source=transfer,
            key=f"classified-transfer-sent-{transfer.pk}",
            url="/classified/queue/",
        )
    return transfer


def _check_receipt(transfer: Transfer, receipt_no: str, receipt_date: date | None, signed_by: str) -> None:
    """Outside the agency, the returned receipt (回執): its number, the day it was signed and who signed it."""
    if not receipt_no.strip():
        raise BusinessRuleError(_("Give the number of the returned receipt."), field="receipt_no")
    if not signed_by.strip():
        raise BusinessRuleError(_("Name who signed the returned receipt."), field="receipt_signed_by")
    if receipt_date is None:
        raise BusinessRuleError(_("Give the day the receipt was signed."), field="receipt_date")
    sent = timezone.localdate(transfer.sent_at) if transfer.sent_at else None
    if receipt_date > timezone.localdate() or (sent is not None and receipt_date < sent):
        raise BusinessRuleError(
            _("The receipt must be signed between the day it was sent and today."), field="receipt_date"
        )


@write_service
@transaction.atomic
def confirm_received(
    *,
    actor: Actor,
    transfer: Transfer,
    receipt_no: str = "",
    receipt_date: date | None = None,
    receipt_signed_by: str = "",
) -> Transfer:
    """The recipient confirms; custody moves to them. Outside the agency the sender cannot confirm their own
    transfer: the returned receipt is recorded by the custodian's supervisor or the ethics office, and the item
    leaves the register."""
    if not policies.transfers.can(actor, "classified.confirm_received", transfer):
        raise NotAllowed()
    transfer = _locked_transfer(transfer)
    if transfer.cancelled_at is not None:
        raise BusinessRuleError(_("This transfer was cancelled."))
    if transfer.sent_at is None:
        raise BusinessRuleError(_("The sender has not confirmed sending yet."))
    if transfer.received_at is not None:
        raise BusinessRuleError(_("Already confirmed as received."))
    item = locked(transfer.item)
    require_state(item, CONFIRM_RECEIVED)
    fields = ["received_at", "received_by"]
    if transfer.is_external:
        _check_receipt(transfer, receipt_no, receipt_date, receipt_signed_by)
        transfer.receipt_no, transfer.receipt_date = receipt_no.strip()[:60], receipt_date
        transfer.receipt_signed_by = receipt_signed_by.strip()[:80]
        fields += ["receipt_no", "receipt_date", "receipt_signed_by"]
    transfer.received_at, transfer.received_by = timezone.now(), actor.user
    transfer.save(update_fields=fields)
    before = auditing.snapshot(item, ["status", "custodian_id", "storage_location"])
    if transfer.is_external:
        item.status = Status.TRANSFERRED
    else:
        item.status = Status.IN_CUSTODY
        item.custodian = transfer.to_user  # type: ignore[assignment]  # a transfer inside the agency names its recipient
        item.storage_location = transfer.to_user.display_name  # type: ignore[union-attr]  # until they file it
    item.save(update_fields=["status", "custodian", "storage_location"])
    audit.record(
        actor=actor,
        action=audit.Action.UPDATE,
        obj=transfer,
        changes={"received_at": transfer.received_at, **{f: getattr(transfer, f) for f in fields[2:]}},
    )
    auditing.record_update(actor=actor, item=item, before=before)
    return transfer


@write_service
@transaction.atomic
def cancel_transfer(*, actor: Actor, transfer: Transfer, reason: str) -> Transfer:
    """The sender withdraws a transfer that has not left yet (a wrong recipient or method), with the reason."""
    transfer = _unsent(
        actor, transfer, sent=_("It has been sent already; only a transfer not yet sent can be cancelled.")
    )
    if not reason.strip():
        raise BusinessRuleError(_("Give the reason."), field="reason")
    transfer.cancelled_at, transfer.cancel_reason = timezone.now(), reason.strip()[:300]
    transfer.save(update_fields=["cancelled_at", "cancel_reason"])
    audit.record(
        actor=actor,
        action=audit.Action.UPDATE,
        obj=transfer,
        changes={"cancelled_at": transfer.cancelled_at, "reason": transfer.cancel_reason},
    )
    return transfer
