"""The JSON API at /api/v1/ (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs). One error format:
{"error": {"code": "...", "message": "...", "fields": {"name": ["message", ...]}}}."""

import json
from functools import wraps
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from anwei.accounts.auth import api_auth
from anwei.core import idempotency
from anwei.core.api_docs import ServerRenderedDocs
from anwei.core.errors import BusinessRuleError, NotAllowed, TooManyRequests
from anwei.core.registry import with_module

ERROR_SCHEMA = {
    "type": "object",
    "title": "Error",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
            },
        }
    },
}
ERRORS = {
    "400": "The request could not be read.",
    "401": "Not signed in, or the token is not valid.",
    "403": "Not allowed.",
    "404": "Not found, or not yours to see.",
    "405": "This method is not allowed on this path.",
    "422": "Some fields are not valid, or a rule of the domain refuses the change.",
}
POST_ERRORS = {
    "409": "A request with this Idempotency-Key is still being processed; send it again in a moment.",
    "429": "Too many reports filed in a short time; the Retry-After header says when to try again.",
}
IDEMPOTENCY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
    "description": (
        "Any unique value per request (e.g. a UUID). Sending the same key again (as the same user) within 24 hours"
        " answers the first request's status and body again, with `Idempotent-Replayed: true`, and does nothing a"
        " second time; the same key with a different body is refused (422). Only successful answers are kept."
    ),
}


class AnweiParser(Parser):
    """JSON bodies: UTF-8 only, and no NUL characters anywhere (PostgreSQL cannot store them)."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = json.loads(request.body.decode("utf-8"))
        if _has_nul(data):
            raise ValueError("NUL character in the request body")
        return data


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class AnweiAPI(NinjaAPI):
    """Every operation documents the project's error answers, so clients (and the schema fuzzing in the tests)
    know every status it may give."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                errors = {**ERRORS, **POST_ERRORS} if method == "post" else ERRORS
                if method == "post":
                    operation.setdefault("parameters", []).append(IDEMPOTENCY_PARAMETER)
                for status, description in errors.items():
                    responses.setdefault(
                        status,
                        {
                            "description": description,
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                        },
                    )
        return schema


def signed_in_only(view: Any) -> Any:
    """The schema and its docs page answer only a signed-in user (past the second factor) or a valid token, like
    every operation: they list every operation, field and category, a map an outsider has no use for
    (docs/security.md, Decisions)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not any(auth(request) for auth in api_auth):
            return error(request, 401, "unauthenticated", _("Sign in or send a valid API token."))
        response: HttpResponse = view(request, *args, **kwargs)
        return response

    return wrapper


api = AnweiAPI(
    title="Anwei API",
    version="1",
    description=(
        "Anwei (安維) — agency security and official-secret protection.\n\n"
        "**Retries.** Send an `Idempotency-Key` header (e.g. a UUID) with every POST: if the answer is lost (a"
        " timeout, a dropped connection, a 503), send the same request with the same key again — you get the first"
        " answer and nothing is done twice. A 503 means the change was rolled back and nothing was saved."
    ),
    auth=api_auth,
    urls_namespace="api",
    parser=AnweiParser(),
    docs_url="/docs",
    docs=ServerRenderedDocs(),
    docs_decorator=signed_in_only,
)


def error(
    request: HttpRequest, status: int, code: str, message: str, fields: dict[str, Any] | None = None
) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return api.create_response(request, {"error": body}, status=status)


def _field_name(loc: list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "form")]
    return ".".join(parts) or "__all__"


@csrf_exempt
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """The last API route: any other path under /api/v1/ is a 404 in the API's error format (not the site's page),
    for every method (so an unknown POST is not first refused for its missing CSRF token)."""
    return error(request, 404, "not_found", _("Not found."))


@api.exception_handler(ValidationError)
def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for item in exc.errors:
        fields.setdefault(_field_name(list(item.get("loc", []))), []).append(str(item.get("msg", "")))
    return error(request, 422, "invalid", _("Some fields are not valid."), fields)


@api.exception_handler(DjangoValidationError)
def _model_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    """A model's own validation (full_clean in a service: an e-mail address, a choice) in the same 422 shape."""
    fields = {name: [str(m) for m in messages] for name, messages in getattr(exc, "message_dict", {}).items()}
    if not fields:
        fields = {"__all__": [str(m) for m in exc.messages]}
    return error(request, 422, "invalid", _("Some fields are not valid."), fields)


@api.exception_handler(BusinessRuleError)
def _rule(request: HttpRequest, exc: BusinessRuleError) -> HttpResponse:
    fields = {exc.field: [str(exc.message)]} if exc.field else None
    return error(request, 422, exc.code, str(exc.message), fields)


@api.exception_handler(TooManyRequests)
def _too_many(request: HttpRequest, exc: TooManyRequests) -> HttpResponse:
    response = error(request, 429, "too_many_requests", str(exc.message))
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(NotAllowed)
def _not_allowed(request: HttpRequest, exc: NotAllowed) -> HttpResponse:
    return error(request, 403, "forbidden", str(exc.message))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(request, 404, "not_found", _("Not found."))


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def _unstorable(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A value the database cannot hold (a number out of range, text it cannot store): the client's input, so a
    422 rather than a server error. The write it was part of has been rolled back with its transaction."""
    return error(request, 422, "invalid", _("A value is out of range or cannot be stored."))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error(request, 401, "unauthenticated", _("Sign in or send a valid API token."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        message = _("The request could not be read: it is not valid JSON in UTF-8, or it holds a NUL character.")
        return error(request, 400, "bad_request", message)
    return error(request, exc.status_code, "error", str(exc))


api.add_decorator(idempotency.around_run, mode="view")
api.add_decorator(idempotency.before_operation, mode="operation")


@api.exception_handler(idempotency.Replay)
def _replay(request: HttpRequest, exc: idempotency.Replay) -> HttpResponse:
    return idempotency.replayed(exc.row)


@api.exception_handler(idempotency.KeyInUse)
def _key_in_use(request: HttpRequest, exc: idempotency.KeyInUse) -> HttpResponse:
    message = _("A request with this Idempotency-Key is still being processed; send it again in a moment.")
    response = error(request, 409, "idempotency_key_in_use", message)
    response["Retry-After"] = "1"
    return response


api.add_router("/todo", "anwei.core.todo_api.router")  # the user's to-do list, gathered from every app
for config in with_module("api"):
    api.add_router(f"/{getattr(config, 'api_prefix', config.label)}", f"{config.name}.api.router")
