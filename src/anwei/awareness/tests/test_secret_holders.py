"""The traveller category takes the strictest of the directory and the classified register: a staff member whom
the directory does not flag, but who is the custodian of a 極機密 item (or out with a 機密 item on an approved
take-out), is a security-sensitive person (涉密人員) and needs exit approval; a 密 (一般公務機密) item does not
count."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from anwei.awareness import rules, services
from anwei.awareness.models import TravelDeclaration
from anwei.classified import custody, grants
from anwei.classified import services as register
from anwei.classified.rules import Level
from anwei.notifications.models import Notification

pytestmark = pytest.mark.django_db

TRIP = {
    "destination": rules.MAINLAND,
    "places": "上海",
    "applied_on": date(2026, 11, 2),
    "departs_on": date(2026, 11, 20),
    "returns_on": date(2026, 11, 24),
}


def _register(world: Any, level: str, custodian: Any, ref: str) -> Any:
    return register.register_item(
        actor=world.users["staff_a"],
        unit=world.units["a"],
        title="港區部署計畫",
        level=level,
        classified_on=date(2026, 1, 5),
        protection_until=date(2030, 12, 31),
        classifying_authority="測試縣長",
        custodian=custodian,
        storage_location="建設處機密櫃 1",
        reference_no=ref,
    )


def test_custodian_of_a_national_secret_is_security_sensitive(world: Any) -> None:
    person = world.people["staff_a"]
    person.grade, person.national_secret_duty = "第7職等", False
    person.save()
    plain = services.declare_travel(actor=world.users["staff_a"], traveller_id=person.pk, **TRIP)
    assert (plain.category, plain.exit_approval) == (rules.JUNIOR, TravelDeclaration.ExitApproval.NOT_NEEDED)

    _register(world, Level.RESTRICTED, world.users["staff_a"], "115機0001")  # 密: not a national secret
    still = services.declare_travel(actor=world.users["staff_a"], traveller_id=person.pk, **TRIP)
    assert still.category == rules.JUNIOR

    _register(world, Level.SECRET, world.users["staff_a"], "115機0002")  # 極機密 in his custody
    d = services.declare_travel(actor=world.users["staff_a"], traveller_id=person.pk, **TRIP)
    assert (d.category, d.derived_category, d.authority) == (
        rules.SENSITIVE,
        rules.SENSITIVE,
        rules.AUTHORITY_MOI_JOINT,
    )
    assert d.exit_approval == TravelDeclaration.ExitApproval.PENDING
    assert Notification.objects.filter(key=f"awareness:travel:{d.pk}:exit", person=world.people["head"]).exists()


def test_holder_on_an_approved_take_out_is_security_sensitive(world: Any) -> None:
    person = world.people["staff_b"]
    person.grade, person.national_secret_duty = "第9職等", False
    person.save()
    item = _register(world, Level.CONFIDENTIAL, world.users["staff_a"], "115機0003")
    grants.grant_need_to_know(actor=world.users["staff_a"], item=item, user=world.users["staff_b"], reason="會辦")
    req = custody.request(
        actor=world.users["staff_b"],
        item=item,
        kind="take_out",
        purpose="開會",
        due_back=timezone.now() + timedelta(days=3),
    )
    assert services.category_for(person, date(2026, 11, 20)) == rules.JUNIOR  # only requested
    custody.decide(actor=world.users["supervisor_a"], req=req, approve=True)
    assert services.category_for(person, date(2026, 11, 20)) == rules.SENSITIVE
    assert services.needs_exit_approval(person, date(2026, 11, 20))
