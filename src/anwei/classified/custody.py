"""Writes on custody: copy/photocopy/fax/take-out requests and their approval, numbered copies (複製物) and
returns; transfers with the methods allowed for the level, confirmed by both sides (outside the agency: the
returned receipt, recorded by someone other than the sender). The periodic checks are in alerts.py.

Where an item may be for each action (its status, and its open business); anything else is refused with a message:

    action                 item status      refused as well while
    request                in custody,      —
                           out on loan
    approve a copy         in custody       —
    approve a take-out     in custody       a transfer of it is open
    start a transfer       in custody       a transfer of it is open; a take-out of it is approved and not returned
    confirm sent           in custody       the sender no longer holds it; a take-out is approved and not returned
    confirm received       in transit       —
    record a take-out back out on loan      —

Every such write locks the item's row first and reads its status again, so two requests at once cannot both pass
(and the database allows one open transfer per item)."""

from datetime import date, datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, write_service
from anwei.accounts.models import User
from anwei.audit import services as audit
from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.directory.models import Unit
from anwei.notifications.services import notify

from . import approvals, auditing, policies, rules
from .models import ClassifiedItem, CustodyRequest, Transfer
from .services import locked, signed_in

Status = ClassifiedItem.Status

REQUEST, APPROVE_COPY, APPROVE_TAKE_OUT = "request", "approve_copy", "approve_take_out"
START_TRANSFER, CONFIRM_SENT, CONFIRM_RECEIVED, RETURN_TAKE_OUT = (
    "start_transfer",
    "confirm_sent",
    "confirm_received",
    "return_take_out",
)
ALLOWED_STATUS: dict[str, frozenset[str]] = {
    REQUEST: frozenset({Status.IN_CUSTODY, Status.ON_LOAN}),
    APPROVE_COPY: frozenset({Status.IN_CUSTODY}),
    APPROVE_TAKE_OUT: frozenset({Status.IN_CUSTODY}),
    START_TRANSFER: frozenset({Status.IN_CUSTODY}),
    CONFIRM_SENT: frozenset({Status.IN_CUSTODY}),
    CONFIRM_RECEIVED: frozenset({Status.IN_TRANSIT}),
    RETURN_TAKE_OUT: frozenset({Status.ON_LOAN}),
}


def _status_refusal(status: str) -> str:
    refusals: dict[str, str] = {
        Status.ON_LOAN: _("This item is out on loan; record its return first."),
        Status.IN_TRANSIT: _("This item is in transit; wait until its receipt is confirmed."),
        Status.IN_CUSTODY: _("This item is in custody, not out."),
        Status.TRANSFERRED: _("This item has left the agency."),
        Status.DECLASSIFIED: _("This item is declassified."),
        Status.DESTROYED: _("This item has been destroyed."),
    }
    return refusals.get(status, _("This item is not in custody here."))


def open_transfer(item: ClassifiedItem) -> Transfer | None:
    return Transfer.objects.filter(item_id=item.pk, received_at__isnull=True, cancelled_at__isnull=True).first()


def outstanding_take_out(item: ClassifiedItem) -> CustodyRequest | None:
    return CustodyRequest.objects.filter(
        item_id=item.pk, kind=CustodyRequest.Kind.TAKE_OUT, status=CustodyRequest.Status.APPROVED
    ).first()


def require_state(item: ClassifiedItem, action: str) -> None:
    """Refuse `action` unless the item is where the table above allows it."""
    if item.status not in ALLOWED_STATUS[action]:
        raise BusinessRuleError(_status_refusal(item.status), code="item_state")
    if action in (APPROVE_TAKE_OUT, START_TRANSFER) and open_transfer(item) is not None:
        raise BusinessRuleError(
            _("A transfer of this item is open; it must be received or cancelled first."), code="item_state"
        )
    if action in (START_TRANSFER, CONFIRM_SENT) and outstanding_take_out(item) is not None:
        raise BusinessRuleError(
            _("A take-out of this item is approved and not returned; record its return first."), code="item_state"
        )


def copy_refusal(item: ClassifiedItem) -> str:
    """The legal reason an item may not be copied, or ""."""
    ruleset = rules.rules_on(item.classified_on)
    if not ruleset.level(item.level).may_copy:
        return _("%(mark)s may not be copied, photocopied or faxed (%(law)s).") % {
            "mark": item.mark,
            "law": ruleset.citations["no_copy"],
        }
    return ""


