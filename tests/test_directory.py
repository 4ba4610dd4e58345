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
    assert "VERSION:4.0" in text
    assert "TEL;TYPE=cell:0912000111" in text and "TEL;TYPE=work,voice:(03)8227171 ext. 315" in text


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
    assert rows[0].split(",")[:3] == ["姓名", "單位", "職稱"]
    assert len(rows) == 2 and rows[1].startswith("甲一承辦")


def _csv(response: Any) -> list[list[str]]:
    import csv
    import io

    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_organisations_units_and_users_download_as_csv_and_are_audited(world: Any, client_for: Any) -> None:
    org = services.create_organisation(
        actor=world.users["admin"], agency=world.agency, name="測試調查站", kind="investigation"
    )
    services.add_contact(actor=world.users["admin"], organisation=org, name="值日官", mobile="0912345678")
    services.add_contact(actor=world.users["admin"], organisation=org, name="主任", title="主任")
    rows = _csv(client_for("ethics").get("/directory/organisations.csv?kind=investigation"))
    assert rows[0][:3] == ["外部機關", "類別", "姓名"]
    assert sorted(r[2] for r in rows[1:]) == ["主任", "值日官"] and {r[0] for r in rows[1:]} == {"測試調查站"}
    units = _csv(client_for("admin").get("/directory/units.csv"))
    assert {r[0] for r in units[1:]} >= {"建設處", "工務科"}
    users = _csv(client_for("ethics").get("/accounts/users.csv"))
    by_name = {r[0]: r for r in users[1:]}
    assert "單位主管" in by_name["supervisor_a"][3] and "建設處" in by_name["supervisor_a"][3]
    exported = set(AuditEntry.objects.filter(action="export").values_list("object_type", flat=True))
    assert {"directory.externalcontact", "directory.unit", "accounts.user"} <= exported


# --- the unit tree: edit, move, deactivate ---------------------------------------------------------------------


def _unit(pk: int) -> Any:
    from anwei.directory.models import Unit

    return Unit.objects.get(pk=pk)


def test_moving_a_unit_gives_its_whole_subtree_the_new_path(world: Any) -> None:
    from anwei.audit.models import AuditEntry

    admin, a, a1, b = world.users["admin"], world.units["a"], world.units["a1"], world.units["b"]
    deep = services.create_unit(actor=admin, agency=world.agency, name="工務股", parent=a1)
    deeper = services.create_unit(actor=admin, agency=world.agency, name="第一組", parent=deep)
    services.update_unit(actor=admin, unit=a1, parent=b)
    a1, deep, deeper = _unit(a1.pk), _unit(deep.pk), _unit(deeper.pk)
    assert a1.parent_id == b.pk and a1.path == f"{b.path}{a1.pk}/"
    assert deep.path == f"{a1.path}{deep.pk}/" and deeper.path == f"{deep.path}{deeper.pk}/"
    assert deeper.is_within(b) and not deeper.is_within(_unit(a.pk)) and deeper.depth == 4
    assert {p.name for p in selectors.people(world.users["staff_b"], unit=b)} >= {"甲一承辦"}
    assert "甲一承辦" not in {p.name for p in selectors.people(world.users["staff_b"], unit=_unit(a.pk))}
    # roles follow the tree: unit A's supervisor no longer edits the people of A1
    supervisor = type(world.users["supervisor_a"]).objects.get(pk=world.users["supervisor_a"].pk)
    with pytest.raises(NotAllowed):
        services.update_person(actor=supervisor, person=Person.objects.get(pk=world.people["in_a1"].pk), title="x")
    entry = AuditEntry.objects.filter(object_type="directory.unit", object_id=str(a1.pk), action="update").latest("seq")
    assert entry.changes["parent_id"] == [a.pk, b.pk] and entry.changes["subtree_moved"] == 3
    # and back again: the same paths as before
    services.update_unit(actor=admin, unit=a1, parent=_unit(a.pk))
    assert _unit(deeper.pk).path == f"{a.path}{a1.pk}/{deep.pk}/{deeper.pk}/"


