"""The directory: search, edit with audit, vCards, the duty roster's 'who is on duty now'."""

from datetime import datetime, timedelta
from typing import Any

import pytest

from anwei.audit.models import AuditEntry
from anwei.core.errors import NotAllowed
from anwei.core.rocdate import TAIPEI
from anwei.directory import selectors, services
from anwei.directory.models import Person

pytestmark = pytest.mark.django_db


def test_search_finds_by_name_title_and_unit(world: Any) -> None:
    user = world.users["staff_b"]
    assert [p.name for p in selectors.people(user, q="甲一")] == ["甲一承辦"]
    assert "乙承辦" in [p.name for p in selectors.people(user, q="財政")]
    assert {p.name for p in selectors.people(user, unit=world.units["a"])} >= {"甲一承辦", "supervisor_a-person"}


def test_outsider_sees_nobody(world: Any) -> None:
    assert not selectors.people(world.users["outsider"]).exists()


def test_htmx_search_returns_only_the_list(client: Any, world: Any) -> None:
    client.force_login(world.users["staff_a"])
    response = client.get("/directory/", {"q": "乙"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"<html" not in response.content and "乙承辦".encode() in response.content


def test_supervisor_edits_own_subtree_only(world: Any) -> None:
    supervisor = world.users["supervisor_a"]
    services.update_person(actor=supervisor, person=world.people["in_a1"], title="工程司")
    with pytest.raises(NotAllowed):
        services.update_person(actor=supervisor, person=world.people["in_b"], title="x")
    with pytest.raises(NotAllowed):  # moving someone out of one's scope
        services.update_person(actor=supervisor, person=world.people["in_a1"], unit=world.units["b"])


def test_edit_form_saves_and_audits(client: Any, world: Any) -> None:
    client.force_login(world.users["ethics"])
    person = world.people["in_b"]
    url = f"/directory/people/{person.pk}/edit/"
    response = client.post(url, {"unit": world.units["b"].pk, "name": "乙承辦", "title": "", "mobile": "0912345678"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.mobile == "0912345678"
    entry = AuditEntry.objects.filter(object_type="directory.person", object_id=str(person.pk)).latest("seq")
    assert entry.changes["mobile"] == ["", "0912345678"]
    assert entry.changes["title"] == ["科員", ""]


def test_edit_form_bad_input_changes_nothing(client: Any, world: Any) -> None:
    client.force_login(world.users["ethics"])
    person = world.people["in_b"]
    before = AuditEntry.objects.count()
    response = client.post(f"/directory/people/{person.pk}/edit/", {"unit": "", "name": "", "email": "not-an-email"})
    assert response.status_code == 200
    assert response.content.count(b'class="errorlist"') >= 2
    person.refresh_from_db()
    assert person.name == "乙承辦" and AuditEntry.objects.count() == before


def test_vcard(client: Any, world: Any) -> None:
    person = world.people["in_a1"]
    person.mobile, person.office_phone, person.extension = "0912000111", "(03)8227171", "315"
    person.save()
    client.force_login(world.users["staff_b"])
    response = client.get(f"/directory/people/{person.pk}/vcard/")
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/vcard")
    assert "BEGIN:VCARD" in text and "FN:甲一承辦" in text
    assert "TEL;TYPE=CELL:0912000111" in text and "TEL;TYPE=WORK:(03)8227171 ext. 315" in text


def _taipei(*args: int) -> datetime:
    return datetime(*args, tzinfo=TAIPEI)


def test_on_duty_at_shift_boundaries_across_midnight_and_at_the_end(world: Any) -> None:
    kind = services.create_duty_kind(actor=None, agency=world.agency, code="ethics", name="政風值勤")
    day, night = world.people["ethics"], world.people["duty"]
    start = _taipei(2014, 1, 21, 22)
    services.add_shift(actor=None, kind=kind, starts_at=start, ends_at=start + timedelta(hours=10), person=night)
    services.add_shift(
        actor=None, kind=kind, starts_at=start + timedelta(hours=10), ends_at=_taipei(2014, 1, 22, 22), person=day
    )
    assert selectors.on_duty(world.agency, "ethics", _taipei(2014, 1, 21, 21, 59)).person is None
    assert selectors.on_duty(world.agency, "ethics", start).person == night
    assert selectors.on_duty(world.agency, "ethics", _taipei(2014, 1, 22, 0, 0)).person == night  # past midnight
    assert selectors.on_duty(world.agency, "ethics", _taipei(2014, 1, 22, 8)).person == day  # boundary: next shift
    assert selectors.on_duty(world.agency, "ethics", _taipei(2014, 1, 22, 21, 59)).person == day
    assert selectors.on_duty(world.agency, "ethics", _taipei(2014, 1, 22, 22)).shift is None  # the end


def test_substitute_takes_over_when_the_person_is_unavailable(world: Any) -> None:
    kind = services.create_duty_kind(actor=None, agency=world.agency, code="agency", name="機關值勤")
    shift = services.add_shift(
        actor=None,
        kind=kind,
        starts_at=_taipei(2026, 1, 1, 8),
        ends_at=_taipei(2026, 1, 1, 20),
        person=world.people["staff_a"],
        substitute=world.people["staff_b"],
    )
    at = _taipei(2026, 1, 1, 12)
    assert selectors.on_duty(world.agency, "agency", at).person == world.people["staff_a"]
    shift.primary_unavailable = True
    shift.save()
    answer = selectors.on_duty(world.agency, "agency", at)
    assert answer.person == world.people["staff_b"] and answer.is_substitute
    Person.objects.filter(pk=world.people["staff_b"].pk).update(active=False)
    assert selectors.on_duty(world.agency, "agency", at).person is None


def test_people_download_as_csv_with_the_search_applied(client_for: Any) -> None:
    response = client_for("staff_a").get("/directory/people.csv?q=甲一")
    rows = b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert rows[0].split(",")[:3] == ["名稱", "單位", "職稱"]
    assert len(rows) == 2 and rows[1].startswith("甲一承辦")
