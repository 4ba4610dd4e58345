"""Pages for plans: the list, a plan with its 執行重點 tree and lifecycle, the dashboard, a task with its progress
and evidence, amendments and their comparison, and cloning. The roster and contacts are in `views_roster`."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anwei.core.csvstream import model_columns, queryset_csv
from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.core.views import forbidden
from anwei.directory.models import Unit

from . import policies, selectors, services, versions
from .forms import AmendForm, EvidenceForm, NewPlanForm, TaskPlanningForm, TaskUpdateForm
from .importer.policy import may_import
from .models import Plan, Task

TRANSITIONS = {
    "approve": (services.approve_plan, "plans.approve"),
    "activate": (services.activate_plan, "plans.manage"),
    "close": (services.close_plan, "plans.manage"),
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
        try:
            plan = services.create_plan(
                actor=request.user,
                agency=data["owning_unit"].agency,
                owning_unit=data["owning_unit"],
                title=data["title"],
                period_start=data["period_start"],
                period_end=data["period_end"],
            )
        except BusinessRuleError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("The draft plan was created."))
            return redirect("plans:amend", pk=plan.pk)
    return render(request, "plans/new.html", {"form": form})


def _rights(user: object, plan: Plan) -> dict[str, bool]:
    return {
        "can_manage": policies.plans.can(user, "plans.manage", plan),
        "can_approve": policies.plans.can(user, "plans.approve", plan),
    }


def tasks_csv(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The tasks of a plan this user may see, as CSV (status and dates included)."""
    plan = policies.plans.get_visible(request.user, pk)
    tasks = policies.tasks.visible(request.user, plan.tasks.all()).prefetch_related("responsible_units")
    columns = model_columns(Task, "number", "text", "status", "due_at", "recurrence", "updated_at")
    columns.insert(2, (_("Responsible units"), lambda t: "、".join(u.name for u in t.responsible_units.all())))
    name = _("tasks")
    return queryset_csv(f"{plan.title} {name}.csv", tasks.order_by("position", "pk"), columns)


def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = policies.plans.get_visible(request.user, pk)
    context = {
        "plan": plan,
        "nodes": selectors.flatten(selectors.task_tree(request.user, plan)),
        "active": selectors.active_plan(plan.agency) == plan,
        **_rights(request.user, plan),
    }
    return render(request, "plans/detail.html", context)


@require_POST
def plan_status(request: HttpRequest, pk: int) -> HttpResponse:
    plan = policies.plans.get_visible(request.user, pk)
    step = TRANSITIONS.get(request.POST.get("to", ""))
    if step is None:
        messages.error(request, _("Unknown step."))
        return redirect("plans:detail", pk=plan.pk)
    service, action = step
    if not policies.plans.can(request.user, action, plan):
        return forbidden(request)
    try:
        service(actor=request.user, plan=plan)
    except BusinessRuleError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The plan's status was changed."))
    return redirect("plans:detail", pk=plan.pk)


def dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    plan = policies.plans.get_visible(request.user, pk)
    context = {
        "plan": plan,
        "progress": selectors.progress_by_unit(request.user, plan),
        "overdue": selectors.overdue_tasks(request.user, plan).prefetch_related("responsible_units"),
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


def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = policies.tasks.get_visible(request.user, pk, policies.tasks.visible(request.user).select_related("plan"))
    can_update = policies.tasks.can(request.user, "plans.task_update", task)
    can_plan = policies.plans.can(request.user, "plans.manage", task.plan)
    form = TaskUpdateForm(request.POST or None, initial={"status": task.status})
    evidence_form = EvidenceForm()
    planning = TaskPlanningForm(task=task) if can_plan else None
    if request.method == "POST" and "planning-responsible_units" in request.POST:
        if not can_plan:
            return forbidden(request)
        planning = TaskPlanningForm(request.POST, task=task)
        form = TaskUpdateForm(initial={"status": task.status})
        if planning.is_valid():
            data = planning.cleaned_data
            services.set_task_units(
                actor=request.user,
                task=task,
                responsible_units=list(data["responsible_units"]),
                cooperating_units=list(data["cooperating_units"]),
            )
            services.schedule_task(
                actor=request.user, task=task, due_at=data["due_at"], recurrence=data["recurrence"] or ""
            )
            messages.success(request, _("Saved."))
            return redirect("plans:task", pk=task.pk)
    elif request.method == "POST":
        if not can_update:
            return forbidden(request)
        if "file" in request.FILES:
            evidence_form = EvidenceForm(request.POST, request.FILES)
            form = TaskUpdateForm(initial={"status": task.status})
            if evidence_form.is_valid():
                try:
                    services.add_evidence(actor=request.user, task=task, upload=evidence_form.cleaned_data["file"])
                except BusinessRuleError as exc:
                    evidence_form.add_error("file", str(exc.message))
                else:
                    messages.success(request, _("The file was added."))
                    return redirect("plans:task", pk=task.pk)
        elif form.is_valid():
            try:
                services.update_task(
                    actor=request.user, task=task, status=form.cleaned_data["status"], note=form.cleaned_data["note"]
                )
            except BusinessRuleError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                messages.success(request, _("Saved."))
                return redirect("plans:task", pk=task.pk)
    context = {
        "task": task,
        "plan": task.plan,
        "form": form,
        "evidence_form": evidence_form,
        "can_update": can_update,
        "planning": planning,
        "notes": task.notes.select_related("author"),
        "files": task.evidence.all(),
    }
    return render(request, "plans/task.html", context)


def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    evidence = policies.evidence.get_visible(request.user, pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("Not found.")) from exc
    return FileResponse(handle, as_attachment=True, filename=evidence.name)


def amend(request: HttpRequest, pk: int) -> HttpResponse:
    plan = policies.plans.get_visible(request.user, pk)
    if not policies.plans.can(request.user, "plans.manage", plan):
        return forbidden(request)
    form = AmendForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            if plan.status == Plan.Status.DRAFT:
                services.update_draft(
                    actor=request.user,
                    plan=plan,
                    task_texts=form.task_texts(),
                    new_tasks=form.new_tasks(),
                    **form.plan_fields(),
                )
            else:
                services.amend_plan(
                    actor=request.user,
                    plan=plan,
                    reason=form.cleaned_data["reason"],
                    fields=form.plan_fields(),
                    task_texts=form.task_texts(),
                    new_tasks=form.new_tasks(),
                )
        except BusinessRuleError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        except NotAllowed:
            return forbidden(request)
        else:
            messages.success(request, _("The plan was amended."))
            return redirect("plans:versions", pk=plan.pk)
    return render(request, "plans/amend.html", {"plan": plan, "form": form})


def version_list(request: HttpRequest, pk: int) -> HttpResponse:
    plan = policies.plans.get_visible(request.user, pk)
    all_versions = list(plan.versions.select_related("created_by"))
    numbers = [v.number for v in all_versions]
    try:
        right = int(request.GET.get("b") or (numbers[0] if numbers else 0))
        left = int(request.GET.get("a") or (numbers[1] if len(numbers) > 1 else right))
    except ValueError:
        left = right = 0
    by_number = {v.number: v for v in all_versions}
    rows = []
    if left in by_number and right in by_number:
        rows = versions.compare(by_number[left].content, by_number[right].content)
    context = {"plan": plan, "versions": all_versions, "rows": rows, "left": left, "right": right}
    return render(request, "plans/versions.html", context)


@require_POST
def clone(request: HttpRequest, pk: int) -> HttpResponse:
    plan = policies.plans.get_visible(request.user, pk)
    if not policies.plans.can(request.user, "plans.manage", plan):
        return forbidden(request)
    copy = services.clone_plan(actor=request.user, plan=plan)
    messages.success(request, _("Next year's plan was drafted from this one."))
    return redirect("plans:detail", pk=copy.pk)
