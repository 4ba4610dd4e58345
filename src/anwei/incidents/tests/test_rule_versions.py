"""The cyber rules are dated data: the 2021 versions apply to what the office knew of before 2026-01-05, the
versions of the amendment (資通安全事件通報應變及演練辦法) after it; those say that their figures could not be
confirmed, and an administrator sets them."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from anwei.incidents import routing, rulebook
from anwei.incidents.models import Incident, RoutingRule

pytestmark = pytest.mark.django_db


def _incident(world: Any, aware_at: datetime, level: int = 3) -> Incident:
    return Incident(agency=world.agency, category="cyber", cyber_level=level, severity="major", aware_at=aware_at)


def test_the_2021_rules_end_where_the_2026_versions_begin_and_say_what_is_unconfirmed(world: Any) -> None:
    before = {r.name for r in routing.applicable_rules(_incident(world, datetime(2025, 12, 1, 2, tzinfo=UTC)))}
    after = routing.applicable_rules(_incident(world, datetime(2026, 2, 1, 2, tzinfo=UTC)))
    assert "Cyber incident: notify within 1 hour, investigation report 1 month after recovery" in before
    assert "Cyber incident level 3–4: recovery within 36 hours, agency head told" in before
    assert not any("(2026)" in name for name in before)
    cyber = [r for r in after if r.category == "cyber"]
    assert sorted(r.name for r in cyber) == [
        "Cyber incident (2026): notify, investigation report after recovery [deadlines unconfirmed]",
        "Cyber incident level 3–4 (2026): recovery, agency head told [deadline unconfirmed]",
    ]
    assert all("未能確認" in r.note and "資通安全事件通報應變及演練辦法" in r.source for r in cyber)
    # until an administrator sets them, the figures are those of 2021
    recovery = next(r for r in cyber if "3–4" in r.name)
    assert recovery.deadlines == [{"code": "recovery", "hours": 36}]
    page = Client()
    page.force_login(world.users["admin"])
    html = page.get("/incidents/rules/").content.decode()
    assert "2026年修正條文之期限未能確認" in html


def test_an_administrator_sets_the_2026_figure_and_new_reports_follow_it(world: Any) -> None:
    rule = RoutingRule.objects.get(name__startswith="Cyber incident level 3–4 (2026)")
    rulebook.update_rule(
        actor=world.users["admin"],
        rule_id=rule.pk,
        deadlines=[{"code": "recovery", "hours": 24}],
        note="已依修正條文核對",
    )
    aware = datetime(2026, 3, 2, 1, tzinfo=UTC)
    incident = _incident(world, aware)
    due = {d.code: d for d in routing.deadlines_for(incident, routing.applicable_rules(incident))}
    assert due["recovery"].due_at == aware + timedelta(hours=24)
    assert "2026-01-05" in due["recovery"].source and due["notify"].due_at == aware + timedelta(hours=1)
    # a report the office knew of before the amendment keeps the 2021 figure
    old = _incident(world, datetime(2025, 11, 3, 1, tzinfo=UTC))
    old_due = {d.code: d for d in routing.deadlines_for(old, routing.applicable_rules(old))}
    assert old_due["recovery"].due_at == datetime(2025, 11, 3, 1, tzinfo=UTC) + timedelta(hours=36)
