from tests.matrix import Case, everyone, page
from tests.personas import World

from anwei.accounts import services

VIEWERS = {"admin": 200, "ethics": 200, "auditor": 200}


def setup_world(world: World) -> None:
    token, _raw = services.create_token(actor=None, user=world.users["staff_a"], name="matrix")
    world.records["token_staff_a"] = token
    world.records["assignment_b"] = world.users["staff_b"].role_assignments.get()


CASES = [
    Case("accounts:login", "/accounts/login/", page(everyone(302), anonymous=200)),
    Case("accounts:logout", "/accounts/logout/", {}, default=302, method="post", data={}),
    Case("accounts:profile", "/accounts/profile/", page(everyone(200))),
    Case("accounts:token_create", "/accounts/tokens/", page(everyone(302)), method="post", data={"name": "x"}),
    Case(
        "accounts:token_revoke",
        lambda w: f"/accounts/tokens/{w.records['token_staff_a'].pk}/revoke/",
        page({"staff_a": 302}),
        default=404,
        method="post",
        data={},
    ),
    Case("accounts:users", "/accounts/users/", page(VIEWERS)),
    Case("accounts:user_new", "/accounts/users/new/", page({"admin": 200})),
    Case("accounts:user", lambda w: f"/accounts/users/{w.users['staff_b'].pk}/", page(VIEWERS), default=404),
    Case(
        "accounts:user",
        lambda w: f"/accounts/users/{w.users['staff_b'].pk}/",
        page({"admin": 302, "ethics": 403, "auditor": 403}),
        default=404,
        method="post",
        data=lambda w: {"role": "staff", "unit": w.units["a"].pk},
        label="assign",
    ),
    Case(
        "accounts:role_remove",
        lambda w: f"/accounts/users/{w.users['staff_b'].pk}/roles/{w.records['assignment_b'].pk}/remove/",
        page({"admin": 302, "ethics": 403, "auditor": 403}),
        default=404,
        method="post",
        data={},
    ),
]
