"""The task page: its units, due date and recurrence (set by the ethics office; a new version when the plan is
approved), the progress a unit reports, a recurring task's days, and evidence files."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from anwei.accounts.actor import actor_of
from anwei.audit import services as audit
from anwei.core import entrance
from anwei.core.views import forbidden

from . import policies, selectors, services
from .forms import EvidenceForm, OccurrenceForm, TaskPlanningForm, TaskUpdateForm
from .models import Task


def _planning(request: HttpRequest, task: Task) -> TaskPlanningForm | None:
    """Save the units and schedule; the bound form back when it has errors, None when saved."""
    form = TaskPlanningForm(request.POST, task=task)
    if form.is_valid():
        data = form.cleaned_data
        if entrance.on_form(
            form,
            lambda: services.replan_task(
                actor=actor_of(request),
                task=task,
                responsible_units=list(data["responsible_units"]),
                cooperating_units=list(data["cooperating_units"]),
                due_at=data["due_at"],
                recurrence=data["recurrence"] or "",
                reason=data.get("reason", ""),
            ),
        ):
            return None
    return form


def _keep_progress(request: HttpRequest, task: Task) -> TaskUpdateForm:
    """Save the progress report that came with an upload, when something was typed or the status changed."""
    if "status" not in request.POST:  # an upload alone (e.g. from the API's clients or an old page)
        return TaskUpdateForm(initial={"status": task.status})
    form = TaskUpdateForm(request.POST)
    if not form.is_valid():
        return form
    if not form.cleaned_data["note"].strip() and form.cleaned_data["status"] == task.status:
        return TaskUpdateForm(initial={"status": task.status})
    data = form.cleaned_data
    if not entrance.on_form(
        form, lambda: services.update_task(actor=actor_of(request), task=task, status=data["status"], note=data["note"])
    ):
        return form
    task.refresh_from_db()
    return TaskUpdateForm(initial={"status": task.status})


def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = policies.tasks.get_visible(request.user, pk, policies.tasks.visible(request.user).select_related("plan"))
    can_update = policies.tasks.can(request.user, "plans.task_update", task)
    can_plan = policies.plans.can(request.user, "plans.manage", task.plan)
    rows = selectors.occurrence_rows(task) if task.recurrence else []
    # newest first, today (the office's local date) chosen: pressing the button reports today, not the oldest day open
    open_days = sorted((row.occurrence.day for row in rows if row.begun and row.report is None), reverse=True)
    form = TaskUpdateForm(initial={"status": task.status})
    evidence_form = EvidenceForm(progress_form="progress")
    occurrence_form = OccurrenceForm(days=open_days, initial={"day": selectors.default_report_day(open_days)})
    planning = TaskPlanningForm(task=task) if can_plan else None
    if request.method == "POST":
        if "planning-responsible_units" in request.POST:
            if not can_plan:
                return forbidden(request)
            planning = _planning(request, task)
            if planning is None:
                messages.success(request, _("Saved."))
                return redirect("plans:task", pk=task.pk)
        elif not can_update:
            return forbidden(request)
        elif "occurrence-day" in request.POST:
            occurrence_form = OccurrenceForm(request.POST, days=open_days)
            if occurrence_form.is_valid():
                day, note = occurrence_form.cleaned_data["day"], occurrence_form.cleaned_data["note"]
                if entrance.on_form(
                    occurrence_form,
                    lambda: services.report_occurrence(actor=actor_of(request), task=task, day=day, note=note),
                ):
                    messages.success(request, _("Saved."))
                    return redirect("plans:task", pk=task.pk)
        elif "upload" in request.POST or "file" in request.FILES:
            form = _keep_progress(request, task)  # the progress typed so far came with the file: save it first
            evidence_form = EvidenceForm(request.POST, request.FILES, progress_form="progress")
            if evidence_form.is_valid():
                upload = evidence_form.cleaned_data["file"]
                if entrance.on_form(
                    evidence_form,
                    lambda: services.add_evidence(actor=actor_of(request), task=task, upload=upload),
                    field="file",
                ):
                    messages.success(request, _("The file was added."))
                    return redirect("plans:task", pk=task.pk)
        else:
            form = TaskUpdateForm(request.POST)
            if form.is_valid():
                status, note = form.cleaned_data["status"], form.cleaned_data["note"]
                if entrance.on_form(
                    form, lambda: services.update_task(actor=actor_of(request), task=task, status=status, note=note)
                ):
                    messages.success(request, _("Saved."))
                    return redirect("plans:task", pk=task.pk)
    context = {
        "task": task,
        "plan": task.plan,
        "form": form,
        "evidence_form": evidence_form,
        "occurrence_form": occurrence_form if open_days else None,
        "occurrences": rows,
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
    audit.record(actor=actor_of(request), action=audit.Action.VIEW, obj=evidence, changes={"via": "download"})
    return FileResponse(handle, as_attachment=True, filename=evidence.name)
