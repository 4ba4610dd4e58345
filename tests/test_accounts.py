"""User administration: admins create users and assign roles on units; roles take effect at once."""

from typing import Any

import pytest

from anwei.accounts.models import RoleAssignment, User
from anwei.accounts.scope import scope_for
from anwei.audit.models import AuditEntry
from tests.personas import PASSWORD, current_code

pytestmark = pytest.mark.django_db


def test_admin_creates_a_user_and_assigns_a_role(client: Any, world: Any) -> None:
    client.force_login(world.users["admin"])
    person = world.people["in_b"]
    response = client.post(
        "/accounts/users/new/", {"username": "yi", "person": person.pk, "password": "a-long-enough-passphrase"}
    )
    assert response.status_code == 302
    user = User.objects.get(username="yi")
    assert user.person == person and user.check_password("a-long-enough-passphrase")
    response = client.post(f"/accounts/users/{user.pk}/", {"role": "unit_supervisor", "unit": world.units["b"].pk})
    assert response.status_code == 302
    assert scope_for(User.objects.get(pk=user.pk), "directory.edit").covers(world.units["b"])
    assert AuditEntry.objects.filter(action="grant", object_id=str(user.pk)).exists()


def test_weak_password_and_taken_name_are_refused_with_messages(client: Any, world: Any) -> None:
    client.force_login(world.users["admin"])
    person = world.people["in_b"]
    response = client.post("/accounts/users/new/", {"username": "yi", "person": person.pk, "password": "123"})
    assert response.status_code == 200 and b'class="errorlist"' in response.content
    response = client.post(
        "/accounts/users/new/", {"username": "staff_a", "person": person.pk, "password": "a-long-enough-passphrase"}
    )
    assert response.status_code == 200 and b'class="errorlist"' in response.content
    assert not User.objects.filter(username="yi").exists()


def test_removing_a_role_takes_it_away(client: Any, world: Any) -> None:
    client.force_login(world.users["admin"])
    user = world.users["staff_b"]
    assignment = RoleAssignment.objects.get(user=user)
    assert client.post(f"/accounts/users/{user.pk}/roles/{assignment.pk}/remove/").status_code == 302
    assert scope_for(User.objects.get(pk=user.pk), "directory.view").empty
    assert AuditEntry.objects.filter(action="revoke", object_id=str(user.pk)).exists()


def test_need_to_know_ids_filters_records_on_every_database(world: Any) -> None:
    from anwei.accounts import services
    from anwei.accounts.scope import need_to_know_ids
    from anwei.directory.models import Person

    user, record = world.users["staff_a"], world.people["in_b"]
    assert not Person.objects.filter(pk__in=need_to_know_ids(user, Person)).exists()
    services.grant_access(actor=world.users["ethics"], user=user, record=record, reason="承辦本案")
    assert list(Person.objects.filter(pk__in=need_to_know_ids(user, Person))) == [record]


def test_a_revoked_grant_no_longer_gives_access_and_both_steps_are_audited(world: Any) -> None:
    from anwei.accounts import services
    from anwei.accounts.models import AccessGrant
    from anwei.accounts.scope import has_need_to_know, need_to_know_ids
    from anwei.directory.models import Person

    ethics, user, record = world.users["ethics"], world.users["staff_a"], world.people["in_b"]
    grant = services.grant_access(actor=ethics, user=user, record=record, reason="承辦本案")
    other = services.grant_access(actor=ethics, user=world.users["staff_b"], record=record, reason="協辦")
    assert has_need_to_know(user, record)
    services.revoke_access(actor=ethics, grant=grant)
    assert not has_need_to_know(user, record)
    assert not Person.objects.filter(pk__in=need_to_know_ids(user, Person)).exists()
    assert has_need_to_know(world.users["staff_b"], record)  # only that grant ended
    assert list(AccessGrant.objects.active().for_object(record)) == [other]
    entries = AuditEntry.objects.filter(object_type="directory.person", object_id=str(record.pk))
    assert list(entries.order_by("seq").values_list("action", "changes__need_to_know")) == [
        ("grant", "staff_a"),
        ("grant", "staff_b"),
        ("revoke", "staff_a"),
    ]
    assert entries.get(action="revoke").actor_label == "ethics"
    before = AuditEntry.objects.count()
    services.revoke_access(actor=ethics, grant=grant)  # again: nothing more happens
    assert AuditEntry.objects.count() == before
    assert AccessGrant.objects.get(pk=grant.pk).revoked_at is not None


def test_a_grant_ends_at_its_expiry(world: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from anwei.accounts import services
    from anwei.accounts.models import AccessGrant
    from anwei.accounts.scope import has_need_to_know, need_to_know_ids
    from anwei.core.errors import BusinessRuleError
    from anwei.directory.models import Person

    ethics, user, record = world.users["ethics"], world.users["staff_a"], world.people["in_b"]
    grant = services.grant_access(
        actor=ethics, user=user, record=record, reason="限期調閱", expires_at=timezone.now() + timedelta(hours=1)
    )
    assert has_need_to_know(user, record)
    assert list(Person.objects.filter(pk__in=need_to_know_ids(user, Person))) == [record]
    now = timezone.now()
    AccessGrant.objects.filter(pk=grant.pk).update(expires_at=now + timedelta(seconds=5))
    assert has_need_to_know(user, record)  # still before its end
    AccessGrant.objects.filter(pk=grant.pk).update(expires_at=now)
    assert not has_need_to_know(user, record)  # the end itself is no longer inside
    assert not Person.objects.filter(pk__in=need_to_know_ids(user, Person)).exists()
    assert not AccessGrant.objects.active().filter(pk=grant.pk).exists()
    with pytest.raises(BusinessRuleError) as refused:
        services.grant_access(actor=ethics, user=user, record=record, reason="x", expires_at=now)
    assert refused.value.field == "expires_at"
    with pytest.raises(BusinessRuleError):
        services.grant_access(actor=ethics, user=user, record=record, reason="   ")


def test_account_forms_refuse_unknown_and_over_long_fields(client: Any, world: Any) -> None:
    from anwei.accounts.models import ApiToken

    client.force_login(world.users["admin"])
    response = client.post(
        "/accounts/users/new/",
        {
            "username": "yi",
            "person": world.people["in_b"].pk,
            "password": "a-long-enough-passphrase",
            "is_superuser": "1",
        },
    )
    assert response.status_code == 200 and "此表單沒有下列欄位：is_superuser" in response.content.decode()
    assert not User.objects.filter(username="yi").exists()
    target = world.users["staff_b"]
    response = client.post(
        f"/accounts/users/{target.pk}/", {"role": "admin", "unit": world.units["b"].pk, "user": world.users["admin"].pk}
    )
    assert response.status_code == 200 and "此表單沒有下列欄位：user" in response.content.decode()
    assert not RoleAssignment.objects.filter(user=target, role="admin").exists()
    response = client.post("/accounts/tokens/", {"name": "長" * 81}, follow=True)
    assert response.status_code == 200 and b"errorlist" not in response.content
    assert not ApiToken.objects.filter(user=world.users["admin"]).exists()
    assert "81" in response.content.decode() or "80" in response.content.decode()  # the length message
    again = {"password": PASSWORD, "code": current_code(world.users["admin"])}  # a new token asks for both again
    assert client.post("/accounts/tokens/", {"name": "腳本", **again}).status_code == 302
    assert ApiToken.objects.filter(user=world.users["admin"], name="腳本").exists()
