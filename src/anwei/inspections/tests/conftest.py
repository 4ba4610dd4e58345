from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from tests.personas import PASSWORD, World

from anwei.accounts import services as accounts
from anwei.inspections import services
from anwei.plans.models import Plan


def make_plan(world: World) -> Plan:
    now = timezone.now()
    return Plan.objects.create(
        agency=world.agency,
        owning_unit=world.units["ethics"],
        title="春安工作期間公務機密暨機關安全維護執行計畫",
        period_start=now - timedelta(days=2),
        period_end=now + timedelta(days=30),
        status=Plan.Status.ACTIVE,
    )


def make_inspector(world: World) -> Any:
    """An inspector with no role: the round names them, nothing else lets them in."""
    from anwei.directory.models import Person

    person = Person.objects.create(agency=world.agency, unit=world.units["ethics"], name="檢查員", title="科員")
    return accounts.create_user(actor=None, username="inspector", password=PASSWORD, agency=world.agency, person=person)


@pytest.fixture
def setup(world: World) -> dict[str, Any]:
    services.install_standard_templates(actor=None)
    return {"plan": make_plan(world), "inspector": make_inspector(world)}


@pytest.fixture(autouse=True)
def _english_outside_requests() -> Any:
    """Services called directly speak English (requests pick their language in the middleware)."""
    from django.utils import translation

    with translation.override("en"):
        yield
