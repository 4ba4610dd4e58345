"""Writes on custody: copy/photocopy/fax/take-out requests and their approval, numbered copies (複製物) and
returns; transfers with the methods allowed for the level, confirmed by both sides; and the periodic checks
for overdue returns, unconfirmed transfers and undecided proposals."""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.accounts.models import User
from anwei.audit import services as audit
from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.core.rocdate import format_datetime
from anwei.directory.models import Unit
from anwei.notifications.services import notify

from . import policies, rules
from .models import ClassifiedItem, CustodyRequest, Transfer
from .services import GONE, ethics_officers

Status = ClassifiedItem.Status


def _usable(item: ClassifiedItem) -> None:
    if item.status in (*GONE, Status.DECLASSIFIED, Status.IN_TRANSIT):
        raise BusinessRuleError(_("This item is not in custody here."))


def copy_refusal(item: ClassifiedItem) -> str:
    """The legal reason an item may not be copied, or ""."""
    ruleset = rules.rules_on(item.classified_on)
    if not ruleset.level(item.level).may_copy:
        return _("%(mark)s may not be copied, photocopied or faxed (%(law)s).") % {
            "mark": item.mark,
            "law": ruleset.citations["no_copy"],
        }
    return ""


@transaction.atomic
def request(
    *,
    actor: Any,
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
    _usable(item)
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
        requester=actor,
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
    return req


@transaction.atomic
def decide(*, actor: Any, req: CustodyRequest, approve: bool, note: str = "") -> list[ClassifiedItem]:
    """An authorised supervisor of the owning unit approves or refuses (never their own request). Approving a
    copy makes numbered copies (複製物) listed on the original; approving a take-out puts the item on loan."""
    if req.requester_id == getattr(actor, "pk", None):
        raise NotAllowed(_("You cannot approve your own request."))
    if not policies.requests.can(actor, "classified.approve", req):
        raise NotAllowed()
    if req.status != CustodyRequest.Status.PENDING:
        raise BusinessRuleError(_("This request has already been decided."))
    item = req.item
    made: list[ClassifiedItem] = []
    if approve:
        _usable(item)
        if req.kind in CustodyRequest.COPYING and copy_refusal(item):
            raise BusinessRuleError(copy_refusal(item), code="copy_forbidden")
    req.status = CustodyRequest.Status.APPROVED if approve else CustodyRequest.Status.REFUSED
    req.decided_by, req.decided_at, req.decision_note = actor, timezone.now(), note.strip()[:300]
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
        item.status = Status.ON_LOAN
        item.save(update_fields=["status"])
        audit.record(actor=actor, action=audit.Action.UPDATE, obj=item, changes={"status": ["in_custody", "on_loan"]})
    notify(
        people=[req.requester],
        subject=(_("Approved: %(req)s") if approve else _("Refused: %(req)s")) % {"req": str(req)},
        body=req.decision_note,
        source=req,
        key=f"classified-request-decided-{req.pk}",
        url=f"/classified/items/{item.pk}/",
    )
    return made


def _make_copies(*, actor: Any, req: CustodyRequest) -> list[ClassifiedItem]:
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
            created_by=actor,
        )
        audit.record(
            actor=actor,
            action=audit.Action.CREATE,
            obj=copy,
            changes={"copy_of": original.reference_no, "copy_number": number, "request": req.pk},
        )
        made.append(copy)
    return made


@transaction.atomic
def return_copy(*, actor: Any, copy: ClassifiedItem, storage_location: str = "") -> ClassifiedItem:
    """The custodian of the original records that a copy came back (and where it is kept now)."""
    original = copy.original
    if original is None or original.custodian_id != getattr(actor, "pk", None):
        raise NotAllowed()
    if copy.returned_at is not None or copy.status == Status.DESTROYED:
        raise BusinessRuleError(_("This copy is already back."))
    before = audit.snapshot(copy, ["status", "custodian_id", "storage_location", "returned_at"])
    copy.returned_at = timezone.now()
    copy.status = Status.IN_CUSTODY
    copy.custodian = original.custodian
    copy.storage_location = storage_location.strip() or original.storage_location
    copy.save(update_fields=["returned_at", "status", "custodian", "storage_location"])
    audit.record_update(actor=actor, obj=copy, before=before)
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