def test_a_move_that_would_break_the_tree_is_refused(world: Any) -> None:
    from anwei.core.errors import BusinessRuleError

    admin, a, a1, b = world.users["admin"], world.units["a"], world.units["a1"], world.units["b"]
    other = services.create_agency(actor=None, code="x", name="他機關")
    other_root = services.create_unit(actor=None, agency=other, name="他機關")
    services.create_unit(actor=admin, agency=world.agency, name="工務科", parent=b)
    for parent, field in ((a1, "parent"), (a, "parent"), (other_root, "parent"), (b, "name")):
        with pytest.raises(BusinessRuleError) as refused:
            services.update_unit(actor=admin, unit=a, parent=parent) if parent != b else services.update_unit(
                actor=admin, unit=a1, parent=b
            )
        assert refused.value.field == field
    with pytest.raises(BusinessRuleError):
        services.update_unit(actor=admin, unit=world.units["root"], parent=b)
    assert _unit(a.pk).path == a.path and _unit(a1.pk).path == a1.path
    for actor in (world.users["ethics"], world.users["supervisor_a"]):
        with pytest.raises(NotAllowed):
            services.update_unit(actor=actor, unit=a1, name="改名")


def test_deactivating_a_unit_needs_it_empty_and_reactivating_needs_its_parent(world: Any) -> None:
    from anwei.accounts.scope import scope_for
    from anwei.core.errors import BusinessRuleError

    admin, b = world.users["admin"], world.units["b"]
    with pytest.raises(BusinessRuleError, match=r"人員|people"):
        services.update_unit(actor=admin, unit=b, active=False)
    section = services.create_unit(actor=admin, agency=world.agency, name="空科", parent=b)
    services.update_unit(actor=admin, unit=section, active=False)
    assert not _unit(section.pk).active
    assert section not in selectors.unit_tree(world.users["staff_b"])
    assert section in selectors.units_to_manage(admin)
    # a role on an inactive unit no longer reaches anything
    from anwei.accounts import services as accounts

    accounts.assign_role(actor=admin, user=world.users["outsider"], role="staff", unit=_unit(section.pk))
    assert scope_for(type(admin).objects.get(pk=world.users["outsider"].pk), "directory.view").empty
    with pytest.raises(BusinessRuleError):
        services.update_unit(actor=admin, unit=world.units["root"], active=False)
    services.update_unit(actor=admin, unit=section, active=True)
    child = services.create_unit(actor=admin, agency=world.agency, name="子組", parent=_unit(section.pk))
    with pytest.raises(BusinessRuleError, match=r"下屬|sub-units"):
        services.update_unit(actor=admin, unit=section, active=False)
    services.update_unit(actor=admin, unit=child, active=False)
    services.update_unit(actor=admin, unit=section, active=False)
    with pytest.raises(BusinessRuleError, match=r"上級|above"):
        services.update_unit(actor=admin, unit=child, active=True)  # its parent is inactive
    services.update_unit(actor=admin, unit=section, active=True)
    services.update_unit(actor=admin, unit=child, active=True)
    assert _unit(child.pk).active


