"""A storage-place change (存放處所): a place outside the agency's premises (e.g. 承辦人住處) needs a take-out approved
for the item — a pending one is not enough — and every change of place is told to the custodian's unit supervisor and
the ethics office (never the place itself)."""

import json
from typing import Any

import pytest

from anwei.classified import custody, storage
from anwei.classified.models import ClassifiedItem
from anwei.classified.rules import Level
from anwei.core.errors import BusinessRuleError
from anwei.notifications.models import Notification

from .factories import item, soon

pytestmark = pytest.mark.django_db

REFUSAL = "須經核准攜出"


def _told(world: Any, item_pk: int) -> set[str]:
    people = Notification.objects.filter(source_type="classified.classifieditem", source_id=item_pk)
    names = {p.name for p in world.people.values()}
    return {n for n in people.values_list("person__name", flat=True) if n in names}


def test_residence_needs_an_approved_take_out_and_every_move_is_told(world: Any, client_for: Any) -> None:
    secret = item(world, level=Level.SECRET)
    staff = world.users["staff_a"]
    req = custody.request(actor=staff, item=secret, kind="take_out", purpose="居家趕辦", due_back=soon())

    # a pending take-out does not allow it: refused in the service, on the page and in the API
    with pytest.raises(BusinessRuleError) as refused:
        storage.move(actor=staff, item=secret, storage_location="承辦人住處", outside_premises=True)
    assert refused.value.code == "take_out_needed"
    client = client_for("staff_a")
    page = client.post(
        f"/classified/items/{secret.pk}/move/",
        {"storage_location": "承辦人住處", "storage_outside_premises": "1"},
        follow=True,
    )
    assert REFUSAL in page.content.decode()
    api = client.post(
        f"/api/v1/classified/items/{secret.pk}/storage-location",
        data=json.dumps({"storage_location": "承辦人住處", "outside_premises": True}),
        content_type="application/json",
    )
    assert api.status_code == 422 and api.json()["error"]["code"] == "take_out_needed"
    secret.refresh_from_db()
    assert (secret.storage_location, secret.storage_outside_premises) == ("建設處機密櫃 1", False)
    assert secret.status == ClassifiedItem.Status.IN_CUSTODY
    assert _told(world, secret.pk) == set()

    # the form explains the choice
    form = client.get(f"/classified/items/{secret.pk}/").content.decode()
    assert 'name="storage_outside_premises"' in form and "承辦人住處" in form

    # a move inside the premises is allowed and told to the supervisor and the ethics office
    storage.move(actor=staff, item=secret, storage_location="建設處機密櫃 2")
    assert _told(world, secret.pk) == {"supervisor_a-person", "ethics-person"}
    note = Notification.objects.filter(source_id=secret.pk, person=world.people["ethics"]).latest("pk")
    assert "建設處機密櫃 2" not in note.subject + note.body

    # approved: the custodian records the residence, marked outside the premises, and they are told again
    custody.decide(actor=world.users["supervisor_a"], req=req, approve=True)
    before = Notification.objects.filter(source_id=secret.pk, source_type="classified.classifieditem").count()
    response = client.post(
        f"/classified/items/{secret.pk}/move/",
        {"storage_location": "承辦人住處", "storage_outside_premises": "1"},
        follow=True,
    )
    assert response.status_code == 200
    secret.refresh_from_db()
    assert (secret.storage_location, secret.storage_outside_premises) == ("承辦人住處", True)
    after = Notification.objects.filter(source_id=secret.pk, source_type="classified.classifieditem")
    assert after.count() == before + 2
    assert "機關外" in after.filter(person=world.people["supervisor_a"]).latest("pk").subject

    # back from the take-out: the page asks for the place inside the premises, and recording it clears the flag
    custody.return_take_out(actor=staff, req=req)
    page = client.get(f"/classified/items/{secret.pk}/").content.decode()
    assert "攜出已歸還：請登記本件現在於機關內的存放處所" in page
    storage.move(actor=staff, item=secret, storage_location="建設處機密櫃 1")
    secret.refresh_from_db()
    assert (secret.storage_location, secret.storage_outside_premises) == ("建設處機密櫃 1", False)
