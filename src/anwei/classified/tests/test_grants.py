"""Written need-to-know grants: never to oneself (in the service, the form and the API), an end that is
respected, and revocation with a reason — each on the audit log, without the reason's text."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from anwei.accounts.models import AccessGrant
from anwei.audit.models import AuditEntry
from anwei.classified import grants, policies, selectors
from anwei.core.errors import BusinessRuleError, NotAllowed

from .factories import SECRET_TITLE, item

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def _post(client: Any, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(data), content_type="application/json")


@pytest.mark.parametrize("persona", ["supervisor_a", "head"])
def test_whoever_may_grant_cannot_grant_to_themselves(world: Any, persona: str) -> None:
    it = item(world)
    granter = world.users[persona]
    assert policies.items.can(granter, "classified.grant", it) and not policies.items.can_read(granter, it)
    before = AuditEntry.objects.count()
    with pytest.raises(BusinessRuleError) as exc:
        grants.grant_need_to_know(actor=granter, item=it, user=granter, reason="自行調閱")
    assert exc.value.field == "user" and "yourself" in str(exc.value.message)
    assert not AccessGrant.objects.exists() and AuditEntry.objects.count() == before
    assert not policies.items.can_read(granter, it)
    assert list(selectors.register(granter, q="反滲透")) == []


def test_the_grant_form_does_not_offer_oneself_and_refuses_it(world: Any, client_for: Any) -> None:
    it = item(world)
    sup = world.users["supervisor_a"]
    client = client_for("supervisor_a")
    page = client.get(f"/classified/items/{it.pk}/").content.decode()
    form = page[page.index('name="user"') : page.index("</select>", page.index('name="user"'))]
    assert f'value="{world.users["staff_b"].pk}"' in form
    assert f'value="{sup.pk}"' not in form
    response = client.post(f"/classified/items/{it.pk}/grant/", {"user": sup.pk, "reason": "自行調閱"})
    assert response.status_code == 302
    assert not AccessGrant.objects.exists()
    assert SECRET_TITLE not in client.get(f"/classified/items/{it.pk}/").content.decode()


def test_the_api_refuses_a_grant_to_oneself(world: Any, client_for: Any) -> None:
    it = item(world)
    head = world.users["head"]
    response = _post(
        client_for("head"), f"/api/v1/classified/items/{it.pk}/grants", {"user_id": head.pk, "reason": "x"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["user"]
    assert not AccessGrant.objects.exists()
    assert SECRET_TITLE not in response.content.decode()


def test_a_grant_ends_when_it_expires(world: Any, client_for: Any) -> None:
    it = item(world)
    staff_b = world.users["staff_b"]
    with pytest.raises(BusinessRuleError):  # an end in the past is no grant
        grants.grant_need_to_know(
            actor=world.users["supervisor_a"],
            item=it,
            user=staff_b,
            reason="會辦",
            expires_at=timezone.now() - timedelta(minutes=1),
        )
    grant = grants.grant_need_to_know(
        actor=world.users["supervisor_a"],
        item=it,
        user=staff_b,
        reason="會辦",
        expires_at=timezone.now() + timedelta(days=1),
    )
    client = client_for("staff_b")
    assert policies.items.can_read(staff_b, it)
    assert SECRET_TITLE in client.get(f"/classified/items/{it.pk}/").content.decode()
    AccessGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert not policies.items.can_read(staff_b, it)
    assert list(selectors.register(staff_b)) == []  # nothing else gave staff_b the item
    assert client.get(f"/classified/items/{it.pk}/").status_code == 404
    assert client.get(f"/api/v1/classified/items/{it.pk}").status_code == 404
    # a grant that has run out cannot be withdrawn, and a new one may be given
    with pytest.raises(BusinessRuleError):
        grants.revoke_need_to_know(actor=world.users["supervisor_a"], item=it, grant=grant, reason="x")
    grants.grant_need_to_know(actor=world.users["supervisor_a"], item=it, user=staff_b, reason="再會辦")


def test_grant_with_an_end_through_the_form(world: Any, client_for: Any) -> None:
    it = item(world)
    ends = timezone.localtime(timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    client_for("supervisor_a").post(
        f"/classified/items/{it.pk}/grant/",
        {"user": world.users["staff_b"].pk, "reason": "會辦", "expires_at": ends.strftime("%Y-%m-%dT%H:%M")},
    )
    assert AccessGrant.objects.get().expires_at == ends


def test_revoking_a_grant_on_the_page_with_its_reason(world: Any, client_for: Any) -> None:
    it = item(world)
    staff_b = world.users["staff_b"]
    grant = grants.grant_need_to_know(actor=world.users["supervisor_a"], item=it, user=staff_b, reason="會辦財政處")
    url = f"/classified/items/{it.pk}/grants/{grant.pk}/revoke/"
    assert client_for("staff_b").post(url, {"reason": "x"}).status_code == 403  # the grantee cannot
    assert client_for("auditor").post(url, {"reason": "x"}).status_code == 403
    sup = client_for("supervisor_a")
    page = sup.get(f"/classified/items/{it.pk}/").content.decode()
    assert url in page and "staff_b-person" in page
    assert "會辦財政處" not in page  # the reason is for those with need-to-know
    assert "會辦財政處" in client_for("staff_a").get(f"/classified/items/{it.pk}/").content.decode()
    sup.post(url, {"reason": ""})  # no reason, no revocation
    grant.refresh_from_db()
    assert grant.revoked_at is None
    assert sup.post(url, {"reason": "會辦結束"}).status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert not policies.items.can_read(staff_b, it)
    assert client_for("staff_b").get(f"/classified/items/{it.pk}/").status_code == 404
    entry = AuditEntry.objects.get(action="revoke", object_type="classified.classifieditem", object_id=str(it.pk))
    assert entry.changes["need_to_know"] == "staff_b" and entry.changes["reason"].startswith("hmac-sha256:")
    assert entry.object_repr == it.reference_no
    granted = AuditEntry.objects.get(action="grant", object_type="classified.classifieditem", object_id=str(it.pk))
    assert granted.changes["reason"].startswith("hmac-sha256:")
    assert all("會辦" not in json.dumps(e.changes, ensure_ascii=False) for e in AuditEntry.objects.all())
    assert sup.post(url, {"reason": "再撤"}).status_code == 404  # no longer in force


def test_revoking_over_the_api(world: Any, client_for: Any) -> None:
    it = item(world)
    grant = grants.grant_need_to_know(actor=world.users["staff_a"], item=it, user=world.users["staff_b"], reason="會辦")
    url = f"/api/v1/classified/items/{it.pk}/grants/{grant.pk}/revocation"
    listed = client_for("head").get(f"/api/v1/classified/items/{it.pk}/grants").json()
    assert [(g["id"], g["reason"]) for g in listed] == [(grant.pk, None)]  # may grant, no need-to-know
    assert client_for("staff_a").get(f"/api/v1/classified/items/{it.pk}/grants").json()[0]["reason"] == "會辦"
    assert _post(client_for("staff_b"), url, {"reason": "x"}).status_code == 403
    assert _post(client_for("head"), url, {}).status_code == 422
    done = _post(client_for("head"), url, {"reason": "會辦結束"})
    assert done.status_code == 200 and done.json()["revoked_at"]
    assert not policies.items.can_read(world.users["staff_b"], it)
    assert client_for("head").get(f"/api/v1/classified/items/{it.pk}/grants").json() == []
    with pytest.raises(NotAllowed):
        grants.revoke_need_to_know(actor=world.users["staff_b"], item=it, grant=grant, reason="x")
