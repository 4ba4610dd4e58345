"""The custody state machine (custody.py's table): each action only where the item may be, refused with a clear
message otherwise, and nothing written by a refusal."""

from datetime import date
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from anwei.classified import custody, declassification, storage, transfers
from anwei.classified.models import ClassifiedItem, CustodyRequest, Transfer
from anwei.classified.rules import TransferMethod
from anwei.core.errors import BusinessRuleError, NotAllowed

from .factories import item, soon

pytestmark = pytest.mark.django_db
Status = ClassifiedItem.Status


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def _transfer(world: Any, it: ClassifiedItem, to: str = "staff_b") -> Transfer:
    return transfers.start_transfer(
        actor=world.users["staff_a"],
        item=it,
        method=TransferMethod.SEALED_ENVELOPE,
        expected_by=soon(),
        to_user=world.users[to],
    )


def _take_out(world: Any, it: ClassifiedItem) -> CustodyRequest:
    return custody.request(actor=world.users["staff_a"], item=it, kind="take_out", purpose="開會", due_back=soon())


def _refused(call: Any, words: str) -> BusinessRuleError:
    with pytest.raises(BusinessRuleError) as exc:
        call()
    assert words in str(exc.value.message), exc.value.message
    return exc.value


def _status(it: ClassifiedItem) -> str:
    it.refresh_from_db()
    return it.status


def test_one_open_transfer_at_a_time(world: Any) -> None:
    it = item(world)
    _transfer(world, it)
    _refused(lambda: _transfer(world, it, to="supervisor_a"), "A transfer of this item is open")
    assert Transfer.objects.filter(item=it).count() == 1
    # the database holds the rule too, should two requests pass the check at the same moment
    with pytest.raises(IntegrityError), transaction.atomic():
        Transfer.objects.create(
            item=it,
            from_user=world.users["staff_a"],
            to_user=world.users["supervisor_a"],
            method="locked_box",
            expected_by=soon(),
        )


def test_cancelled_transfer_frees_the_item_and_cannot_be_sent(world: Any) -> None:
    it = item(world)
    first = _transfer(world, it)
    with pytest.raises(NotAllowed):
        transfers.cancel_transfer(actor=world.users["staff_b"], transfer=first, reason="x")
    _refused(lambda: transfers.cancel_transfer(actor=world.users["staff_a"], transfer=first, reason=" "), "reason")
    transfers.cancel_transfer(actor=world.users["staff_a"], transfer=first, reason="收件人有誤")
    _refused(lambda: transfers.confirm_sent(actor=world.users["staff_a"], transfer=first), "cancelled")
    second = _transfer(world, it, to="supervisor_a")
    transfers.confirm_sent(actor=world.users["staff_a"], transfer=second)
    _refused(
        lambda: transfers.cancel_transfer(actor=world.users["staff_a"], transfer=second, reason="x"), "sent already"
    )
    transfers.confirm_received(actor=world.users["supervisor_a"], transfer=second)
    it.refresh_from_db()
    assert it.custodian == world.users["supervisor_a"] and it.status == Status.IN_CUSTODY


def test_no_take_out_approval_while_a_transfer_is_open_nor_sending_while_on_loan(world: Any) -> None:
    """The review's case: a take-out approved while a transfer was pending put the item on loan, then sending the
    transfer overwrote that with in transit."""
    it = item(world)
    req = _take_out(world, it)
    transfer = _transfer(world, it)
    _refused(
        lambda: custody.decide(actor=world.users["supervisor_a"], req=req, approve=True),
        "A transfer of this item is open",
    )
    req.refresh_from_db()
    assert req.status == CustodyRequest.Status.PENDING and _status(it) == Status.IN_CUSTODY
    # an item that is out (however it got there) is never sent: confirming reads its status again
    ClassifiedItem.objects.filter(pk=it.pk).update(status=Status.ON_LOAN)
    _refused(lambda: transfers.confirm_sent(actor=world.users["staff_a"], transfer=transfer), "out on loan")
    transfer.refresh_from_db()
    assert transfer.sent_at is None and _status(it) == Status.ON_LOAN


def test_no_transfer_while_out_on_loan_or_a_take_out_is_not_returned(world: Any) -> None:
    it = item(world)
    req = _take_out(world, it)
    custody.decide(actor=world.users["supervisor_a"], req=req, approve=True)
    assert _status(it) == Status.ON_LOAN
    _refused(lambda: _transfer(world, it), "out on loan")
    # even if the status were wrong, the approved take-out that is not back refuses it
    ClassifiedItem.objects.filter(pk=it.pk).update(status=Status.IN_CUSTODY)
    _refused(lambda: _transfer(world, it), "take-out of this item is approved and not returned")
    assert not Transfer.objects.filter(item=it).exists()
    ClassifiedItem.objects.filter(pk=it.pk).update(status=Status.ON_LOAN)
    custody.return_take_out(actor=world.users["staff_a"], req=req)
    assert _status(it) == Status.IN_CUSTODY
    assert _transfer(world, it).pk