def test_unit_pages_edit_move_and_deactivate(client_for: Any, world: Any) -> None:
    admin = client_for("admin")
    a1, b = world.units["a1"], world.units["b"]
    assert "工務科" in admin.get("/directory/units/").content.decode()
    response = admin.post(
        f"/directory/units/{a1.pk}/edit/",
        {"parent": b.pk, "name": "工務科", "name_en": "Works", "kind": "section", "sort_order": 2},
    )
    assert response.status_code == 302
    assert _unit(a1.pk).path == f"{b.path}{a1.pk}/" and _unit(a1.pk).name_en == "Works"
    response = admin.post(f"/directory/units/{a1.pk}/edit/", {"parent": a1.pk, "name": "工務科", "kind": "section"})
    assert response.status_code == 200 and b'class="errorlist"' in response.content  # not under itself
    response = admin.post("/directory/units/new/", {"parent": b.pk, "name": "新科", "kind": "section", "sort_order": 0})
    assert response.status_code == 302
    new = type(a1).objects.get(name="新科")
    assert new.path == f"{b.path}{new.pk}/"
    assert admin.post(f"/directory/units/{new.pk}/active/", {"active": "0"}).status_code == 302
    assert not _unit(new.pk).active
    response = admin.post(f"/directory/units/{b.pk}/active/", {"active": "0"}, follow=True)
    assert _unit(b.pk).active and "請先" in response.content.decode()  # refused with the reason


def test_unit_form_refuses_unknown_and_over_long_fields(client_for: Any, world: Any) -> None:
    admin = client_for("admin")
    url = f"/directory/units/{world.units['b'].pk}/edit/"
    base = {"parent": world.units["root"].pk, "name": "財政處", "kind": "department", "sort_order": 0}
    response = admin.post(url, {**base, "path": "/1/"})
    assert response.status_code == 200 and "此表單沒有下列欄位：path" in response.content.decode()
    response = admin.post(url, {**base, "name": "長" * 121})
    assert response.status_code == 200 and b'class="errorlist"' in response.content
    assert _unit(world.units["b"].pk).path == world.units["b"].path


# --- outside organisations and their contacts ----------------------------------------------------------------


def _org(world: Any) -> Any:
    from anwei.directory.models import Organisation

    org = services.create_organisation(
        actor=world.users["ethics"], agency=world.agency, name="花蓮縣警察局", kind=Organisation.Kind.POLICE
    )
    services.add_contact(actor=world.users["ethics"], organisation=org, name="林組長", phone="(03)8224023")
    return org


