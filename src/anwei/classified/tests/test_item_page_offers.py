"""What an item's page offers, decided in the selectors and policies (the template only shows it): who may decide
a request or record a return, and which copies came back late or are overdue."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from anwei.classified import custody, grants, selectors
from anwei.classified.models import ClassifiedItem

from .factories import item, soon

pytestmark = pytest.mark.django_db


def test_requests_offer_a_decision_to_the_approver_only_and_the_return_to_the_custodian(world: Any) -> None:
    original = item(world)
    grants.grant_need_to_know(actor=world.users["staff_a"], item=original, user=world.users["staff_b"], reason="會辦")
    req = custody.request(actor=world.users["staff_b"], item=original, kind="take_out", purpose="出差", due_back=soon())
    (line,) = selectors.request_lines(world.users["supervisor_a"], original)
    assert (line.request, line.may_decide, line.may_record_return) == (req, True, False)
    (own,) = selectors.request_lines(world.users["staff_b"], original)
    assert (own.may_decide, own.may_record_return) == (False, False)  # never one's own request
    custody.decide(actor=world.users["supervisor_a"], req=req, approve=True)
    (keeper,) = selectors.request_lines(world.users["staff_a"], original)
    assert (keeper.may_decide, keeper.may_record_return) == (False, True)
    (decided,) = selectors.request_lines(world.users["supervisor_a"], original)
    assert (decided.may_decide, decided.may_record_return) == (False, False)


def test_copies_show_lateness_and_offer_the_return_to_the_custodian_of_the_original(world: Any) -> None:
    original = item(world)
    grants.grant_need_to_know(actor=world.users["staff_a"], item=original, user=world.users["staff_b"], reason="會辦")
    req = custody.request(
        actor=world.users["staff_b"], item=original, kind="copy", purpose="會辦", copies=2, due_back=soon()
    )
    custody.decide(actor=world.users["supervisor_a"], req=req, approve=True)
    first, second = original.copies.order_by("copy_number")
    now = timezone.now()
    ClassifiedItem.objects.filter(pk=first.pk).update(due_back=now - timedelta(hours=1))
    lines = selectors.copy_lines(world.users["staff_a"], original, now)
    assert [(x.copy.pk, x.late, x.overdue, x.may_record_return) for x in lines] == [
        (first.pk, False, True, True),
        (second.pk, False, False, True),
    ]
    assert [x.may_record_return for x in selectors.copy_lines(world.users["staff_b"], original, now)] == [False, False]
    custody.return_copy(actor=world.users["staff_a"], copy=ClassifiedItem.objects.get(pk=first.pk))
    lines = selectors.copy_lines(world.users["staff_a"], original, timezone.now())
    assert [(x.late, x.overdue, x.may_record_return) for x in lines] == [(True, False, False), (False, False, True)]
