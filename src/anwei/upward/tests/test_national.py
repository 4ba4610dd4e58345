"""National scale: `gen-data --national` builds the world it says, and the roll-up board and API cost the same
number of SQL queries for 3 agencies as for 150 with a month of sitreps each (a page of 100 at a time)."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anwei.accounts.models import RoleAssignment, User
from anwei.directory.models import Agency, Person, Unit
from anwei.upward import gendata, rules
from anwei.upward.models import Link, RollupIncident, RollupSitrep

pytestmark = pytest.mark.django_db


@pytest.fixture
def superior() -> Agency:
    return Agency.objects.create(code="aac", name="法務部廉政署")


@pytest.fixture
def duty(superior: Agency) -> Client:
    top = Unit.objects.create(agency=superior, name="政風室", kind="agency")
    top.path = f"/{top.pk}/"
    top.save(update_fields=["path"])
    user = User.objects.create(username="duty", agency=superior)
    RoleAssignment.objects.create(user=user, role="duty_officer", unit=top)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def test_gen_data_builds_the_national_world(superior: Agency) -> None:
    made = gendata.national(superior=superior, agencies=7, staff=70, days=10, summaries=50)
    assert made == {"agencies": 7, "people": 70, "sitreps": 70, "summaries": 50}
    subordinates = Agency.objects.filter(superior=superior)
    assert subordinates.count() == 7 and Link.objects.filter(agency__in=subordinates).count() == 7
    assert Person.objects.filter(agency__in=subordinates).count() == 70
    tops = Unit.objects.filter(agency__in=subordinates)
    assert all(u.path == f"/{u.pk}/" for u in tops)
    last = rules.sitrep_day(timezone.now())
    days = set(RollupSitrep.objects.values_list("day", flat=True))
    assert days == {last - timedelta(days=d) for d in range(10)}
    assert RollupIncident.objects.filter(agency__in=subordinates).count() == 50
    # no summary carries more than what goes up: reference, category, level, unit, times, status, clocks
    assert not RollupIncident.objects.filter(closed_at__isnull=True).exclude(status="open").exists()


def _queries(client: Client, url: str) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(captured.captured_queries), response


def test_board_and_sitrep_list_cost_the_same_queries_small_and_large(superior: Agency, duty: Client) -> None:
    urls = ["/upward/", "/api/v1/rollup/sitreps", "/api/v1/rollup/incidents"]
    gendata.national(superior=superior, agencies=3, staff=30, days=3, summaries=30, seed=1)
    small = {url: _queries(duty, url)[0] for url in urls}
    gendata.national(superior=superior, agencies=150, staff=300, days=30, summaries=3000, seed=2)  # 147 more
    assert Agency.objects.filter(superior=superior).count() == 150
    large = {url: _queries(duty, url) for url in urls}
    assert {url: n for url, (n, _response) in large.items()} == small
    board = large["/upward/"][1].content.decode()
    assert board.count('class="sitrep-') == 100 and "?page=2" in board  # a page of 100 agencies, and the next
    counts = large["/upward/"][1].context["counts"]  # the day's counts cover every agency
    assert counts.total == 150 and counts.filed + counts.late + counts.missing + counts.waiting == 150
    second, page_two = _queries(duty, "/upward/?page=2")
    assert second == small["/upward/"] and page_two.content.decode().count('class="sitrep-') == 50
    sitreps = large["/api/v1/rollup/sitreps"][1].json()
    assert sitreps["count"] == 150 and len(sitreps["items"]) == 100
    assert [item["agency"] for item in sitreps["items"][:2]] == ["nat-0001", "nat-0002"]
