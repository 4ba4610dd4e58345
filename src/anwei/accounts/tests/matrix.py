import base64

from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.matrix import Case, everyone, page, restricted_text
from tests.personas import PERSONA_DEVICE, World

from anwei.accounts import services

VIEWERS = {"admin": 200, "ethics": 200, "auditor": 200}


ENROLLED = ("admin", "ethics", "head", "auditor")  # the personas with an authenticator (roles.MFA_REQUIRED)


def setup_world(world: World) -> None:
    token, raw = services.create_token(actor=None, user=world.users["staff_a"], name="matrix")
    world.records["token_staff_a"] = token
    world.records["assignment_b"] = world.users["staff_b"].role_assignments.get()
    # what no page or API answer may ever show to anyone: token values and hashes, password hashes, TOTP keys,
    # recovery codes
    restricted_text(world, raw)
    restricted_text(world, token.token_hash)
    for user in world.users.values():
        restricted_text(world, user.password)
    for device in TOTPDevice.objects.filter(name=PERSONA_DEVICE):
        restricted_text(world, device.key)
        restricted_text(world, base64.b32encode(device.bin_key).decode().rstrip("="))
    codes = services.new_recovery_codes(actor=None, user=world.users["ethics"])
    for code in codes:
        restricted_text(world, code)


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
    Case("accounts:mfa_verify", "/accounts/two-factor/", page(everyone(302))),
    Case("accounts:mfa_setup", "/accounts/two-factor/setup/", page(everyone(200))),
    Case(
        "accounts:mfa_codes",
        "/accounts/two-factor/codes/",
        page({**everyone(302), **everyone(200, ENROLLED)}),
    ),
    Case("accounts:mfa_codes", "/accounts/two-factor/codes/", page(everyone(302)), method="post", data={}, label="new"),
    Case("accounts:mfa_remove", "/accounts/two-factor/remove/", page(everyone(302)), method="post", data={}),
    Case("accounts:password_change", "/accounts/password/", page(everyone(200))),
    Case("accounts:sign_out_everywhere", "/accounts/sign-out-everywhere/", page(everyone(302)), method="post", data={}),
    Case("accounts:locked", "/accounts/locked/", page(everyone(429), anonymous=429)),
    Case("accounts:security", "/accounts/security/", page({"admin": 200})),
    Case(
        "accounts:security",
        "/accounts/security/",
        page({"admin": 302}),
        method="post",
        data={"mfa_required_for_all": ""},
        label="save",
    ),
    Case("accounts:unlock", "/accounts/security/unlock/", page({"admin": 302}), method="post", data={"username": "x"}),
    Case(
        "accounts:mfa_reset",
        lambda w: f"/accounts/users/{w.users['staff_b'].pk}/two-factor/reset/",
        page({"admin": 302, "ethics": 403, "auditor": 403}),
        default=404,
        method="post",
        data={},
    ),
    Case("accounts:users", "/accounts/users/", page(VIEWERS)),
    Case("accounts:users_csv", "/accounts/users.csv", page(VIEWERS)),
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
