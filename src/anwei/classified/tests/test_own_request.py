"""Nobody approves their own copy/take-out request: a unit supervisor (an approver) who asks to take an item out sees
no approve button on his own request, and a forged decision is refused with the reason; the agency head approves it."""

from typing import Any

import pytest

from anwei.classified import custody, grants
from anwei.classified.models import CustodyRequest

from .factories import item, soon

pytestmark = pytest.mark.django_db


def test_approver_cannot_approve_his_own_take_out(world: Any, client_for: Any) -> None:
    it = item(world)
    supervisor = world.users["supervisor_a"]
    grants.grant_need_to_know(actor=world.users["staff_a"], item=it, user=supervisor, reason="主管核閱")
    req = custody.request(actor=supervisor, item=it, kind="take_out", purpose="出席會議", due_back=soon())
    decide = f"/classified/requests/{req.pk}/decide/"

    own = client_for("supervisor_a")
    page = own.get(f"/classified/items/{it.pk}/").content.decode()
    assert decide not in page
    refused = own.post(decide, {"approve": "1"})
    assert refused.status_code == 403 and "不得核准本人提出的申請" in refused.content.decode()
    req.refresh_from_db()
    assert req.status == CustodyRequest.Status.PENDING

    head = client_for("head")
    assert decide in head.get(f"/classified/items/{it.pk}/").content.decode()
    assert head.post(decide, {"approve": "1"}).status_code == 302
    req.refresh_from_db()
    assert req.status == CustodyRequest.Status.APPROVED and req.decided_by == world.users["head"]