@transaction.atomic
def return_take_out(*, actor: Any, req: CustodyRequest) -> CustodyRequest:
    if not policies.requests.can(actor, "classified.return", req):
        raise NotAllowed()
    if req.kind != CustodyRequest.Kind.TAKE_OUT or req.status != CustodyRequest.Status.APPROVED:
        raise BusinessRuleError(_("Nothing is out on this request."))
    req.status, req.returned_at = CustodyRequest.Status.RETURNED, timezone.now()
    req.save(update_fields=["status", "returned_at"])
    item = req.item
    item.status = Status.IN_CUSTODY
    item.save(update_fields=["status"])
    audit.record(actor=actor, action=audit.Action.UPDATE, obj=req, changes={"status": ["approved", "returned"]})
    return req


def allowed_methods(item: ClassifiedItem, *, external: bool) -> tuple[str, ...]:
    rule = rules.rules_on(item.classified_on).level(item.level)
    return rule.external_methods if external else rule.internal_methods


@transaction.atomic
def start_transfer(
    *,
    actor: Any,
    item: ClassifiedItem,
    method: str,
    expected_by: datetime,
    to_user: User | None = None,
    to_unit: Unit | None = None,
    outside_recipient: str = "",
) -> Transfer:
    """The custodian hands the item over by a method allowed for its level inside or outside the agency."""
    if not policies.items.can(actor, policies.TRANSFER, item):
        raise NotAllowed()
    _usable(item)
    if item.status == Status.ON_LOAN:
        raise BusinessRuleError(_("This item is out on loan."))
    external = bool(outside_recipient.strip())
    if not external and to_user is None:
        raise BusinessRuleError(_("Choose the recipient."), field="to_user")
    if external and to_user is not None:
        raise BusinessRuleError(_("Choose a person inside the agency or name one outside, not both."), field="to_user")
    if to_user is not None and to_user.pk == actor.pk:
        raise BusinessRuleError(_("You already hold this item."), field="to_user")
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
    transfer = Transfer.objects.create(
        item=item,
        from_user=actor,
        to_user=to_user,
        to_unit=to_unit or (getattr(getattr(to_user, "person", None), "unit", None) if to_user else None),
        outside_recipient=outside_recipient.strip(),
        method=method,
        expected_by=expected_by,
    )
    audit.record(
        actor=actor,
        action=audit.Action.CREATE,
        obj=transfer,
        changes={"method": method, "to_user": to_user and to_user.pk, "outside": transfer.outside_recipient},
    )
    return transfer


@transaction.atomic
def confirm_sent(*, actor: Any, transfer: Transfer) -> Transfer:
    if not policies.transfers.can(actor, "classified.confirm_sent", transfer):
        raise NotAllowed()
    if transfer.sent_at is not None:
        raise BusinessRuleError(_("Already confirmed as sent."))
    transfer.sent_at = timezone.now()
    transfer.save(update_fields=["sent_at"])
    item = transfer.item
    item.status = Status.IN_TRANSIT
    item.save(update_fields=["status"])
    audit.record(actor=actor, action=audit.Action.UPDATE, obj=transfer, changes={"sent_at": transfer.sent_at})
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


@transaction.atomic
def confirm_received(*, actor: Any, transfer: Transfer) -> Transfer:
    """The recipient confirms; custody moves to them (or, outside the agency, the item leaves the register)."""
    if not policies.transfers.can(actor, "classified.confirm_received", transfer):
        raise NotAllowed()
    if transfer.sent_at is None:
        raise BusinessRuleError(_("The sender has not confirmed sending yet."))
    if transfer.received_at is not None:
        raise BusinessRuleError(_("Already confirmed as received."))
    transfer.received_at, transfer.received_by = timezone.now(), actor
    transfer.save(update_fields=["received_at", "received_by"])
    item = transfer.item
    before = audit.snapshot(item, ["status", "custodian_id", "storage_location"])
    if transfer.is_external:
        item.status = Status.TRANSFERRED
    else:
        item.status = Status.IN_CUSTODY
        item.custodian = transfer.to_user  # type: ignore[assignment]
        item.storage_location = transfer.to_user.display_name  # type: ignore[union-attr]  # until they file it
    item.save(update_fields=["status", "custodian", "storage_location"])
    audit.record(actor=actor, action=audit.Action.UPDATE, obj=transfer, changes={"received_at": transfer.received_at})
    audit.record_update(actor=actor, obj=item, before=before)
    return transfer


# ---- periodic checks (tasks.py) -------------------------------------------------------------------------


