"""Self-service privilege: a unit supervisor could switch off his own national-secret duty (and so the exit approval
for mainland travel), change his grade, and redirect anyone's notifications by changing their e-mail address. Those
fields are changed only by the ethics office or an administrator, never in one's own entry; each change is audited
and the person is told — at the old address too."""

import json
from typing import Any

import pytest
from django.core import mail

from anwei.audit.models import AuditEntry
from anwei.directory.models import Person
from anwei.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _patch(client: Any, person: Person, body: dict[str, Any]) -> Any:
    return client.patch(f"/api/v1/directory/people/{person.pk}", json.dumps(body), content_type="application/json")


def test_a_supervisor_cannot_lift_his_own_national_secret_duty_or_grade(world: Any, client_for: Any) -> None:
    own = world.people["supervisor_a"]
    Person.objects.filter(pk=own.pk).update(national_secret_duty=True, grade="薦任第八職等")
    supervisor = client_for("supervisor_a")
    assert _patch(supervisor, own, {"national_secret_duty": False}).status_code == 403
    assert _patch(supervisor, own, {"grade": "簡任第十職等"}).status_code == 403
    own.refresh_from_db()
    assert own.national_secret_duty is True and own.grade == "薦任第八職等"
    # what is not protected he still edits, in his own entry and in his unit
    assert _patch(supervisor, own, {"title": "處長"}).status_code == 200
    assert _patch(supervisor, world.people["staff_a"], {"office_phone": "02-2345-6789"}).status_code == 200


def test_a_supervisor_cannot_redirect_the_notifications_of_his_staff(world: Any, client_for: Any) -> None:
    staff = world.people["staff_a"]
    supervisor = client_for("supervisor_a")
    assert _patch(supervisor, staff, {"email": "supervisor-inbox@evil.example"}).status_code == 403
    assert _patch(supervisor, staff, {"mobile": "0912-345-678"}).status_code == 403
    staff.refresh_from_db()
    assert staff.email == "staff_a@test.example" and staff.mobile == ""
    # the page keeps them as they are too
    response = supervisor.post(
        f"/directory/people/{staff.pk}/edit/",
        {"unit": world.units["a"].pk, "name": staff.name, "title": "技正", "email": "supervisor-inbox@evil.example"},
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.title == "技正" and staff.email == "staff_a@test.example"


def test_the_ethics_office_changes_them_audited_and_the_person_is_told(
    world: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    staff = world.people["staff_a"]
    ethics = client_for("ethics")
    with django_capture_on_commit_callbacks(execute=True):
        response = _patch(ethics, staff, {"email": "new-address@test.example", "grade": "委任第五職等"})
    assert response.status_code == 200
    staff.refresh_from_db()
    assert staff.email == "new-address@test.example"
    entry = AuditEntry.objects.filter(object_type="directory.person", object_id=str(staff.pk), action="update").get()
    assert entry.actor_id == world.users["ethics"].pk
    assert entry.changes["email"] == ["staff_a@test.example", "new-address@test.example"]
    told = Notification.objects.filter(person=staff).get()
    assert "ethics-person" in told.body, told.body
    assert "修改了" in told.body and "電子郵件" in told.body and "職等" in told.body, told.body
    to_old = [m for m in mail.outbox if m.to == ["staff_a@test.example"]]  # the old address hears of it
    assert len(to_old) == 1 and to_old[0].subject == told.subject


def test_not_even_the_ethics_office_changes_its_own_entry(world: Any, client_for: Any) -> None:
    own = world.people["ethics"]
    Person.objects.filter(pk=own.pk).update(national_secret_duty=True)
    assert _patch(client_for("ethics"), own, {"national_secret_duty": False}).status_code == 403
    assert _patch(client_for("admin"), own, {"national_secret_duty": False}).status_code == 200
    own.refresh_from_db()
    assert own.national_secret_duty is False
