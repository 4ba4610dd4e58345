"""Pages of the office calendar: importing the DGPA file (upload, the differences, then confirm) and typhoon
closures entered by hand. The days themselves are listed and edited on the awareness calendar page."""

import base64
import binascii
from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anwei.accounts.actor import actor_of
from anwei.core import entrance
from anwei.core.views import forbidden

from . import dgpa, policies, selectors, services
from .forms import ClosureForm, ImportForm
from .models import Closure

MAX_FILE_BYTES = 1024 * 1024  # a year's file is about 10 KB


def import_calendar(request: HttpRequest) -> HttpResponse:
    """Step 1: upload → the differences from the calendar in force. Step 2 (`confirm`): save exactly that file."""
    if not policies.calendar.can(actor_of(request), "officecalendar.import"):
        return forbidden(request)
    if request.method == "POST" and request.POST.get("confirm"):
        return _confirm(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"form": form, "imports": selectors.imports()[:20]}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(MAX_FILE_BYTES + 1)
        try:
            if len(data) > MAX_FILE_BYTES:
                raise dgpa.CalendarFileError(_("The file is too large for a calendar."))
            calendar_file = dgpa.read(data)
        except dgpa.CalendarFileError as error:
            form.add_error("file", str(error))
        else:
            file_date = form.cleaned_data["file_date"]
            context |= {
                "calendar_file": calendar_file,
                "changes": selectors.differences(calendar_file),
                "content": base64.b64encode(data).decode("ascii"),
                "file_name": upload.name,
                "file_date": file_date.isoformat() if file_date else "",
            }
    return render(request, "officecalendar/import.html", context)


def _confirm(request: HttpRequest) -> HttpResponse:
    try:
        data = base64.b64decode(request.POST.get("content", ""), validate=True)
        file_date = date.fromisoformat(request.POST["file_date"]) if request.POST.get("file_date") else None
        saved = entrance.on_page(
            request,
            lambda: services.import_calendar(
                actor=actor_of(request),
                data=data,
                file_name=request.POST.get("file_name", ""),
                file_date=file_date,
                expected_sha256=request.POST.get("sha256", "") or "-",
            ),
        )
    except (binascii.Error, ValueError, dgpa.CalendarFileError) as error:
        messages.error(request, str(error) if not isinstance(error, binascii.Error) else _("Upload the file again."))
        return redirect("officecalendar:import")
    if not saved:
        return redirect("officecalendar:import")
    record = saved.value
    messages.success(request, _("Calendar saved: %(count)s days changed.") % {"count": len(record.changes)})
    return redirect(f"/awareness/calendar/?year={record.years[0]}")


def closures(request: HttpRequest) -> HttpResponse:
    can_edit = policies.calendar.can(actor_of(request), "officecalendar.manage")
    form = ClosureForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            return forbidden(request)
        if form.is_valid():
            data = form.cleaned_data
            entered = entrance.on_form(
                form,
                lambda: services.enter_closure(
                    actor=actor_of(request),
                    day=data["day"],
                    county=data["county"],
                    reference=data["reference"],
                    note=data["note"],
                ),
            )
            if entered:
                messages.success(request, _("Saved."))
                return redirect("officecalendar:closures")
    return render(
        request,
        "officecalendar/closures.html",
        {"closures": selectors.closures()[:200], "form": form, "can_edit": can_edit},
    )


@require_POST
def closure_delete(request: HttpRequest, pk: int) -> HttpResponse:
    if not policies.calendar.can(actor_of(request), "officecalendar.manage"):
        return forbidden(request)
    services.remove_closure(actor=actor_of(request), closure=get_object_or_404(Closure, pk=pk))
    messages.success(request, _("Removed."))
    return redirect("officecalendar:closures")