def alert_overdue_returns(now: datetime | None = None) -> int:
    """Copies and take-outs past their return time: alert the custodian and the ethics office (once each)."""
    now = now or timezone.now()
    sent = 0
    copies = ClassifiedItem.objects.filter(
        original__isnull=False, returned_at__isnull=True, due_back__lt=now, status=Status.ON_LOAN
    ).select_related("original__custodian", "original__unit", "custodian")
    for copy in copies:
        original = copy.original
        assert original is not None
        sent += _overdue(copy, original, copy.custodian, copy.due_back, f"classified-overdue-copy-{copy.pk}")
    outs = CustodyRequest.objects.filter(
        kind=CustodyRequest.Kind.TAKE_OUT, status=CustodyRequest.Status.APPROVED, due_back__lt=now
    ).select_related("item__custodian", "item__unit", "requester")
    for req in outs:
        sent += _overdue(req.item, req.item, req.requester, req.due_back, f"classified-overdue-out-{req.pk}")
    return sent


def _overdue(thing: ClassifiedItem, original: ClassifiedItem, holder: User, due: Any, key: str) -> int:
    with transaction.atomic():
        created = notify(
            people=[original.custodian, *ethics_officers(original)],
            subject=_("Overdue return: %(ref)s") % {"ref": thing.reference_no},
            body=_("%(ref)s (%(mark)s) held by %(holder)s was due back %(due)s.")
            % {
                "ref": thing.reference_no,
                "mark": thing.mark,
                "holder": holder.display_name,
                "due": format_datetime(due),
            },
            source=original,
            key=key,
            url=f"/classified/items/{original.pk}/",
        )
    return len(created)


def alert_unconfirmed_transfers(now: datetime | None = None) -> int:
    now = now or timezone.now()
    sent = 0
    late = Transfer.objects.filter(received_at__isnull=True, expected_by__lt=now).select_related(
        "item__unit", "from_user", "to_user"
    )
    for transfer in late:
        with transaction.atomic():
            sent += len(
                notify(
                    people=[p for p in (transfer.from_user, transfer.to_user) if p] + ethics_officers(transfer.item),
                    subject=_("Transfer not confirmed: %(ref)s") % {"ref": transfer.item.reference_no},
                    body=_("Expected by %(when)s; sent: %(sent)s; received: no.")
                    % {
                        "when": format_datetime(transfer.expected_by),
                        "sent": format_datetime(transfer.sent_at) if transfer.sent_at else _("no"),
                    },
                    source=transfer,
                    key=f"classified-transfer-late-{transfer.pk}",
                    url="/classified/queue/",
                )
            )
    return sent


def remind_undecided(now: datetime | None = None) -> int:
    """Proposed classifications: remind the deciders before the 30-day deadline, and again once it has passed."""
    from anwei.accounts.models import RoleAssignment

    from . import policies as pol

    today = timezone.localdate(now or timezone.now())
    sent = 0
    for item in ClassifiedItem.objects.filter(proposed=True, original__isnull=True).select_related("unit", "custodian"):
        ruleset = rules.rules_on(item.classified_on)
        due = item.decision_due
        assert due is not None
        if today < due - timedelta(days=ruleset.decision_reminder_days):
            continue
        stage = "late" if today > due else "soon"
        deciders = [
            a.user
            for a in RoleAssignment.objects.filter(unit__agency_id=item.agency_id).select_related("user", "unit")
            if a.user.is_active and pol.items.can(a.user, "classified.decide", item)
        ]
        with transaction.atomic():
            sent += len(
                notify(
                    people=[*deciders, item.custodian],
                    subject=_("Decide the proposed classification of %(ref)s by %(due)s (%(law)s)")
                    % {"ref": item.reference_no, "due": due.isoformat(), "law": ruleset.citations["decision"]},
                    source=item,
                    key=f"classified-decide-{stage}-{item.pk}",
                    url=f"/classified/items/{item.pk}/",
                )
            )
    return sent


def remind_protection_ended(now: datetime | None = None) -> int:
    """Items whose protection period has ended (or whose condition is deemed met at the legal maximum, 第11條第4項)
    are still marked classified: tell the custodian and the ethics office to have them declassified."""
    from .services import protection_ends

    today = timezone.localdate(now or timezone.now())
    sent = 0
    live = ClassifiedItem.objects.filter(original__isnull=True, proposed=False).exclude(
        status__in=[*GONE, Status.DECLASSIFIED]
    )
    for item in live.select_related("unit", "custodian"):
        ends = protection_ends(item)
        if ends is None or ends >= today:
            continue
        with transaction.atomic():
            sent += len(
                notify(
                    people=[item.custodian, *ethics_officers(item)],
                    subject=_("Protection of %(ref)s ended on %(day)s: declassify it")
                    % {"ref": item.reference_no, "day": ends.isoformat()},
                    source=item,
                    key=f"classified-protection-ended-{item.pk}",
                    url=f"/classified/items/{item.pk}/",
                )
            )
    return sent
