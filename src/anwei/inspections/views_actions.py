"""Pages for findings and corrective actions, checklist templates and the six-monthly cadence."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from anwei.accounts.actor import actor_of
from anwei.core import entrance
from anwei.core.idempotency_forms import with_reference
from anwei.core.offline import offline_page
from anwei.core.views import forbidden

from . import corrective, policies, selectors, services
from .forms import AnswerActionForm, ItemFormSet, TemplateForm, VerifyForm
from .models import CorrectiveAction


def action_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")[:10]
    qs = selectors.actions(actor_of(request), status=status)
    return render(
        request,
        "inspections/actions.html",
        {
            "actions": Paginator(qs, 50).get_page(request.GET.get("page")),
            "status": status,
            "statuses": [*CorrectiveAction.Status.choices, ("overdue", _("overdue"))],
        },
    )


def _action(request: HttpRequest, pk: int) -> CorrectiveAction:
    found: CorrectiveAction = policies.actions.get_visible(
        actor_of(request),
        pk,
        CorrectiveAction.objects.select_related("unit", "finding__item", "finding__inspection__round__unit"),
    )
    return found


@offline_page
def action_detail(
    request: HttpRequest, pk: int, answer_form: object = None, verify_form: object = None
) -> HttpResponse:
    action = _action(request, pk)
    actor = actor_of(request)
    return render(
        request,
        "inspections/action_detail.html",
        {
            "action": action,
            "finding": action.finding,
            "can_answer": action.status == "open" and policies.actions.can(actor, "inspections.answer", action),
            "can_verify": action.status == "answered" and policies.actions.can(actor, "inspections.verify", action),
            "own_to_verify": action.status == "answered"
            and policies.actions.is_verifier(actor, action)
            and policies.actions.is_own(actor, action),
            "can_flag": policies.findings.can(actor, "inspections.verify", action.finding),
            "leak_reports": corrective.leak_reports_available(),
            "can_see_inspection": policies.inspections.visible(actor).filter(pk=action.finding.inspection_id).exists(),
            "answer_form": answer_form or AnswerActionForm(),
            "verify_form": verify_form or VerifyForm(),
        },
        status=422 if (answer_form or verify_form) else 200,
    )


def action_answer(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(request, pk)
    if request.method != "POST" or not policies.actions.can(actor_of(request), "inspections.answer", action):
        return forbidden(request)
    form = AnswerActionForm(request.POST, request.FILES)
    if form.is_valid():
        done = entrance.on_form(
            form,
            lambda: corrective.answer_action_by_id(
                actor=actor_of(request),
                action_id=action.pk,
                response=form.cleaned_data["response"],
                evidence=form.cleaned_data["evidence"],
            ),
        )
        if done:
            messages.success(request, _("Answer sent to the inspector."))
            return with_reference(redirect("inspections:action", pk=action.pk), str(action))
    return action_detail(request, pk, answer_form=form)


def action_verify(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(request, pk)
    if request.method != "POST" or not policies.actions.is_verifier(actor_of(request), action):
        return forbidden(request)
    form = VerifyForm(request.POST)
    if form.is_valid():
        accept = request.POST.get("decision") == "close"
        done = entrance.on_form(
            form,
            lambda: corrective.verify_action_by_id(
                actor=actor_of(request),
                action_id=action.pk,
                accept=accept,
                note=form.cleaned_data["note"],
                due_on=form.cleaned_data["due_on"],
            ),
        )
        if done:
            messages.success(request, _("Action closed.") if accept else _("Action sent back to the unit."))
            return redirect("inspections:action", pk=action.pk)
    return action_detail(request, pk, verify_form=form)


def action_evidence(request: HttpRequest, pk: int) -> HttpResponseBase:
    action = _action(request, pk)
    if not action.evidence:
        return render(request, "core/error.html", {"title": _("Not found")}, status=404)
    response = FileResponse(action.evidence.open("rb"), content_type=action.evidence_type)
    response["Content-Disposition"] = f'inline; filename="evidence-{action.pk}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def finding_flag(request: HttpRequest, pk: int) -> HttpResponse:
    finding = policies.findings.get_visible(actor_of(request), pk)
    if request.method != "POST" or not policies.findings.can(actor_of(request), "inspections.verify", finding):
        return forbidden(request)
    entrance.on_page(
        request,
        lambda: corrective.set_leak_suspected_by_id(
            actor=actor_of(request), finding_id=finding.pk, suspected=request.POST.get("leak") == "1"
        ),
        success=_("Saved."),
    )
    return redirect("inspections:action", pk=finding.action.pk)


def template_list(request: HttpRequest) -> HttpResponse:
    if not policies.templates.can(actor_of(request), "inspections.view"):
        return forbidden(request)
    return render(
        request,
        "inspections/templates.html",
        {
            "templates": selectors.templates(actor_of(request)),
            "can_edit": policies.templates.can(actor_of(request), "inspections.edit_templates"),
        },
    )


def template_install(request: HttpRequest) -> HttpResponse:
    if request.method != "POST" or not policies.templates.can(actor_of(request), "inspections.edit_templates"):
        return forbidden(request)
    created = services.install_standard_templates(actor=actor_of(request))
    messages.success(request, _("%(n)d standard checklists installed.") % {"n": len(created)})
    return redirect("inspections:templates")


def template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    template = policies.templates.get_visible(actor_of(request), pk)
    version = template.current
    if request.GET.get("version"):
        version = template.versions.filter(number=request.GET["version"][:6]).first() or version
    return render(
        request,
        "inspections/template_detail.html",
        {
            "template": template,
            "version": version,
            "items": version.items.all() if version else [],
            "versions": template.versions.all(),
            "can_edit": policies.templates.can(actor_of(request), "inspections.edit_templates"),
        },
    )


def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = policies.templates.get_visible(actor_of(request), pk)
    if not policies.templates.can(actor_of(request), "inspections.edit_templates"):
        return forbidden(request)
    current = template.current
    initial = [
        {k: getattr(i, k) for k in ("section", "question", "guidance", "answer_type", "severity", "minimum")}
        for i in (current.items.all() if current else [])
    ]
    form = TemplateForm(request.POST or None, initial={"name": template.name, "description": template.description})
    formset = ItemFormSet(request.POST or None, initial=initial, prefix="items")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        items = [f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        items = [{k: v for k, v in i.items() if k != "DELETE"} for i in items]
        done = entrance.on_form(
            form,
            lambda: services.edit_template(
                actor=actor_of(request),
                template=template,
                items=items,
                note=form.cleaned_data["note"],
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            ),
        )
        if done:
            messages.success(request, _("Saved as a new version."))
            return redirect("inspections:template", pk=template.pk)
    return render(request, "inspections/template_form.html", {"template": template, "form": form, "formset": formset})


def cadence(request: HttpRequest) -> HttpResponse:
    if not policies.rounds.can(actor_of(request), "inspections.view"):
        return forbidden(request)
    return render(request, "inspections/cadence.html", {"rows": selectors.cadence(actor_of(request))})
