"""User administration: admins create users and assign roles on units; roles take effect at once."""

from typing import Any

import pytest

from anwei.accounts.models import RoleAssignment, User
from anwei.accounts.scope import scope_for
from anwei.audit.models import AuditEntry

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
