import errno
import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _

from . import context

logger = logging.getLogger("anwei.faults")


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ctx = context.RequestContext(
            ip=request.META.get("REMOTE_ADDR"), user_agent=request.META.get("HTTP_USER_AGENT", "")[:200]
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
    client may safely send the same request again. Other errors go on to the 500 handler."""

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