@write_service
@transaction.atomic
def request(
    *,
    actor: Actor,
    item: ClassifiedItem,
    kind: str,
    purpose: str,
    copies: int = 1,
    due_back: datetime | None = None,
) -> CustodyRequest:
    """Ask to copy, photocopy, fax or take out an item. Copying 絕對機密 is refused by rule, with its reason."""
    if not policies.items.can(actor, policies.REQUEST, item):
        raise NotAllowed()
    if kind not in CustodyRequest.Kind.values:
        raise BusinessRuleError(_("Unknown kind of request."), field="kind")
    require_state(item, REQUEST)
    if kind in CustodyRequest.COPYING:
        reason = copy_refusal(item)
        if reason:
            raise BusinessRuleError(reason, field="kind", code="copy_forbidden")
        if item.is_copy:
            raise BusinessRuleError(_("Copy the original, not a copy."), field="kind")
    if not purpose.strip():
        raise BusinessRuleError(_("Give the purpose."), field="purpose")
    if kind in (CustodyRequest.Kind.COPY, CustodyRequest.Kind.PHOTOCOPY) and not 1 <= copies <= 50:
        raise BusinessRuleError(_("Between 1 and 50 copies."), field="copies")
    if kind in (CustodyRequest.Kind.TAKE_OUT, CustodyRequest.Kind.COPY, CustodyRequest.Kind.PHOTOCOPY):
        if due_back is None:
            raise BusinessRuleError(_("Say when it comes back."), field="due_back")
        if due_back <= timezone.now():
            raise BusinessRuleError(_("The return must be in the future."), field="due_back")
    req = CustodyRequest.objects.create(
        item=item,
        kind=kind,
        requester=signed_in(actor),
        purpose=purpose.strip(),
        copies=copies if kind in (CustodyRequest.Kind.COPY, CustodyRequest.Kind.PHOTOCOPY) else 1,
        due_back=due_back,
    )
    audit.record(
        actor=actor,
        action=audit.Action.CREATE,
        obj=req,
        object_repr=str(req),
        changes={"kind": kind, "copies": req.copies, "purpose": req.purpose, "due_back": due_back},
    )
    approvals.tell_approvers(req)
    return req


@write_service
@transaction.atomic
def decide(*, actor: Actor, req: CustodyRequest, approve: bool, note: str = "") -> list[ClassifiedItem]:
    """An authorised supervisor of the owning unit approves or refuses (never their own request). Approving a
    copy makes numbered copies (複製物) listed on the original; approving a take-out puts the item on loan."""
    if req.requester_id == actor.user_id:
        raise NotAllowed(_("You cannot approve your own request."))
    if not policies.requests.can(actor, "classified.approve", req):
        raise NotAllowed()
    req = CustodyRequest.objects.select_for_update().get(pk=req.pk)
    if req.status != CustodyRequest.Status.PENDING:
        raise BusinessRuleError(_("This request has already been decided."))
    item = locked(req.item)
    made: list[ClassifiedItem] = []
    if approve:
        require_state(item, APPROVE_COPY if req.kind in CustodyRequest.COPYING else APPROVE_TAKE_OUT)
        if req.kind in CustodyRequest.COPYING and copy_refusal(item):
            raise BusinessRuleError(copy_refusal(item), code="copy_forbidden")
    req.status = CustodyRequest.Status.APPROVED if approve else CustodyRequest.Status.REFUSED
    req.decided_by, req.decided_at, req.decision_note = actor.user, timezone.now(), note.strip()[:300]
    req.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit.record(
        actor=actor,
        action=audit.Action.UPDATE,
        obj=req,
        object_repr=str(req),
        changes={"status": [CustodyRequest.Status.PENDING, req.status], "note": req.decision_note},
    )
    if approve and req.kind in CustodyRequest.COPYING:
        made = _make_copies(actor=actor, req=req)
    elif approve and req.kind == CustodyRequest.Kind.TAKE_OUT:
        before = auditing.snapshot(item, ["status"])
        item.status = Status.ON_LOAN
        item.save(update_fields=["status"])
        auditing.record_update(actor=actor, item=item, before=before)
    notify(
        people=[req.requester],
        subject=(_("Approved: %(req)s") if approve else _("Refused: %(req)s")) % {"req": str(req)},
        body=req.decision_note,
        source=req,
        key=f"classified-request-decided-{req.pk}",
        url=f"/classified/items/{item.pk}/",
    )
    return made


