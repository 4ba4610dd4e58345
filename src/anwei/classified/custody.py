"""Writes on custody: copy/photocopy/fax/take-out requests and their approval, numbered copies (複製物) and
returns — and the table of where an item may be for each custody action, which transfers.py (transfers with the
methods allowed for the level) follows too. The periodic checks are in alerts.py.

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

from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, write_service
from anwei.audit import services as audit
from anwei.core.errors import BusinessRuleError, NotAllowed
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
