from tests.matrix import ROLE_HOLDERS, Case, api, everyone, page
from tests.personas import World

from anwei.directory import services
from anwei.directory.models import Organisation


def setup_world(world: World) -> None:
    org = Organisation.objects.create(agency=world.agency, name="測試調查站", kind=Organisation.Kind.INVESTIGATION)
    world.records["org"] = org
    world.records["contact"] = services.ExternalContact.objects.create(organisation=org, name="值日官")


def _secret(world: World) -> str:
    return world.people["in_b"].name


ROLES_200 = everyone(200, ROLE_HOLDERS)
EDITORS_B = {"admin": 200, "ethics": 200}  # supervisor_a's scope is unit A only

CASES = [
    Case("directory:people_csv", "/directory/people.csv", page(everyone(200)), secret=_secret, may_see=ROLE_HOLDERS),
    Case("directory:index", "/directory/", page(everyone(200)), secret=_secret, may_see=ROLE_HOLDERS),
    Case(
        "directory:person",
        lambda w: f"/directory/people/{w.people['in_b'].pk}/",
        page(ROLES_200),
        default=404,
        secret=_secret,
        may_see=ROLE_HOLDERS,
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
    Case("directory:organisations", "/directory/organisations/", page(everyone(200))),
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
    Case("GET /api/v1/directory/organisations", "/api/v1/directory/organisations", api(everyone(200))),
    Case(
        "GET /api/v1/directory/organisations/{org_id}",
        lambda w: f"/api/v1/directory/organisations/{w.records['org'].pk}",
        api(ROLES_200),
        default=404,
    ),
]
