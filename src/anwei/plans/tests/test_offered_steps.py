"""The lifecycle steps a plan's page offers come from the policies (the template only shows them): what the
status allows and the user may take."""

import pytest

from anwei.plans import policies, services

from .factories import make_plan

pytestmark = pytest.mark.django_db


def test_steps_offered_follow_the_status_and_the_role(world):
    plan = make_plan(world)
    head, ethics, staff = world.users["head"], world.users["ethics"], world.users["staff_a"]
    assert (policies.offered_steps(head, plan), policies.offered_steps(ethics, plan)) == (["approve"], [])
    assert (policies.may_amend(ethics, plan), policies.may_amend(head, plan)) == (True, False)
    plan = services.approve_plan(actor=head, plan=plan)
    assert (policies.offered_steps(head, plan), policies.offered_steps(ethics, plan)) == ([], ["activate", "close"])
    plan = services.activate_plan(actor=ethics, plan=plan)
    assert policies.offered_steps(ethics, plan) == ["close"] and policies.offered_steps(staff, plan) == []
    plan = services.close_plan(actor=ethics, plan=plan)
    assert policies.offered_steps(ethics, plan) == [] and not policies.may_amend(ethics, plan)


def test_the_page_shows_only_the_offered_steps(world, client_for):
    plan = services.approve_plan(actor=world.users["head"], plan=make_plan(world))
    page = client_for("ethics").get(f"/plans/{plan.pk}/").content.decode()
    assert 'value="activate"' in page and 'value="close"' in page and 'value="approve"' not in page
    assert client_for("head").get(f"/plans/{plan.pk}/").content.decode().count('name="to"') == 0
