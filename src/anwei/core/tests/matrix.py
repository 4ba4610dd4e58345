from tests.matrix import Case, everyone, page

CASES = [
    Case("core:home", "/", page(everyone(200))),
    Case("core:healthz", "/healthz", everyone(200, ["anonymous", "admin", "outsider"]), default=200),
    Case("set_language", "/i18n/setlang/", everyone(302), default=302, method="post", data={"language": "en"}),
    Case("api:openapi-json", "/api/v1/openapi.json", {}, default=200),
]