def test_contacts_are_edited_and_removed_with_audit(client_for: Any, world: Any) -> None:
    from anwei.directory.models import ExternalContact

    org = _org(world)
    contact = org.contacts.get()
    ethics = client_for("ethics")
    assert ethics.get(f"/directory/contacts/{contact.pk}/edit/").status_code == 200
    response = ethics.post(
        f"/directory/contacts/{contact.pk}/edit/", {"name": "林組長", "title": "組長", "phone": "", "mobile": "0911"}
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(object_type="directory.externalcontact", action="update").latest("seq")
    assert entry.changes == {"title": ["", "組長"], "phone": ["(03)8224023", ""], "mobile": ["", "0911"]}
    response = ethics.post(f"/directory/contacts/{contact.pk}/edit/", {"name": "林組長", "organisation": 9})
    assert response.status_code == 200 and "organisation" in response.content.decode()
    assert client_for("staff_a").post(f"/directory/contacts/{contact.pk}/delete/").status_code == 403
    assert ethics.post(f"/directory/contacts/{contact.pk}/delete/").status_code == 302
    assert not ExternalContact.objects.filter(pk=contact.pk).exists()
    entry = AuditEntry.objects.filter(object_type="directory.externalcontact", action="delete").latest("seq")
    assert entry.changes["old"]["name"] == "林組長" and entry.changes["old"]["mobile"] == "0911"


def test_organisations_are_searched_by_their_own_details_and_their_contacts(client_for: Any, world: Any) -> None:
    _org(world)
    user = world.users["staff_a"]
    assert [o.name for o in selectors.organisations(user, q="林組長")] == ["花蓮縣警察局"]
    assert [o.name for o in selectors.organisations(user, q="8224023")] == ["花蓮縣警察局"]
    assert not selectors.organisations(user, q="調查站").exists()
    page = client_for("staff_a").get("/directory/organisations/", {"q": "林組"}, headers={"HX-Request": "true"})
    assert "花蓮縣警察局" in page.content.decode() and b"<html" not in page.content
    api = client_for("staff_a").get("/api/v1/directory/organisations", {"q": "林組長"}).json()
    assert [o["name"] for o in api] == ["花蓮縣警察局"]
    assert client_for("staff_a").get("/api/v1/directory/organisations", {"q": "x" * 81}).status_code == 422


# --- exports go on the audit log -----------------------------------------------------------------------------


def test_every_directory_export_is_audited(client_for: Any, world: Any) -> None:
    org = _org(world)
    client = client_for("staff_b")
    downloads = [
        ("/directory/people.csv?q=甲一", "directory.person", ""),
        (f"/directory/people/{world.people['in_a1'].pk}/vcard/", "directory.person", str(world.people["in_a1"].pk)),
        (f"/directory/units/{world.units['a'].pk}/vcards/", "directory.unit", str(world.units["a"].pk)),
        (
            f"/directory/contacts/{org.contacts.get().pk}/vcard/",
            "directory.externalcontact",
            str(org.contacts.get().pk),
        ),
    ]
    for url, object_type, object_id in downloads:
        before = AuditEntry.objects.filter(action="export").count()
        response = client.get(url)
        assert response.status_code == 200, url
        entry = AuditEntry.objects.filter(action="export").latest("seq")
        assert AuditEntry.objects.filter(action="export").count() == before + 1
        assert (entry.object_type, entry.object_id, entry.actor_label) == (object_type, object_id, "staff_b")
    csv_entry = AuditEntry.objects.filter(action="export", changes__format="csv").latest("seq")
    assert csv_entry.changes["q"] == "甲一" and csv_entry.changes["rows"] == 1


# --- the API -------------------------------------------------------------------------------------------------


def test_api_edits_units_and_contacts(client_for: Any, world: Any) -> None:
    import json

    api = client_for("admin")
    a1, b = world.units["a1"], world.units["b"]
    response = api.post(
        "/api/v1/directory/units",
        json.dumps({"parent_id": b.pk, "name": "稅務科", "kind": "section"}),
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["path"].startswith(b.path)
    response = api.patch(
        f"/api/v1/directory/units/{a1.pk}", json.dumps({"parent_id": b.pk}), content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["path"] == f"{b.path}{a1.pk}/"
    response = api.patch(
        f"/api/v1/directory/units/{b.pk}", json.dumps({"parent_id": a1.pk}), content_type="application/json"
    )
    assert response.status_code == 422 and response.json()["error"]["fields"] == {
        "parent": [response.json()["error"]["message"]]
    }
    for body in ({"name": "長" * 121}, {"path": "/1/"}, {"kind": "castle"}):
        response = api.patch(f"/api/v1/directory/units/{b.pk}", json.dumps(body), content_type="application/json")
        assert response.status_code == 422, body
    org = _org(world)
    ethics = client_for("ethics")
    url = f"/api/v1/directory/organisations/{org.pk}/contacts"
    response = ethics.post(url, json.dumps({"name": "值班台", "phone": "110"}), content_type="application/json")
    assert response.status_code == 201
    contact_id = response.json()["id"]
    response = ethics.patch(
        f"/api/v1/directory/contacts/{contact_id}",
        json.dumps({"email": "not-an-address"}),
        content_type="application/json",
    )
    assert response.status_code == 422 and "email" in response.json()["error"]["fields"]  # the model's own check
    response = ethics.post(url, json.dumps({"name": "x", "fax": "1"}), content_type="application/json")
    assert response.status_code == 422 and "fax" in response.json()["error"]["fields"]
    assert ethics.delete(f"/api/v1/directory/contacts/{contact_id}").status_code == 204
    assert ethics.delete(f"/api/v1/directory/contacts/{contact_id}").status_code == 404


def test_api_search_text_is_bounded(client_for: Any) -> None:
    response = client_for("staff_a").get("/api/v1/directory/people", {"q": "甲" * 81})
    assert response.status_code == 422 and "q" in response.json()["error"]["fields"]
