"""The task page: its units, due date and recurrence (set by the ethics office; a new version when the plan is
approved), the progress a unit reports, a recurring task's days, and evidence files."""

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from anwei.audit import services as audit
from anwei.core.errors import BusinessRuleError
from anwei.core.views import forbidden

from . import policies, selectors, services
from .forms import EvidenceForm, OccurrenceForm, TaskPlanningForm, TaskUpdateForm
from .models import Task


def _error(form: Any, exc: BusinessRuleError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))


def _planning(request: HttpRequest, task: Task) -> TaskPlanningForm | None:
    """Save the units and schedule; the bound form back when it has errors, None when saved."""
    form = TaskPlanningForm(request.POST, task=task)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.replan_task(
                actor=request.user,
                task=task,
                responsible_units=list(data["responsible_units"]),
                cooperating_units=list(data["cooperating_units"]),
                due_at=data["due_at"],
                recurrence=data["recurrence"] or "",
                reason=data.get("reason", ""),
            )
        except BusinessRuleError as exc:
            _error(form, exc)
        else:
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
    try:
        services.update_task(
            actor=request.user, task=task, status=form.cleaned_data["status"], note=form.cleaned_data["note"]
        )
    except BusinessRuleError as exc:
        _error(form, exc)
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
                try:
                    services.report_occurrence(
                        actor=request.user,
                        task=task,
                        day=occurrence_form.cleaned_data["day"],
                        note=occurrence_form.cleaned_data["note"],
                    )
                except BusinessRuleError as exc:
                    _error(occurrence_form, exc)
                else:
                    messages.success(request, _("Saved."))
                    return redirect("plans:task", pk=task.pk)
        elif "upload" in request.POST or "file" in request.FILES:
            form = _keep_progress(request, task)  # the progress typed so far came with the file: save it first
            evidence_form = EvidenceForm(request.POST, request.FILES, progress_form="progress")
            if evidence_form.is_valid():
                try:
                    services.add_evidence(actor=request.user, task=task, upload=evidence_form.cleaned_data["file"])
                except BusinessRuleError as exc:
                    evidence_form.add_error("file", str(exc.message))
                else:
                    messages.success(request, _("The file was added."))
                    return redirect("plans:task", pk=task.pk)
        else:
            form = TaskUpdateForm(request.POST)
            if form.is_valid():
                try:
                    services.update_task(
                        actor=request.user,
                        task=task,
                        status=form.cleaned_data["status"],
                        note=form.cleaned_data["note"],
                    )
                except BusinessRuleError as exc:
                    _error(form, exc)
                else:
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
    audit.record(actor=request.user, action=audit.Action.VIEW, obj=evidence, changes={"via": "download"})
    return FileResponse(handle, as_attachment=True, filename=evidence.name)
