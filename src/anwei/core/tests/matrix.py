from tests.matrix import Case, api, everyone, page

CASES = [
    Case("core:home", "/", page(everyone(200))),
    Case("core:healthz", "/healthz", everyone(200, ["anonymous", "admin", "outsider"]), default=200),
    # the installable app: no record in either, open to everyone (the sign-in page registers the worker too)
    Case("core:service_worker", "/sw.js", everyone(200, ["anonymous", "admin", "outsider"]), default=200),
    Case("core:manifest", "/manifest.webmanifest", everyone(200, ["anonymous", "admin", "outsider"]), default=200),
    Case("set_language", "/i18n/setlang/", everyone(302), default=302, method="post", data={"language": "en"}),
    Case("GET /api/v1/todo", "/api/v1/todo", api(everyone(200))),
    # the schema and its docs answer only those signed in (docs/security.md, Decisions)
    Case("api:openapi-json", "/api/v1/openapi.json", api({}), default=200),
    Case("api:openapi-view", "/api/v1/docs", api({}), default=200),
    Case("api:api-root", "/api/v1/", {}, default=404),
    Case("api:not-found", "/api/v1/no-such-thing/1", {}, default=404),
    Case("api:not-found", "/api/v1/no-such-thing", {}, default=404, method="post", data={}, label="post"),
]
