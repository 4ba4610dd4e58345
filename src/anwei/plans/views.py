"""Pages for plans: the list, a plan with its 執行重點 tree and lifecycle, the dashboard, amendments with their
history and comparison, and cloning. A task's page is in `views_tasks`, the roster and contacts in `views_roster`,
the calendar links in `views_feeds`, the CSV downloads in `views_csv`."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anwei.accounts.actor import Who, actor_of
from anwei.core import entrance
from anwei.core.errors import NotAllowed
from anwei.core.views import forbidden
from anwei.directory.models import Unit

from . import policies, selectors, services, versions
from .forms import AmendForm, NewPlanForm
from .importer.policy import may_import
from .models import Plan

TRANSITIONS = {  # the lifecycle steps (policies.STEPS) and their writes
    "approve": services.approve_plan,
    "activate": services.activate_plan,
    "close": services.close_plan,
}


def plan_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    plans = selectors.plans_for(request.user, status=status if status in Plan.Status.values else "")
    context = {
        "plans": plans,
        "statuses": Plan.Status.choices,
        "status": status,
        "can_create": policies.plans.can(request.user, "plans.manage"),
        "can_import": may_import(request.user, getattr(request.user, "agency", None)),
    }
    return render(request, "plans/list.html", context)


def plan_new(request: HttpRequest) -> HttpResponse:
    """A new draft plan by hand (most come from an imported document or from last year's by cloning)."""
    if not policies.plans.can(request.user, "plans.manage"):
        return forbidden(request)
    scope = policies.plans.scope(request.user, "plans.manage")
    units = Unit.objects.filter(scope.q(""), active=True).order_by("path")
    form = NewPlanForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = entrance.on_form(
            form,
            lambda: services.create_plan(
                actor=actor_of(request),
                agency=data["owning_unit"].agency,
                owning_unit=data["owning_unit"],
                title=data["title"],
                period_start=data["period_start"],
                period_end=data["period_end"],
            ),
        )
        if done:
            messages.success(request, _("The draft plan was created."))
            return redirect("plans:amend", pk=done.value.pk)
    return render(request, "plans/new.html", {"form": form})


def _rights(user: Who, plan: Plan) -> dict[str, bool]:
    return {
        "can_manage": policies.plans.can(user, "plans.manage", plan),
        "can_approve": policies.plans.can(user, "plans.approve", plan),
    }


def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = policies.plans.get_visible(request.user, pk)
    context = {
        "plan": plan,
        "nodes": selectors.flatten(selectors.task_tree(request.user, plan)),
        "active": selectors.active_plan(plan.agency) == plan,
        "steps": policies.offered_steps(request.user, plan),
        "may_amend": policies.may_amend(request.user, plan),
        "is_draft": plan.status == Plan.Status.DRAFT,
        **_rights(request.user, plan),
    }
    return render(request, "plans/detail.html", context)


@require_POST
def plan_status(request: HttpRequest, pk: int) -> HttpResponse:
    plan = policies.plans.get_visible(request.user, pk)
    name = request.POST.get("to", "")
    service = TRANSITIONS.get(name)
    if service is None:
        messages.error(request, _("Unknown step."))
        return redirect("plans:detail", pk=plan.pk)
    if not policies.plans.can(request.user, policies.STEPS[name].action, plan):
        return forbidden(request)
    entrance.on_page(
        request, lambda: service(actor=actor_of(request), plan=plan), success=_("The plan's status was changed.")
    )
    return redirect("plans:detail", pk=plan.pk)


def dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    plan = policies.plans.get_visible(request.user, pk)
    context = {
        "plan": plan,
        "progress": selectors.progress_by_unit(request.user, plan),
        "overdue": selectors.overdue_tasks(request.user, plan).prefetch_related("responsible_units"),
        "missed": selectors.overdue_occurrences(request.user, plan),
        "updates": selectors.recent_updates(request.user, plan),
        "gaps": selectors.roster_gaps(plan),
    }
    return render(request, "plans/dashboard.html", context)


def recent_updates(request: HttpRequest, pk: int) -> HttpResponse:
    """The dashboard's "recent updates" panel, refreshed by htmx."""
    plan = policies.plans.get_visible(request.user, pk)
    return render(
        request, "plans/_updates.html", {"plan": plan, "updates": selectors.recent_updates(request.user, plan)}
    )


def amend(request: HttpRequest, pk: int) -> HttpResponse:
    plan = policies.plans.get_visible(request.user, pk)
    if not policies.plans.can(request.user, "plans.manage", plan):
        return forbidden(request)
    form = AmendForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        actor = actor_of(request)

        def save() -> object:
            if plan.status == Plan.Status.DRAFT:
                return services.update_draft(
                    actor=actor,
                    plan=plan,
                    task_texts=form.task_texts(),
                    new_tasks=form.new_tasks(),
                    remove=form.removed(),
                    **form.plan_fields(),
                )
            return services.amend_plan(
                actor=actor,
                plan=plan,
                reason=form.cleaned_data["reason"],
                fields=form.plan_fields(),
                task_texts=form.task_texts(),
                new_tasks=form.new_tasks(),
                remove=form.removed(),
            )

        try:
            done = entrance.on_form(form, save)
        except NotAllowed:
            return forbidden(request)
        if done:
            messages.success(request, _("The plan was amended."))
            return redirect("plans:versions", pk=plan.pk)
    return render(request, "plans/amend.html", {"plan": plan, "form": form})


def version_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The amendment history: each version with who, when, why and what it changed; a side-by-side comparison of
    two versions; and the progress the units reported (on the tasks this user may see)."""
    plan = policies.plans.get_visible(request.user, pk)
    history = selectors.version_history(plan)
    numbers = [line.version.number for line in history]
    try:
        right = int(request.GET.get("b") or (numbers[0] if numbers else 0))
        left = int(request.GET.get("a") or (numbers[1] if len(numbers) > 1 else right))
    except ValueError:
        left = right = 0
    by_number = {line.version.number: line.version for line in history}
    rows = []
    if left in by_number and right in by_number:
        rows = versions.compare(by_number[left].content, by_number[right].content)
    context = {
        "plan": plan,
        "history": history,
        "rows": rows,
        "left": left,
        "right": right,
        "progress": selectors.progress_history(request.user, plan),
    }
    return render(request, "plans/versions.html", context)


@require_POST
def clone(request: HttpRequest, pk: int) -> HttpResponse:
    plan = policies.plans.get_visible(request.user, pk)
    if not policies.plans.can(request.user, "plans.manage", plan):
        return forbidden(request)
    copy = services.clone_plan(actor=actor_of(request), plan=plan)
    messages.success(request, _("Next year's plan was drafted from this one."))
    return redirect("plans:detail", pk=copy.pk)
