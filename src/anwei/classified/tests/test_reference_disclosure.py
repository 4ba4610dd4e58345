"""Finding (issue 15): registering an item under a reference number already used in another unit answered "This
reference number is already registered" — an oracle for the register's numbers outside the user's scope. The
refusal now says nothing of what holds the number unless the user may see it."""

from typing import Any

import pytest
from django.utils import translation

from anwei.classified.tests.factories import item
from anwei.core.errors import BusinessRuleError

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


NUMBER = "府財機字第1150000123號"


def test_a_taken_number_outside_ones_scope_is_refused_without_saying_it_is_registered(world: Any) -> None:
    item(
        world, actor=world.users["ethics"], unit=world.units["b"], custodian=world.users["staff_b"], reference_no=NUMBER
    )

    with pytest.raises(BusinessRuleError) as refused:
        item(world, reference_no=NUMBER)  # staff of unit A: the number is held in unit B
    assert refused.value.field == "reference_no"
    assert (
        str(refused.value.message)
        == "This reference number cannot be used. Leave it empty to be given the next free number."
    )
    assert "registered" not in str(refused.value.message)

    with pytest.raises(BusinessRuleError) as seen:  # the ethics officer sees the whole register: told plainly
        item(world, actor=world.users["ethics"], reference_no=NUMBER)
    assert str(seen.value.message) == "This reference number is already registered."