def _make_copies(*, actor: Actor, req: CustodyRequest) -> list[ClassifiedItem]:
    """Numbered copies with the original's level and period, marked 複製物 (第18條); a fax makes one copy held by
    the requester with no return."""
    original = req.item
    start = (original.copies.aggregate(n=Max("copy_number"))["n"] or 0) + 1
    made = []
    for number in range(start, start + req.copies):
        copy = ClassifiedItem.objects.create(
            agency_id=original.agency_id,
            unit=original.unit,
            reference_no=f"{original.reference_no}-複{number}",
            kind=original.kind,
            title=original.title,
            content=original.content,
            level=original.level,
            classified_on=original.classified_on,
            protection_until=original.protection_until,
            declassification_condition=original.declassification_condition,
            classifying_authority=original.classifying_authority,
            proposed=original.proposed,
            decided_at=original.decided_at,
            decided_by=original.decided_by,
            custodian=req.requester,
            storage_location=req.requester.display_name,  # held by the requester
            status=Status.ON_LOAN if req.due_back else Status.IN_CUSTODY,
            original=original,
            copy_number=number,
            copy_request=req,
            due_back=req.due_back if req.kind != CustodyRequest.Kind.FAX else None,
            created_by=actor.user,
        )
        audit.record(
            actor=actor,
            action=audit.Action.CREATE,
            obj=copy,
            changes={"copy_of": original.reference_no, "copy_number": number, "request": req.pk},
        )
        made.append(copy)
    return made


@write_service
@transaction.atomic
def return_copy(*, actor: Actor, copy: ClassifiedItem, storage_location: str = "") -> ClassifiedItem:
    """The custodian of the original records that a copy came back (and where it is kept now)."""
    copy = locked(copy)
    original = copy.original
    if original is None or original.custodian_id != actor.user_id:
        raise NotAllowed()
    if copy.returned_at is not None or copy.status == Status.DESTROYED:
        raise BusinessRuleError(_("This copy is already back."))
    before = auditing.snapshot(copy, ["status", "custodian_id", "storage_location", "returned_at"])
    copy.returned_at = timezone.now()
    if copy.status == Status.ON_LOAN:  # a copy declassified meanwhile stays declassified
        copy.status = Status.IN_CUSTODY
    copy.custodian = original.custodian
    copy.storage_location = storage_location.strip() or original.storage_location
    copy.save(update_fields=["returned_at", "status", "custodian", "storage_location"])
    auditing.record_update(actor=actor, item=copy, before=before)
    _close_if_all_back(copy.copy_request)
    return copy


def _close_if_all_back(req: CustodyRequest | None) -> None:
    if (
        req is not None
        and not req.made_copies.filter(returned_at__isnull=True).exclude(status=Status.DESTROYED).exists()
    ):
        CustodyRequest.objects.filter(pk=req.pk).update(
            status=CustodyRequest.Status.RETURNED, returned_at=timezone.now()
        )


@write_service
@transaction.atomic
def return_take_out(*, actor: Actor, req: CustodyRequest) -> CustodyRequest:
    if not policies.requests.can(actor, "classified.return", req):
        raise NotAllowed()
    req = CustodyRequest.objects.select_for_update().get(pk=req.pk)
    if req.kind != CustodyRequest.Kind.TAKE_OUT or req.status != CustodyRequest.Status.APPROVED:
        raise BusinessRuleError(_("Nothing is out on this request."))
    item = locked(req.item)
    require_state(item, RETURN_TAKE_OUT)
    req.status, req.returned_at = CustodyRequest.Status.RETURNED, timezone.now()
    req.save(update_fields=["status", "returned_at"])
    before = auditing.snapshot(item, ["status"])
    item.status = Status.IN_CUSTODY
    item.save(update_fields=["status"])
    audit.record(actor=actor, action=audit.Action.UPDATE, obj=req, changes={"status": ["approved", "returned"]})
    auditing.record_update(actor=actor, item=item, before=before)
    return req


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


@write_service
@transaction.atomic
def confirm_sent(*, actor: Actor, transfer: Transfer) -> Transfer:
    """The sender confirms it left: only while the item is still in their custody and not out on a take-out."""
    if not policies.transfers.can(actor, "classified.confirm_sent", transfer):
        raise NotAllowed()
    transfer = _locked_transfer(transfer)
    if transfer.cancelled_at is not None:
        raise BusinessRuleError(_("This transfer was cancelled."))
    if transfer.sent_at is not None:
        raise BusinessRuleError(_("Already confirmed as sent."))
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
    if not policies.transfers.can(actor, "classified.confirm_sent", transfer):
        raise NotAllowed()
    transfer = _locked_transfer(transfer)
    if transfer.cancelled_at is not None:
        raise BusinessRuleError(_("This transfer was cancelled."))
    if transfer.sent_at is not None:
        raise BusinessRuleError(_("It has been sent already; only a transfer not yet sent can be cancelled."))
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
