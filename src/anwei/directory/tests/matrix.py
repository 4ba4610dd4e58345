from tests.matrix import ROLE_HOLDERS, Case, api, everyone, page
from tests.personas import World

from anwei.directory import services
from anwei.directory.models import Organisation, Unit


def setup_world(world: World) -> None:
    org = Organisation.objects.create(agency=world.agency, name="測試調查站", kind=Organisation.Kind.INVESTIGATION)
    world.records["org"] = org
    world.records["contact"] = services.ExternalContact.objects.create(organisation=org, name="值日官")
    # a unit with nobody in it, which may be deactivated
    world.records["empty_unit"] = services.create_unit(
        actor=None, agency=world.agency, name="空單位", parent=world.units["b"], kind=Unit.Kind.SECTION
    )


def _secret(world: World) -> str:
    return world.people["in_b"].name


ROLES_200 = everyone(200, ROLE_HOLDERS)
EDITORS_B = {"admin": 200, "ethics": 200}  # supervisor_a's scope is unit A only
# the scope personas: a sub-unit auditor sees the agency's directory; the second agency's ethics officer does not
IN_AGENCY = {"auditor_a1": 200, "ethics_other": 200}  # on lists: ethics_other gets its own agency's only
MAY_SEE_PEOPLE = ROLE_HOLDERS | {"auditor_a1"}
FORBIDDEN = everyone(403, ROLE_HOLDERS)  # visible in the agency, but not theirs to change
UNIT_ADMIN = {**FORBIDDEN, "admin": 200, "auditor_a1": 403, "ethics_other": 404}
CONTACT_EDITORS = {**FORBIDDEN, "admin": 200, "ethics": 200, "auditor_a1": 403, "ethics_other": 404}


def _with(expect: dict[str, int], status: int, *personas: str) -> dict[str, int]:
    return {**expect, **dict.fromkeys(personas, status)}


