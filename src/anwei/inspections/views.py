"""Pages for rounds and filling inspections (thin: parse → policy → service/selector → render). Findings,
corrective actions, templates and cadence are in views_actions.py."""

from contextlib import nullcontext
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, actor_of
from anwei.accounts.models import User
from anwei.audit import services as audit
from anwei.core import entrance
from anwei.core.csvstream import Column, queryset_csv
from anwei.core.errors import BusinessRuleError
from anwei.core.idempotency_forms import with_reference
from anwei.core.offline import offline_page
from anwei.core.views import forbidden
from anwei.directory.models import Unit
from anwei.plans.models import Plan
from anwei.plans.selectors import active_plan

from . import imports, policies, selectors, services
from .forms import ImportForm, PhotoForm, RoundForm, TargetsForm
from .models import ChecklistTemplate, Inspection, Round


def index(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    can_view = policies.templates.can(actor, "inspections.view")
    can_findings = policies.findings.can(actor, "inspections.view_findings") or can_view
    if not can_view and not can_findings:
        return forbidden(request)
    return render(
        request,
        "inspections/index.html",
        {
            "rounds": selectors.rounds(actor)[:50] if can_view else [],
            "mine": selectors.my_inspections(actor)[:50],
            "open_actions": selectors.actions(actor, status="open")[:20],
            "can_manage": policies.rounds.can(actor, "inspections.manage"),
            "can_view": can_view,
        },
    )


def _manage_units(actor: Actor) -> QuerySet[Unit]:
    scope = policies.rounds.scope(actor, "inspections.manage")
    return Unit.objects.filter(scope.q(""), active=True).order_by("path")


def round_new(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if not policies.rounds.can(actor, "inspections.manage"):
        return forbidden(request)
    units = _manage_units(actor)
    agencies = units.values("agency")
    plans = Plan.objects.filter(agency__in=agencies).exclude(status=Plan.Status.CLOSED)
    form = RoundForm(
        request.POST or None,
        plans=plans,
        templates=ChecklistTemplate.objects.filter(active=True),
        units=units,
        users=User.objects.filter(is_active=True, agency__in=agencies).order_by("username"),
        initial={"plan": active_plan(units[0].agency) if units else None, "unit": units[0] if units else None},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = entrance.on_form(
            form,
            lambda: services.create_round_by_ids(
                actor=actor,
                plan_id=data["plan"].pk,
                unit_id=data["unit"].pk,
                template_id=data["template"].pk,
                title=data["title"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                recurrence=data["recurrence"],
                dates=data["dates"],
                inspector_ids=[u.pk for u in data["inspectors"]],
                joint_unit_ids=[u.pk for u in data["joint_units"]],
                target_ids=[u.pk for u in data["targets"]],
            ),
        )
        if done:
            messages.success(request, _("Round created."))
            return redirect("inspections:round", pk=done.value.pk)
    return render(request, "inspections/round_form.html", {"form": form})


def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = policies.rounds.get_visible(actor_of(request), pk)
    status, q = request.GET.get("status", "")[:10], request.GET.get("q", "")[:80]
    page = Paginator(selectors.round_inspections(round_, status=status, q=q), 50).get_page(request.GET.get("page"))
    context = {
        "round": round_,
        "summary": selectors.summary(round_),
        "inspections": page,
        "status": status,
        "q": q,
        "statuses": Inspection.Status.choices,
        "may_run": policies.rounds.may_run(actor_of(request), round_),
    }
    template = "inspections/_round_targets.html" if request.htmx else "inspections/round_detail.html"  # type: ignore[attr-defined]  # django-htmx sets request.htmx
    return render(request, template, context)


def round_import(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = policies.rounds.get_visible(actor_of(request), pk)
    if not policies.rounds.can(actor_of(request), "inspections.manage", round_):
        return forbidden(request)
    units = _manage_units(actor_of(request)).filter(agency=round_.plan.agency_id)
    form = ImportForm(request.POST or None, request.FILES or None, units=units)
    checked = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read(5 * 1024 * 1024 + 1)

        def check_and_import() -> imports.Checked:
            nonlocal checked
            if len(data) > 5 * 1024 * 1024:
                raise BusinessRuleError(_("The file is too large (at most %(mb)d MB).") % {"mb": 5}, field="file")
            checked = imports.check(data, agency_id=round_.plan.agency_id)
            imports.import_targets(
                actor=actor_of(request),
                round_=round_,
                parent=form.cleaned_data["parent"],
                data=data,
                good_rows_only=form.cleaned_data["good_rows_only"],
            )
            return checked

        done = entrance.on_form(form, check_and_import)
        if done:
            messages.success(request, _("%(n)d targets imported.") % {"n": len(done.value.good)})
            return redirect("inspections:round", pk=round_.pk)
    return render(request, "inspections/round_import.html", {"round": round_, "form": form, "checked": checked})


def round_targets(request: HttpRequest, pk: int) -> HttpResponse:
    """Add existing units as targets (many at once: use the CSV import)."""
    round_ = policies.rounds.get_visible(actor_of(request), pk)
    if not policies.rounds.can(actor_of(request), "inspections.manage", round_):
        return forbidden(request)
    units = Unit.objects.filter(agency=round_.plan.agency_id, active=True).order_by("path")
    form = TargetsForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        # the rule's own field ("targets") is not on this form: every refusal shows above the form
        done = entrance.on_form(
            form,
            lambda: services.add_targets(
                actor=actor_of(request), round_=round_, units=list(form.cleaned_data["units"])
            ),
        )
        if done:
            messages.success(request, _("%(n)d inspections added.") % {"n": done.value})
            return redirect("inspections:round", pk=round_.pk)
    return render(request, "inspections/round_targets.html", {"round": round_, "form": form})


def round_export(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The round's results as CSV (one line per inspection with its findings), for the report to the agency head."""
    round_ = policies.rounds.get_visible(actor_of(request), pk)

    def findings(i: Inspection) -> str:
        return "；".join(f"[{f.get_severity_display()}] {f.item.question}" for f in i.findings.all())

    columns: list[Column] = [
        (_("Code"), "target.code"),
        (_("Unit"), "target.name"),
        (_("Date"), "due_on"),
        (_("Status"), "get_status_display"),
        (_("Submitted at"), "submitted_at"),
        (_("Findings"), findings),
        (_("Remarks"), "remarks"),
    ]
    queryset = selectors.round_inspections(round_).prefetch_related("findings__item")
    services.record_export(actor=actor_of(request), round_=round_)
    return queryset_csv(f"round-{round_.pk}.csv", queryset, columns)


def _answers_from(post: Any, items: list[Any]) -> dict[int, dict[str, Any]]:
    answers: dict[int, dict[str, Any]] = {}
    for item in items:
        keys = {k: post.get(f"item-{item.pk}-{k}") for k in ("choice", "number", "text", "note")}
        if any(v is not None for v in keys.values()):
            answers[item.pk] = {k: v for k, v in keys.items() if v is not None}
    return answers


@offline_page
def inspection_fill(request: HttpRequest, pk: int) -> HttpResponse:
    """The phone form: answers are saved as a draft on every change (htmx), and submitted at the end."""
    inspection = policies.inspections.get_visible(
        actor_of(request), pk, Inspection.objects.select_related("round__version__template", "target")
    )
    can_fill = policies.inspections.can(actor_of(request), "inspections.inspect", inspection)
    items = list(inspection.round.version.items.all())
    error = None
    if request.method == "POST":
        if not can_fill:
            return forbidden(request)
        photo = request.FILES.get("photo")

        def save() -> None:
            # a photo sent with the answers (the phone's offline queue sends the whole form at once): kept together,
            # so that a failure keeps none of it and the queue's retry adds the photo once
            with transaction.atomic() if photo else nullcontext():
                services.save_answers_by_id(
                    actor=actor_of(request),
                    inspection_id=inspection.pk,
                    answers=_answers_from(request.POST, items),
                    remarks=request.POST.get("remarks"),
                )
                if photo:
                    _add_photo(request, inspection)
                if "submit" in request.POST:
                    services.submit_inspection_by_id(actor=actor_of(request), inspection_id=inspection.pk)

        outcome = entrance.run(save)
        if isinstance(outcome, entrance.Refused):
            error = outcome
        elif "submit" in request.POST:
            messages.success(request, _("Inspection submitted."))
            return with_reference(redirect("inspections:round", pk=inspection.round_id), str(inspection))
        inspection.refresh_from_db()
        if request.htmx and "submit" not in request.POST:  # type: ignore[attr-defined]  # django-htmx sets request.htmx
            return render(request, "inspections/_saved.html", {"inspection": inspection, "error": error})
    answers = {a.item_id: a for a in inspection.answers.all()}
    photos = list(inspection.photos.all())
    rows = [
        {"item": item, "answer": answers.get(item.pk), "photos": [p for p in photos if p.item_id == item.pk]}
        for item in items
    ]
    context = {
        "inspection": inspection,
        "rows": rows,
        "loose_photos": [p for p in photos if p.item_id is None],
        "findings": inspection.findings.select_related("item", "action"),
        "can_fill": can_fill and inspection.status != Inspection.Status.DONE,
        "error": error,
        "photo_form": PhotoForm(
            items=inspection.round.version.items.filter(answer_type="photo"), answers_form="answers"
        ),
        "answered": sum(1 for r in rows if r["answer"] is not None),
    }
    return render(request, "inspections/inspection_fill.html", context, status=422 if error else 200)


def _add_photo(request: HttpRequest, inspection: Inspection) -> None:
    form = PhotoForm(request.POST, request.FILES, items=inspection.round.version.items.all())
    if not form.is_valid():
        raise BusinessRuleError(_("Choose a photo to upload."))
    services.add_photo(
        actor=actor_of(request),
        inspection=inspection,
        upload=form.cleaned_data["photo"],
        item=form.cleaned_data["item"],
        caption=form.cleaned_data["caption"],
    )


def photo_upload(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = policies.inspections.get_visible(actor_of(request), pk)
    if request.method != "POST" or not policies.inspections.can(actor_of(request), "inspections.inspect", inspection):
        return forbidden(request)
    items = list(inspection.round.version.items.all())
    answers = _answers_from(request.POST, items)
    if answers or "remarks" in request.POST:  # the answers typed so far came with the photo: keep them first
        entrance.on_page(
            request,
            lambda: services.save_answers_by_id(
                actor=actor_of(request),
                inspection_id=inspection.pk,
                answers=answers,
                remarks=request.POST.get("remarks"),
            ),
        )
    form = PhotoForm(request.POST, request.FILES, items=inspection.round.version.items.all())
    if form.is_valid():
        entrance.on_page(
            request,
            lambda: services.add_photo(
                actor=actor_of(request),
                inspection=inspection,
                upload=form.cleaned_data["photo"],
                item=form.cleaned_data["item"],
                caption=form.cleaned_data["caption"],
            ),
            success=_("Photo added."),
        )
    else:
        entrance.refuse(request, _("Choose a photo to upload."))
    return redirect("inspections:inspection", pk=inspection.pk)


def photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    item = policies.photos.get_visible(actor_of(request), pk)
    audit.record(
        actor=actor_of(request),
        action=audit.Action.VIEW,
        obj=item,
        object_repr=f"#{item.pk}",
        changes={"via": "download"},
    )
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Content-Disposition"] = f'inline; filename="photo-{item.pk}.{item.extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def target_history(request: HttpRequest, pk: int) -> HttpResponse:
    from anwei.directory.policies import units as unit_policy

    unit = unit_policy.get_visible(actor_of(request), pk)
    if not policies.rounds.can(actor_of(request), "inspections.view"):
        return forbidden(request)
    return render(
        request,
        "inspections/target_history.html",
        {"unit": unit, "inspections": selectors.target_history(actor_of(request), unit)[:200]},
    )


def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = policies.rounds.get_visible(actor_of(request), pk)
    if request.method != "POST" or not policies.rounds.can(actor_of(request), "inspections.manage", round_):
        return forbidden(request)
    if round_.status == Round.Status.OPEN:
        services.close_round(actor=actor_of(request), round_=round_)
        messages.success(request, _("Round closed."))
    return redirect("inspections:round", pk=round_.pk)
