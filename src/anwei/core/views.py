from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import todo


def home(request: HttpRequest) -> HttpResponse:
    """The user's to-do list first (the same list as the navigation count and GET /api/v1/todo), then roles."""
    return render(
        request,
        "core/home.html",
        {
            # the ignore below: request.user is signed in here (the page requires it); stubs say User | AnonymousUser
            "assignments": request.user.role_assignments.select_related("unit"),  # type: ignore[union-attr]
            "todo_items": todo.for_request(request),
        },
    )


def forbidden(request: HttpRequest, message: str | None = None) -> HttpResponse:
    """A refusal that says nothing about the record."""
    return render(
        request,
        "core/error.html",
        {"title": _("Not allowed"), "message": message or _("You do not have permission to do this.")},
        status=403,
    )


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return forbidden(request)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {"title": _("Not found"), "message": _("This page does not exist, or you cannot see it.")},
        status=404,
    )


def error_500(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {
            "title": _("Something went wrong"),
            "message": _("The error has been logged. Nothing you entered was half-saved; please try again."),
        },
        status=500,
    )
