import errno
import json
import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.shortcuts import resolve_url
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from . import context
from .errors import BusinessRuleError, NotAllowed, TooManyRequests

logger = logging.getLogger("anwei.faults")


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ctx = context.RequestContext(
            ip=context.client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:200]
        )
        token = context.current.set(ctx)
        try:
            return self.get_response(request)
        finally:
            context.current.reset(token)


class LocaleMiddleware(DjangoLocaleMiddleware):
    """zh-Hant unless the user chose another language with the switcher (the language cookie); the browser's
    Accept-Language does not override the office's default."""

    def process_request(self, request: HttpRequest) -> None:
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        try:
            language = translation.get_supported_language_variant(code) if code else settings.LANGUAGE_CODE
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RejectNulMiddleware:
    """A NUL character has no business in a query string or a form: refuse the request (400) before any view sees
    it — PostgreSQL cannot store or even compare such text, so it would otherwise end as a server error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", "") or _nul_in_form(request):
            return _bad_request(request)
        return self.get_response(request)


def _nul_in_form(request: HttpRequest) -> bool:
    if request.method != "POST" or not (request.content_type or "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        return False
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.POST.lists())


def _bad_request(request: HttpRequest) -> HttpResponse:
    from django.http import JsonResponse
    from django.shortcuts import render
    from django.utils.translation import gettext as _

    message = _("The request holds characters that are not allowed (NUL).")
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "bad_request", "message": message}}, status=400)
    return render(request, "core/error.html", {"title": _("Bad request"), "message": message}, status=400)


class TransientFailureMiddleware:
    """A lost database connection (PostgreSQL restarted, a failover) or a full disk is not a bug: answer 503/507 with
    a clear message and Retry-After, in the API's error format under /api/ — the transaction was rolled back, so the
    client may safely send the same request again. That holds because nothing after a commit raises: work queued
    after commit is `robust` (see anwei.notifications.services) and left for the sweeper when queueing fails.
    Other errors go on to the 500 handler."""

    RETRY_AFTER = "5"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.db import InterfaceError, OperationalError, connection

        if isinstance(exception, OperationalError | InterfaceError):
            connection.close()  # the next request opens a fresh connection
            status, code = 503, "unavailable"
            message = _("The database is unavailable for a moment. Nothing was saved; please send it again.")
        elif isinstance(exception, OSError) and exception.errno == errno.ENOSPC:
            status, code = 507, "storage-full"
            message = _("The file store is full. Nothing was saved; please tell the system administrator.")
        else:
            return None
        logger.error("%s on %s %s: %s", code, request.method, request.path, exception)
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse({"error": {"code": code, "message": str(message)}}, status=status)
        else:
            from django.shortcuts import render

            context = {"title": _("Please try again"), "message": message}
            response = render(request, "core/error.html", context, status=status)
        if status == 503:
            response["Retry-After"] = self.RETRY_AFTER
        return response


class DomainErrorMiddleware:
    """The one place where a domain error raised in a page view becomes an answer (the API maps them itself, see
    anwei.api): NotAllowed → the 403 refusal page, BusinessRuleError → a 400 page with the rule's message, a value
    the database cannot hold → 400, TooManyRequests → 429 with Retry-After. Neither
    page names the record; NotAllowed's message never does (see anwei.core.errors)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.db import DataError
        from django.shortcuts import render

        if isinstance(exception, NotAllowed):
            from .views import forbidden

            return forbidden(request, str(exception.message))
        if isinstance(exception, BusinessRuleError):
            context = {"title": _("This cannot be done"), "message": str(exception.message)}
            return render(request, "core/error.html", context, status=400)
        if isinstance(exception, OverflowError | DataError):
            # a value the database cannot hold — e.g. a 40-digit id in a multi-select field, which SQLite cannot
            # even compare: the client's input, so a 400 (the write it was part of has rolled back), as in the API
            context = {"title": _("Bad request"), "message": _("A value is out of range or cannot be stored.")}
            return render(request, "core/error.html", context, status=400)
        if isinstance(exception, TooManyRequests):
            context = {"title": _("Please wait a moment"), "message": str(exception.message)}
            response = render(request, "core/error.html", context, status=429)
            response["Retry-After"] = str(exception.retry_after)
            return response
        return None


API_PREFIX = "/api/v1/"
_API_ERROR_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    500: "server_error",
}


def _api_error_message(status: int) -> str:
    messages = {
        400: _("The request could not be read."),
        401: _("Sign in or send a valid API token."),
        403: _("You do not have permission to do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        413: _("The request is too large."),
        500: _("The error has been logged. Nothing was half-saved; please try again."),
    }
    return str(messages.get(status, _("The request failed.")))


class ApiErrorMiddleware:
    """Every error answer under /api/v1/ is JSON in the API's one shape {"error": {"code", "message", "fields"}},
    whoever produced it: an unknown path (Django's 404), a method the operation does not have (ninja's text 405,
    whose Allow header is kept), a CSRF refusal, the 500 handler's page. Answers already in JSON are left alone.
    The response is changed in place, so the security headers set further in stay on it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code >= 400
            and not response.streaming
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            status = response.status_code
            body = {"error": {"code": _API_ERROR_CODES.get(status, "error"), "message": _api_error_message(status)}}
            # the ignore below: not a streaming response (checked above), so it has content
            response.content = json.dumps(body, ensure_ascii=False).encode()  # type: ignore[attr-defined]
            response["Content-Type"] = "application/json; charset=utf-8"
        return response


POLL_HEADER = "X-Anwei-Poll"


def is_polling(request: HttpRequest) -> bool:
    """A background refresh the page makes by itself (htmx `hx-trigger="every …"`), not the user's doing. Mark the
    polling element with hx-headers='{"X-Anwei-Poll": "1"}'."""
    return request.headers.get(POLL_HEADER) == "1"


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, except that background polling is not activity: such a request neither saves the session nor
    sends its cookie again, so the idle timeout (SESSION_COOKIE_AGE, pushed on by every other request) runs on
    while a board refreshes itself. A poll that finds the session ended reloads the whole page (HX-Refresh), which
    then goes to the login page and back to that page, instead of the login form being swapped into the board."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if not is_polling(request):
            return super().process_response(request, response)
        session = getattr(request, "session", None)
        if session is not None and session.accessed:
            patch_vary_headers(response, ("Cookie",))
        login = resolve_url(settings.LOGIN_URL)
        if response.status_code == 302 and response.get("Location", "").startswith(login):
            reload = HttpResponse(status=204)
            reload["HX-Refresh"] = "true"
            return reload
        return response
