"""Import the agency's own plan document: upload → preview (nothing saved) → save as a draft plan.

The preview carries the outline it shows in a signed token, so what is saved is exactly what was previewed."""

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anwei.accounts.actor import actor_of
from anwei.core import entrance
from anwei.core.views import forbidden
from anwei.directory.models import Unit

from .importer import PlanDocumentError, UnreadableDocument
from .importer.forms import SaveForm, UploadForm
from .importer.load import owning_unit_of, read_plan, save_outline
from .importer.policy import may_import
from .models import Plan

SALT = "anwei.plans.import"
TOKEN_MAX_AGE = 60 * 60  # a preview can be saved within an hour


def upload(request: HttpRequest) -> HttpResponse:
    agency = getattr(request.user, "agency", None)
    if not may_import(request.user, agency):
        return forbidden(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            reading = read_plan(form.cleaned_data["document"], agency=agency)
        except UnreadableDocument as exc:
            form.add_error("document", str(exc))
        except PlanDocumentError as exc:
            for problem in exc.problems:
                form.add_error("document", problem)
        else:
            owning_unit = owning_unit_of(reading)
            token = signing.dumps(
                {
                    "user": request.user.pk,
                    # the ignore below: read_plan refuses a document without an agency, so `agency` is set here
                    "agency": agency.pk,  # type: ignore[union-attr]
                    "owning_unit": owning_unit.pk if owning_unit else None,
                    "outline": reading.as_json(),
                    "issued": timezone.now().isoformat(),
                },
                salt=SALT,
                compress=True,
            )
            context = {
                "reading": reading,
                "outline": reading.as_json(),
                "owning_unit": owning_unit,
                "form": SaveForm(initial={"token": token}),
                "name": getattr(request.FILES.get("document"), "name", ""),
            }
            return render(request, "plans/import/preview.html", context)
    return render(request, "plans/import/upload.html", {"form": form, "agency": agency})


@require_POST
def save(request: HttpRequest) -> HttpResponse:
    agency = actor_of(request).agency
    if agency is None or not may_import(request.user, agency):
        return forbidden(request)
    form = SaveForm(request.POST)
    payload: dict[str, Any] | None = None
    if form.is_valid():
        try:
            payload = signing.loads(form.cleaned_data["token"], salt=SALT, max_age=TOKEN_MAX_AGE)
        except signing.BadSignature:
            payload = None
    if not payload or payload.get("user") != request.user.pk or payload.get("agency") != agency.pk:
        messages.error(request, _("The preview has expired or is not valid; upload the document again."))
        return redirect("plans:import")
    already = _saved_from(payload, agency)
    if already is not None:  # the same preview saved twice (a double click, the back button)
        messages.info(request, _("This preview has already been saved."))
        return redirect(_plan_url(already))
    unit_id = payload.get("owning_unit")
    owning_unit = Unit.objects.filter(agency=agency, pk=int(unit_id)).first() if unit_id else None
    outline = payload["outline"]
    done = entrance.on_page(
        request,
        lambda: save_outline(actor=actor_of(request), agency=agency, outline=outline, owning_unit=owning_unit),
        success=_("The plan was imported as a draft."),
    )
    if not done:
        return redirect("plans:import")
    return redirect(_plan_url(done.value))


def _saved_from(payload: dict[str, Any], agency: Any) -> Plan | None:
    """The plan this preview already became: same agency, title and period, created after the preview."""
    outline = payload["outline"]
    return (
        Plan.objects.filter(
            agency=agency,
            title=outline["title"],
            period_start=datetime.fromisoformat(outline["period"]["start"]),
            period_end=datetime.fromisoformat(outline["period"]["end"]),
            created_at__gte=datetime.fromisoformat(payload["issued"]),
        )
        .order_by("-pk")
        .first()
    )


def _plan_url(plan: Any) -> str:
    for name in ("plans:plan", "plans:detail"):
        try:
            return reverse(name, args=[plan.pk])
        except NoReverseMatch:
            continue
    return reverse("plans:import")
