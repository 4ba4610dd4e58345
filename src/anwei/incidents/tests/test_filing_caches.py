"""Issue 20: the token, the user's roles and the routing roster are cached per web process and checked against the
cache generation at every request. A change committed by another process (its own transaction sets a new
generation) is seen at the next request; a change without a new generation is not — which is why every write to
these rows goes through a save or delete (or calls generation.bump())."""

import json
import secrets
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from anwei.accounts import services as accounts
from anwei.accounts.models import ApiToken
from anwei.accounts.roles import Role
from anwei.core.models import CacheGeneration
from anwei.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _file(client: Client, title: str) -> Any:
    body = json.dumps({"category": "theft", "title": title}, ensure_ascii=False)
    return client.post("/api/v1/incidents", body, content_type="application/json")


def _new_generation() -> None:
    """What another process's transaction also writes with its change (its post_save sets it)."""
    CacheGeneration.objects.update_or_create(pk=1, defaults={"value": secrets.randbits(62) or 1})


def test_a_token_revoked_by_another_process_stops_at_the_next_request(roster: Any) -> None:
    token, raw = accounts.create_token(actor=None, user=roster.users["staff_a"], name="cache")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert _file(client, "第一件").status_code == 201  # the token is in this process's cache now
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())  # no new generation: still cached
    assert _file(client, "第二件").status_code == 201
    _new_generation()
    assert _file(client, "第三件").status_code == 401


def test_a_role_assigned_after_the_roster_was_cached_is_told_of_the_next_report(roster: Any) -> None:
    _token, raw = accounts.create_token(actor=None, user=roster.users["staff_a"], name="cache")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    newcomer = roster.users["staff_b"]
    first = _file(client, "第一件").json()["id"]
    told = Notification.objects.filter(person=newcomer.person, source_type="incidents.incident")
    assert not told.filter(source_id=str(first)).exists()
    accounts.assign_role(actor=None, user=newcomer, role=Role.ETHICS_OFFICER, unit=roster.units["root"])
    second = _file(client, "第二件").json()["id"]
    assert told.filter(source_id=str(second)).exists()
