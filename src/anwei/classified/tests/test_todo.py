"""Approvers are told of requests waiting for them, and each person's to-do list holds exactly their work: the
approver the request to decide, the requester the take-out to bring back (issue 14, 'everyone who must act')."""

from datetime import UTC, datetime
from typing import Any

import pytest

from anwei.classified import custody
from anwei.notifications.models import Notification

from .factories import SECRET_TITLE, item

pytestmark = pytest.mark.django_db

DUE_BACK = datetime(2031, 3, 4, 9, 30, tzinfo=UTC)  # 17:30 in Taipei


def test_the_nearest_approver_is_told_of_a_new_request_with_a_link_to_it(world: Any) -> None:
    original = item(world)  # unit A; staff_a is its custodian
    req = custody.request(
        actor=world.users["staff_a"], item=original, kind="take_out", purpose="赴會", due_back=DUE_BACK
    )
    told = Notification.objects.filter(source_type="classified.custodyrequest", source_id=str(req.pk))
    # the supervisor of unit A decides; never the requester, nobody of unit B
    assert set(told.values_list("person_id", flat=True)) == {world.people["supervisor_a"].pk}
    notification = told.get()
    assert notification.url == f"/classified/queue/#request-{req.pk}"
    assert original.reference_no in notification.subject
    assert SECRET_TITLE not in notification.subject + notification.body


def test_a_supervisors_own_request_goes_to_the_approver_above_him(world: Any) -> None:
    original = item(world, handlers=[world.users["supervisor_a"]])
    req = custody.request(
        actor=world.users["supervisor_a"], item=original, kind="take_out", purpose="赴會", due_back=DUE_BACK
    )
    told = Notification.objects.filter(source_type="classified.custodyrequest", source_id=str(req.pk))
    assert set(told.values_list("person_id", flat=True)) == {world.people["head"].pk}  # the agency head


def _todo(client: Any) -> list[dict[str, Any]]:
    response = client.get("/api/v1/todo")
    assert response.status_code == 200
    return response.json()


def test_the_todo_api_gives_the_approver_the_decision_and_the_requester_the_return(world: Any, client_for: Any) -> None:
    original = item(world)
    req = custody.request(
        actor=world.users["staff_a"], item=original, kind="take_out", purpose="赴會", due_back=DUE_BACK
    )
    approver, requester, other = client_for("supervisor_a"), client_for("staff_a"), client_for("staff_b")

    assert _todo(approver) == [
        {
            "kind": "approve",
            "title": f"核決staff_a-person申請攜出：{original.reference_no}（機密）",
            "due_at": None,
            "url": f"/classified/queue/#request-{req.pk}",
            "detail": "赴會",
        }
    ]
    assert _todo(requester) == []  # never one's own request
    assert _todo(other) == []
    assert _todo(client_for("head")) == []  # the unit's supervisor is asked; the head finds it in the queue

    custody.decide(actor=world.users["supervisor_a"], req=req, approve=True)
    assert _todo(approver) == []
    assert _todo(requester) == [
        {
            "kind": "return_due",
            "title": f"歸還攜出之{original.reference_no}（機密）",
            "due_at": "2031-03-04T09:30:00Z",
            "url": f"/classified/items/{original.pk}/",
            "detail": "",
        }
    ]
    custody.return_take_out(actor=world.users["staff_a"], req=req)  # the custodian records it back
    assert _todo(requester) == []