def test_no_copy_or_take_out_approval_while_out_on_loan(world: Any) -> None:
    it = item(world)
    first, second = _take_out(world, it), _take_out(world, it)
    copy = custody.request(
        actor=world.users["staff_a"], item=it, kind="photocopy", purpose="會辦", copies=1, due_back=soon()
    )
    custody.decide(actor=world.users["supervisor_a"], req=first, approve=True)
    for req in (second, copy):
        _refused(lambda req=req: custody.decide(actor=world.users["head"], req=req, approve=True), "out on loan")
        req.refresh_from_db()
        assert req.status == CustodyRequest.Status.PENDING
    assert not it.copies.exists()
    # refusing is always possible
    custody.decide(actor=world.users["head"], req=second, approve=False)


def test_no_copy_or_take_out_approval_while_in_transit(world: Any) -> None:
    it = item(world)
    out = _take_out(world, it)
    copy = custody.request(actor=world.users["staff_a"], item=it, kind="fax", purpose="函送")
    transfer = _transfer(world, it)
    transfers.confirm_sent(actor=world.users["staff_a"], transfer=transfer)
    for req in (out, copy):
        _refused(lambda req=req: custody.decide(actor=world.users["supervisor_a"], req=req, approve=True), "in transit")
    assert _status(it) == Status.IN_TRANSIT and not it.copies.exists()
    _refused(lambda: _take_out(world, it), "in transit")  # nor asked for


def test_copy_approval_is_fine_while_a_transfer_waits_to_be_sent(world: Any) -> None:
    it = item(world)
    req = custody.request(actor=world.users["staff_a"], item=it, kind="copy", purpose="會辦", copies=1, due_back=soon())
    _transfer(world, it)
    assert len(custody.decide(actor=world.users["supervisor_a"], req=req, approve=True)) == 1


def test_receiving_needs_the_item_in_transit_and_a_return_needs_it_out(world: Any) -> None:
    it = item(world)
    transfer = _transfer(world, it)
    transfers.confirm_sent(actor=world.users["staff_a"], transfer=transfer)
    ClassifiedItem.objects.filter(pk=it.pk).update(status=Status.DECLASSIFIED)
    _refused(lambda: transfers.confirm_received(actor=world.users["staff_b"], transfer=transfer), "declassified")
    transfer.refresh_from_db()
    assert transfer.received_at is None
    other = item(world, protection_until=date(2028, 1, 1))
    req = _take_out(world, other)
    custody.decide(actor=world.users["supervisor_a"], req=req, approve=True)
    ClassifiedItem.objects.filter(pk=other.pk).update(status=Status.IN_TRANSIT)
    _refused(lambda: custody.return_take_out(actor=world.users["staff_a"], req=req), "in transit")
    req.refresh_from_db()
    assert req.status == CustodyRequest.Status.APPROVED


def test_sent_only_while_the_sender_still_holds_it(world: Any) -> None:
    it = item(world)
    transfer = _transfer(world, it)
    ClassifiedItem.objects.filter(pk=it.pk).update(custodian=world.users["supervisor_a"])
    _refused(lambda: transfers.confirm_sent(actor=world.users["staff_a"], transfer=transfer), "no longer holds")


def test_confirming_twice_is_refused(world: Any) -> None:
    it = item(world)
    transfer = _transfer(world, it)
    transfers.confirm_sent(actor=world.users["staff_a"], transfer=transfer)
    _refused(lambda: transfers.confirm_sent(actor=world.users["staff_a"], transfer=transfer), "Already confirmed")
    transfers.confirm_received(actor=world.users["staff_b"], transfer=transfer)
    _refused(lambda: transfers.confirm_received(actor=world.users["staff_b"], transfer=transfer), "Already confirmed")


def test_no_declassification_or_move_while_out(world: Any) -> None:
    it = item(world)
    req = _take_out(world, it)
    custody.decide(actor=world.users["supervisor_a"], req=req, approve=True)
    _refused(
        lambda: declassification.change_level(
            actor=world.users["supervisor_a"], item=it, reason="解密", authority="縣長", declassify=True
        ),
        "out on loan",
    )
    _refused(lambda: storage.move(actor=world.users["staff_a"], item=it, storage_location="別處"), "out on loan")
    assert _status(it) == Status.ON_LOAN and not it.level_changes.exists()


def test_a_copy_declassified_while_out_stays_declassified_when_returned(world: Any) -> None:
    it = item(world)
    req = custody.request(actor=world.users["staff_a"], item=it, kind="copy", purpose="會辦", copies=1, due_back=soon())
    (copy,) = custody.decide(actor=world.users["supervisor_a"], req=req, approve=True)
    declassification.change_level(
        actor=world.users["supervisor_a"], item=it, reason="解密", authority="縣長", declassify=True
    )
    custody.return_copy(actor=world.users["staff_a"], copy=copy)
    copy.refresh_from_db()
    assert copy.status == Status.DECLASSIFIED and copy.returned_at <= timezone.now()