CASES = [
    Case(
        "directory:people_csv",
        "/directory/people.csv",
        page({**everyone(200), **IN_AGENCY}),
        secret=_secret,
        may_see=MAY_SEE_PEOPLE,
    ),
    Case(
        "directory:index",
        "/directory/",
        page({**everyone(200), **IN_AGENCY}),
        secret=_secret,
        may_see=MAY_SEE_PEOPLE,
    ),
    Case(
        "directory:person",
        lambda w: f"/directory/people/{w.people['in_b'].pk}/",
        page({**ROLES_200, "auditor_a1": 200, "ethics_other": 404}),
        default=404,
        secret=_secret,
        may_see=MAY_SEE_PEOPLE,
    ),
    Case(
        "directory:person_edit",
        lambda w: f"/directory/people/{w.people['in_b'].pk}/edit/",
        page({**everyone(403, ROLE_HOLDERS), **EDITORS_B}),
        default=404,
        label="other unit",
    ),
    Case(
        "directory:person_edit",
        lambda w: f"/directory/people/{w.people['in_a1'].pk}/edit/",
        page({**everyone(403, ROLE_HOLDERS), **EDITORS_B, "supervisor_a": 200}),
        default=404,
        label="own subtree",
    ),
    Case(
        "directory:person_edit",
        lambda w: f"/directory/people/{w.people['in_b'].pk}/edit/",
        page({**everyone(403, ROLE_HOLDERS), "admin": 302, "ethics": 302}),
        default=404,
        method="post",
        data=lambda w: {"unit": w.units["b"].pk, "name": "改名", "title": "科員"},
        label="post",
    ),
    Case(
        "directory:person_new",
        "/directory/people/new/",
        page({"admin": 200, "ethics": 200, "supervisor_a": 200}),
    ),
    Case(
        "directory:person_vcard",
        lambda w: f"/directory/people/{w.people['in_b'].pk}/vcard/",
        page(ROLES_200),
        default=404,
    ),
    Case(
        "directory:unit_vcards",
        lambda w: f"/directory/units/{w.units['b'].pk}/vcards/",
        page(ROLES_200),
        default=404,
    ),
    Case("directory:organisations", "/directory/organisations/", page({**everyone(200), **IN_AGENCY})),
    Case(
        "directory:organisations_csv",
        "/directory/organisations.csv?kind=investigation",
        page({**everyone(200), **IN_AGENCY}),
    ),
    Case(
        "directory:organisations",
        "/directory/organisations/?q=值日&kind=investigation",
        page({**everyone(200), **IN_AGENCY}),
        label="search",
    ),
    # the unit tree (directory.manage_units: admins)
    Case("directory:units", "/directory/units/", page({"admin": 200, "auditor_a1": 403, "ethics_other": 403})),
    Case("directory:units_csv", "/directory/units.csv", page({"admin": 200, "auditor_a1": 403, "ethics_other": 403})),
    Case("directory:unit_new", "/directory/units/new/", page({"admin": 200})),
    Case(
        "directory:unit_new",
        "/directory/units/new/",
        page({"admin": 302}),
        method="post",
        data=lambda w: {"parent": w.units["a"].pk, "name": "新設科", "kind": "section", "sort_order": 0},
        label="post",
    ),
    Case(
        "directory:unit_edit",
        lambda w: f"/directory/units/{w.units['b'].pk}/edit/",
        page(UNIT_ADMIN),
        default=404,
    ),
    Case(
        "directory:unit_edit",
        lambda w: f"/directory/units/{w.units['a1'].pk}/edit/",
        page(_with(UNIT_ADMIN, 302, "admin")),
        default=404,
        method="post",
        data=lambda w: {"parent": w.units["b"].pk, "name": "工務科", "kind": "section", "sort_order": 0},
        label="move",
    ),
    Case(
        "directory:unit_active",
        lambda w: f"/directory/units/{w.records['empty_unit'].pk}/active/",
        page(_with(UNIT_ADMIN, 302, "admin")),
        default=404,
        method="post",
        data={"active": "0"},
    ),
    # outside contacts: edit and remove (directory.manage_external)
    Case(
        "directory:contact_edit",
        lambda w: f"/directory/contacts/{w.records['contact'].pk}/edit/",
        page(CONTACT_EDITORS),
        default=404,
    ),
    Case(
        "directory:contact_edit",
        lambda w: f"/directory/contacts/{w.records['contact'].pk}/edit/",
        page(_with(CONTACT_EDITORS, 302, "admin", "ethics")),
        default=404,
        method="post",
        data={"name": "值日官", "title": "", "phone": "110", "mobile": "", "email": ""},
        label="post",
    ),
    Case(
        "directory:contact_delete",
        lambda w: f"/directory/contacts/{w.records['contact'].pk}/delete/",
        page(_with(CONTACT_EDITORS, 302, "admin", "ethics")),
        default=404,
        method="post",
        data={},
    ),
    Case("directory:organisation_new", "/directory/organisations/new/", page({"admin": 200, "ethics": 200})),
    Case(
        "directory:organisation_edit",
        lambda w: f"/directory/organisations/{w.records['org'].pk}/edit/",
        page({**everyone(403, ROLE_HOLDERS), "admin": 200, "ethics": 200}),
        default=404,
    ),
    Case(
        "directory:organisation",
        lambda w: f"/directory/organisations/{w.records['org'].pk}/",
        page({**everyone(403, ROLE_HOLDERS), "admin": 302, "ethics": 302}),
        default=404,
        method="post",
        data={"name": "值班台", "title": "", "phone": "110", "mobile": "", "email": ""},
        label="add contact",
    ),
    Case(
        "directory:organisation",
        lambda w: f"/directory/organisations/{w.records['org'].pk}/",
        page(ROLES_200),
        default=404,
    ),
    Case(
        "directory:contact_vcard",
        lambda w: f"/directory/contacts/{w.records['contact'].pk}/vcard/",
        page(ROLES_200),
        default=404,
    ),
    # API
    Case("GET /api/v1/directory/units", "/api/v1/directory/units", api(everyone(200))),
    Case(
        "GET /api/v1/directory/units/{unit_id}",
        lambda w: f"/api/v1/directory/units/{w.units['b'].pk}",
        api(ROLES_200),
        default=404,
    ),
    Case(
        "GET /api/v1/directory/people",
        "/api/v1/directory/people",
        api(everyone(200)),
        secret=_secret,
        may_see=ROLE_HOLDERS,
    ),
    Case(
        "GET /api/v1/directory/people/{person_id}",
        lambda w: f"/api/v1/directory/people/{w.people['in_b'].pk}",
        api(ROLES_200),
        default=404,
        secret=_secret,
        may_see=ROLE_HOLDERS,
    ),
    Case(
        "POST /api/v1/directory/people",
        "/api/v1/directory/people",
        api({"admin": 201, "ethics": 201, "supervisor_a": 201, "outsider": 403}),
        method="post",
        json=True,
        data=lambda w: {"unit_id": w.units["a1"].pk, "name": "新進人員"},
    ),
    Case(
        "PATCH /api/v1/directory/people/{person_id}",
        lambda w: f"/api/v1/directory/people/{w.people['in_a1'].pk}",
        api({**everyone(403, ROLE_HOLDERS), "admin": 200, "ethics": 200, "supervisor_a": 200}),
        default=404,
        method="patch",
        json=True,
        data={"title": "工程司"},
    ),
    Case(
        "GET /api/v1/directory/organisations",
        "/api/v1/directory/organisations?q=值日",
        api({**everyone(200), **IN_AGENCY}),
    ),
    Case(
        "POST /api/v1/directory/units",
        "/api/v1/directory/units",
        api({**UNIT_ADMIN, "admin": 201}),
        default=404,
        method="post",
        json=True,
        data=lambda w: {"parent_id": w.units["a"].pk, "name": "新設科", "kind": "section"},
    ),
    Case(
        "PATCH /api/v1/directory/units/{unit_id}",
        lambda w: f"/api/v1/directory/units/{w.units['a1'].pk}",
        api(UNIT_ADMIN),
        default=404,
        method="patch",
        json=True,
        data=lambda w: {"parent_id": w.units["b"].pk, "name": "工務二科"},
    ),
    Case(
        "POST /api/v1/directory/organisations/{org_id}/contacts",
        lambda w: f"/api/v1/directory/organisations/{w.records['org'].pk}/contacts",
        api({**CONTACT_EDITORS, "admin": 201, "ethics": 201}),
        default=404,
        method="post",
        json=True,
        data={"name": "主任", "phone": "(03)8221234"},
    ),
    Case(
        "PATCH /api/v1/directory/contacts/{contact_id}",
        lambda w: f"/api/v1/directory/contacts/{w.records['contact'].pk}",
        api(CONTACT_EDITORS),
        default=404,
        method="patch",
        json=True,
        data={"mobile": "0912345678"},
    ),
    Case(
        "DELETE /api/v1/directory/contacts/{contact_id}",
        lambda w: f"/api/v1/directory/contacts/{w.records['contact'].pk}",
        api({**CONTACT_EDITORS, "admin": 204, "ethics": 204}),
        default=404,
        method="delete",
    ),
    Case(
        "GET /api/v1/directory/organisations/{org_id}",
        lambda w: f"/api/v1/directory/organisations/{w.records['org'].pk}",
        api(ROLES_200),
        default=404,
    ),
]
