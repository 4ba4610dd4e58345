"""Transfers outside the agency (double envelope by a designated person, or double-registered mail): both sides
confirm — the sender that it left, and someone other than the sender (the custodian's supervisor, the ethics
office) the returned receipt (回執) with its number, date and signatory. Recipients are checked to be ours."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from anwei.audit.models import AuditEntry
from anwei.classified import transfers
from anwei.classified.models import ClassifiedItem, Transfer
from anwei.classified.rules import Level, TransferMethod
from anwei.core.errors import BusinessRuleError, NotAllowed

from .factories import SECRET_TITLE, item, second_agency, soon

pytestmark = pytest.mark.django_db
OUTSIDE = "法務部廉政署"
EXTERNAL = [TransferMethod.DOUBLE_ENVELOPE_COURIER, TransferMethod.DOUBLE_ENVELOPE_REGISTERED]


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def _sent(world: Any, method: str, it: ClassifiedItem | None = None) -> Transfer:
    it = it or item(world)
    transfer = transfers.start_transfer(
        actor=world.users["staff_a"], item=it, method=method, expected_by=soon(), outside_recipient=OUTSIDE
    )
    transfers.confirm_sent(actor=world.users["staff_a"], transfer=transfer)
    return transfer


def _receipt(**extra: Any) -> dict[str, Any]:
    return {
        "receipt_no": "廉政署收文第1150001號",
        "receipt_date": timezone.localdate(),
        "receipt_signed_by": "收發室王科員",
        **extra,
    }


@pytest.mark.parametrize("method", EXTERNAL)
def test_outside_recipient_needs_the_returned_receipt_recorded_by_someone_else(world: Any, method: str) -> None:
    transfer = _sent(world, method)
    assert transfer.is_external and transfer.to_unit is None
    # the sender cannot confirm their own transfer, nor can someone without scope over the unit
    for persona in ("staff_a", "staff_b", "auditor"):
        with pytest.raises(NotAllowed):
            transfers.confirm_received(actor=world.users[persona], transfer=transfer, **_receipt())
    sup = world.users["supervisor_a"]
    for missing, field in (("receipt_no", "receipt_no"), ("receipt_signed_by", "receipt_signed_by")):
        with pytest.raises(BusinessRuleError) as exc:
            transfers.confirm_received(actor=sup, transfer=transfer, **_receipt(**{missing: " "}))
        assert exc.value.field == field
    with pytest.raises(BusinessRuleError) as exc:
        transfers.confirm_received(actor=sup, transfer=transfer, **_receipt(receipt_date=None))
    assert exc.value.field == "receipt_date"
    with pytest.raises(BusinessRuleError) as exc:  # signed in the future
        transfers.confirm_received(
            actor=sup, transfer=transfer, **_receipt(receipt_date=timezone.localdate() + timedelta(days=1))
        )
    assert exc.value.field == "receipt_date"
    with pytest.raises(BusinessRuleError):  # signed before it was sent
        transfers.confirm_received(
            actor=sup, transfer=transfer, **_receipt(receipt_date=timezone.localdate() - timedelta(days=1))
        )
    transfer.refresh_from_db()
    assert transfer.received_at is None

    transfers.confirm_received(actor=world.users["ethics"], transfer=transfer, **_receipt())
    transfer.refresh_from_db()
    it = transfer.item
    assert transfer.received_by == world.users["ethics"] != transfer.from_user
    assert (transfer.receipt_no, transfer.receipt_signed_by) == ("廉政署收文第1150001號", "收發室王科員")
    assert transfer.receipt_date == timezone.localdate()
    assert it.status == ClassifiedItem.Status.TRANSFERRED and it.custodian == world.users["staff_a"]
    entry = (
        AuditEntry.objects.filter(object_type="classified.transfer", object_id=str(transfer.pk)).order_by("seq").last()
    )
    assert entry is not None and entry.changes["receipt_no"] == "廉政署收文第1150001號"


@pytest.mark.parametrize("method", EXTERNAL)
def test_receipt_through_the_page_and_the_api(world: Any, client_for: Any, method: str) -> None:
    page_transfer, api_transfer = _sent(world, method), _sent(world, method)
    url = f"/classified/transfers/{page_transfer.pk}/received/"
    assert client_for("staff_a").get(url).status_code == 403
    assert client_for("staff_a").post(url, {**_receipt(), "receipt_date": timezone.localdate()}).status_code == 403
    ethics = client_for("ethics")
    queue = ethics.get("/classified/queue/").content.decode()
    assert url in queue and SECRET_TITLE not in queue
    form = ethics.get(url)
    assert form.status_code == 200 and 'name="receipt_no"' in form.content.decode()
    assert SECRET_TITLE not in form.content.decode()
    assert ethics.post(url, {"receipt_no": "", "receipt_date": "", "receipt_signed_by": ""}).status_code == 200
    done = ethics.post(url, {**_receipt(), "receipt_date": timezone.localdate().isoformat()})
    assert done.status_code == 302
    page_transfer.refresh_from_db()
    assert page_transfer.received_by == world.users["ethics"]

    api_url = f"/api/v1/classified/transfers/{api_transfer.pk}/received"
    body = {**_receipt(), "receipt_date": timezone.localdate().isoformat()}
    post = lambda who, data: client_for(who).post(  # noqa: E731
        api_url, data=json.dumps(data), content_type="application/json"
    )
    assert post("staff_a", body).status_code == 403
    assert post("supervisor_a", {}).status_code == 422
    answer = post("supervisor_a", body)
    assert answer.status_code == 200
    assert answer.json()["receipt_signed_by"] == "收發室王科員"
    assert answer.json()["received_by_id"] == world.users["supervisor_a"].pk


def test_methods_for_outside_are_those_of_the_level(world: Any) -> None:
    it = item(world)
    with pytest.raises(BusinessRuleError) as exc:  # a sealed envelope is for inside the agency
        transfers.start_transfer(
            actor=world.users["staff_a"],
            item=it,
            method=TransferMethod.SEALED_ENVELOPE,
            expected_by=soon(),
            outside_recipient=OUTSIDE,
        )
    assert exc.value.field == "method"
    top = item(world, level=Level.TOP_SECRET, protection_until=timezone.localdate().replace(year=2050))
    with pytest.raises(BusinessRuleError):  # 絕對機密 outside: a designated person only, never the mail
        _sent(world, TransferMethod.DOUBLE_ENVELOPE_REGISTERED, top)
    assert _sent(world, TransferMethod.DOUBLE_ENVELOPE_COURIER, top).pk


def test_recipient_and_unit_must_belong_to_the_agency(world: Any) -> None:
    other = second_agency(world)
    it = item(world)
    staff_a = world.users["staff_a"]
    start = lambda **kw: transfers.start_transfer(  # noqa: E731
        actor=staff_a, item=it, method=TransferMethod.SEALED_ENVELOPE, expected_by=soon(), **kw
    )
    with pytest.raises(BusinessRuleError) as exc:
        start(to_user=world.users["staff_b"], to_unit=other["unit"])
    assert exc.value.field == "to_unit"
    with pytest.raises(BusinessRuleError) as exc:
        start(to_user=other["other_staff"])
    assert exc.value.field == "to_user"
    with pytest.raises(BusinessRuleError) as exc:
        transfers.start_transfer(
            actor=staff_a,
            item=it,
            method=TransferMethod.DOUBLE_ENVELOPE_REGISTERED,
            expected_by=soon(),
            outside_recipient=OUTSIDE,
            to_unit=world.units["b"],
        )
    assert exc.value.field == "to_unit"
    assert not Transfer.objects.exists()
    transfer = start(to_user=world.users["staff_b"], to_unit=world.units["b"])
    assert transfer.to_unit == world.units["b"]
    abroad = _sent(world, TransferMethod.DOUBLE_ENVELOPE_REGISTERED)
    with pytest.raises(NotAllowed):  # the other agency's ethics office records no receipt of ours
        transfers.confirm_received(actor=other["other_ethics"], transfer=abroad, **_receipt())
