import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from anwei.accounts.actor import Actor, actor_of
from anwei.audit import services as audit
from anwei.core import entrance
from anwei.core.csvstream import model_columns, queryset_csv
from anwei.core.errors import TooManyRequests
from anwei.core.idempotency_forms import with_reference
from anwei.core.offline import offline_page
from anwei.core.views import forbidden
from anwei.directory.models import Agency, Unit

from . import clocks, contacts, policies, rulebook, rules, selectors, services, todo
from .forms import (
    BoardFilter,
    CloseForm,
    ContactForm,
    IncidentForm,
    LevelForm,
    NoteForm,
    RuleForm,
    TaskAnswerForm,
    TaskForm,
    recipient_help,
)
from .models import Attachment, Incident, RoutingRule


def _units(actor: Actor, action: str) -> QuerySet[Unit]:
    return Unit.objects.filter(actor.scope(action).q(""), active=True).order_by("path")


def _agency(actor: Actor) -> Agency | None:
    if actor.agency is not None:
        return actor.agency
    unit = _units(actor, "incidents.view").first()
    return unit.agency if unit else None


def _board_filters(request: HttpRequest) -> tuple[BoardFilter, dict[str, Any]]:
    form = BoardFilter(request.GET or None, units=_units(actor_of(request), "incidents.view"))
    filters: dict[str, Any] = {"status": "open"}
    if form.is_valid():
        status = form.cleaned_data["status"] or "open"
        filters = {
            "category": form.cleaned_data["category"],
            "unit": form.cleaned_data["unit"],
            "status": "" if status == "all" else status,
        }
    return form, filters


def board_csv(request: HttpRequest) -> HttpResponseBase:
    """The board's reports (with its filters) as CSV; the download is audited, as it may hold restricted titles."""
    if not policies.incidents.can(actor_of(request), "incidents.view"):
        return forbidden(request)
    _form, filters = _board_filters(request)
    audit.record(
        actor=actor_of(request),
        action="export",
        object_type="incidents.incident",
        changes={"filters": {k: str(v or "") for k, v in filters.items()}},
    )
    columns = model_columns(
        Incident, "reference", "category", "title", "unit", "aware_at", "severity", "cyber_level", "status", "closed_at"
    )
    columns.append((_("drill (演練)"), lambda i: _("drill") if i.drill else ""))
    name = _("reports")
    return queryset_csv(f"{name}.csv", selectors.board(actor_of(request), **filters), columns)


BOARD_PAGE = 50


def board(request: HttpRequest) -> HttpResponse:
    """Open reports, newest first, a page at a time; the first page refreshes itself (htmx)."""
    if not policies.incidents.can(actor_of(request), "incidents.view"):
        return forbidden(request)
    form, filters = _board_filters(request)
    page = Paginator(selectors.board(actor_of(request), **filters), BOARD_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "reports": [(i, selectors.clocks(i)) for i in page.object_list],
        "must_calls": todo.must_calls_for(actor_of(request), timezone.now()) if page.number == 1 else [],
        "can_file": policies.incidents.can(actor_of(request), "incidents.file"),
        "can_rules": policies.routing_rules.can(actor_of(request), "incidents.view_rules"),
        "refresh_seconds": max(1, int(getattr(settings, "ANWEI_BOARD_REFRESH_SECONDS", 30))),
    }
    # the ignore below: request.htmx is set by django-htmx's middleware; HttpRequest's stubs do not know it
    template = "incidents/_board.html" if request.htmx else "incidents/board.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@offline_page
def new(request: HttpRequest) -> HttpResponse:
    if not policies.incidents.can(actor_of(request), "incidents.file"):
        return forbidden(request)
    actor = actor_of(request)
    units = _units(actor, "incidents.file")
    reporters = policies.incidents.people_to_act_for(actor)
    form = IncidentForm(request.POST or None, request.FILES or None, units=units, reporters=reporters)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        agency = data["unit"].agency if data["unit"] else _agency(actor)
        if agency is None:
            return forbidden(request)
        try:
            filed = entrance.on_form(
                form,
                lambda: services.file_report(
                    actor=actor,
                    agency=agency,
                    category=data["category"],
                    title=data["title"],
                    description=data["description"],
                    unit=data["unit"],
                    reporter=data.get("reporter"),
                    aware_at=data["aware_at"],
                    occurred_at=data["occurred_at"],
                    severity=data["severity"] or None,
                    cyber_level=data["cyber_level"],
                    location=data["location"],
                    measures_taken=data["measures_taken"],
                    support_needed=data["support_needed"],
                    attachments=data["attachments"],
                ),
            )
        except TooManyRequests as exc:  # the form stays filled in: the user may send it once the wait is over
            form.add_error(None, str(exc.message))
            context = {"form": form, "levels": rules.CYBER_LEVELS, **_offline_context()}
            response = render(request, "incidents/new.html", context, status=429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        if filed:
            incident = filed.value
            messages.success(
                request,
                _("Report %(ref)s filed. The people the rules name are being notified.") % {"ref": incident.reference},
            )
            return with_reference(redirect("incidents:detail", pk=incident.pk), incident.reference)
    return render(request, "incidents/new.html", {"form": form, "levels": rules.CYBER_LEVELS, **_offline_context()})


def _offline_context() -> dict[str, Any]:
    """What the phone's offline queue must know of this form: the categories it keeps in memory only."""
    return {"restricted_categories": " ".join(c.code for c in rules.CATEGORIES.values() if c.restricted)}


def load_for_page(request: HttpRequest, pk: int) -> Incident:
    """The report a page shows (404 alike for missing and not yours); reading a restricted one is audited."""
    incident: Incident = policies.incidents.get_visible(
        actor_of(request), pk, Incident.objects.select_related("unit", "reporter", "plan", "agency", "filed_by")
    )
    if incident.restricted:
        audit.record(actor=actor_of(request), action=audit.Action.VIEW, obj=incident, object_repr=incident.reference)
    return incident


def _contact_targets(incident: Incident, seen: clocks.Picture) -> list[tuple[str, str]]:
    """What a contact can be recorded for: each notify/report clock naming a body, and each body to call that
    has no clock of its own."""
    targets = [(f"clock:{d.pk}", d.name) for d in incident.deadlines.all() if d.code in clocks.NOTIFY_CODES and d.body]
    with_clock = {d.body for d in incident.deadlines.all() if d.code in clocks.NOTIFY_CODES}
    targets += [(f"body:{c.body.code}", c.body.name) for c in seen.calls if c.body.code not in with_clock]
    return targets


def detail(request: HttpRequest, pk: int, contact_form: ContactForm | None = None) -> HttpResponse:
    incident = load_for_page(request, pk)
    can_handle = policies.incidents.can(actor_of(request), "incidents.handle", incident)
    seen = clocks.picture(incident)
    targets = _contact_targets(incident, seen)
    if contact_form is None:
        first_call = next((c for c in seen.calls), None)
        initial: dict[str, Any] = {"reached_at": timezone.localtime().replace(second=0, microsecond=0)}
        if first_call is not None:
            initial["target"] = f"clock:{first_call.clock.pk}" if first_call.clock else f"body:{first_call.body.code}"
        contact_form = ContactForm(initial=initial, targets=targets)
    return render(
        request,
        "incidents/detail.html",
        {
            "incident": incident,
            "clocks": selectors.clocks(incident),
            "timeline": selectors.timeline(incident, seen),
            "must_calls": seen.calls if can_handle else [],
            "contacts": incident.contacts.select_related("recorded_by__person"),
            "contact_form": contact_form if targets else None,
            "tasks": incident.tasks.select_related("unit", "done_by__person", "answered_by__person"),
            "attachments": incident.attachments.all(),
            "to_acknowledge": selectors.my_unacknowledged(actor_of(request), incident),
            "can_handle": can_handle and incident.is_open,
            "level_form": LevelForm(initial={"cyber_level": incident.cyber_level}),
            "note_form": NoteForm(),
            "task_form": TaskForm(units=Unit.objects.filter(agency=incident.agency, active=True)),
            "level": rules.CYBER_LEVELS.get(incident.cyber_level or 0),
        },
    )


def _handle(request: HttpRequest, pk: int) -> Incident | HttpResponse:
    incident = load_for_page(request, pk)
    if not policies.incidents.can(actor_of(request), "incidents.handle", incident):
        return forbidden(request)
    return incident


def _back(pk: int) -> HttpResponse:
    return redirect("incidents:detail", pk=pk)


@require_POST
def level(request: HttpRequest, pk: int) -> HttpResponse:
    form = LevelForm(request.POST)
    if not form.is_valid():
        services.handled(actor_of(request), pk)  # 404 or refused before the form's complaint, as ever
        entrance.refuse(request, _("Choose the incident level (1–4)."))
        return _back(pk)
    data = form.cleaned_data
    entrance.on_page(
        request,
        lambda: services.change_level(
            actor=actor_of(request), incident_id=pk, cyber_level=data["cyber_level"], reason=data["reason"]
        ),
        success=_("Saved."),
    )
    return _back(pk)


@require_POST
def note(request: HttpRequest, pk: int) -> HttpResponse:
    text = request.POST.get("text", "")
    entrance.on_page(
        request, lambda: services.add_note(actor=actor_of(request), incident_id=pk, text=text), success=_("Saved.")
    )
    return _back(pk)


@require_POST
def task(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _handle(request, pk)
    if isinstance(incident, HttpResponse):
        return incident
    form = TaskForm(request.POST, units=Unit.objects.filter(agency=incident.agency, active=True))
    if not form.is_valid():
        entrance.refuse(request, _("Describe the task."))
        return _back(pk)
    data = form.cleaned_data
    entrance.on_page(
        request,
        lambda: services.assign_task(actor=actor_of(request), incident_id=pk, **data),
        success=_("Saved."),
    )
    return _back(pk)


def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The task page for the unit given it (phone-friendly): the task, the minimum of the report, the answer."""
    actor = actor_of(request)
    item = policies.tasks.get_workable(actor, pk)
    form = TaskAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        answered = entrance.on_form(
            form,
            lambda: services.answer_task(actor=actor, task_id=item.pk, answer=data["answer"], done=data["done"]),
        )
        if answered:
            messages.success(request, _("Saved."))
            return redirect("incidents:task_detail", pk=item.pk)
    incident = item.incident
    return render(
        request,
        "incidents/task.html",
        {
            "task": item,
            "incident": incident,
            "category": rules.category(incident.category),
            "may_read_report": policies.tasks.may_read_report(actor, item),
            "form": form,
        },
        status=422 if request.method == "POST" else 200,
    )


@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    item = services.complete_task(actor=actor, task_id=pk)
    messages.success(request, _("Saved."))
    if policies.incidents.can_see(actor, item.incident):
        return _back(item.incident_id)
    return redirect("incidents:task_detail", pk=item.pk)


@require_POST
def contact(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a contact made by a person (phone, platform, fax, in person): the same service as the API."""
    incident = _handle(request, pk)
    if isinstance(incident, HttpResponse):
        return incident
    form = ContactForm(request.POST, targets=_contact_targets(incident, clocks.picture(incident)))
    if form.is_valid():
        data = form.cleaned_data
        recorded = entrance.on_form(
            form,
            lambda: contacts.record_contact(
                actor=actor_of(request),
                incident_id=pk,
                channel=data["channel"],
                reached_at=data["reached_at"],
                person_reached=data["person_reached"],
                reference=data["reference"],
                **form.chosen(),
            ),
            field="target",
        )
        if recorded:
            messages.success(request, _("The contact is recorded."))
            return _back(pk)
    response = detail(request, pk, contact_form=form)
    response.status_code = 400
    return response


@require_POST
def recovered(request: HttpRequest, pk: int) -> HttpResponse:
    entrance.on_page(
        request, lambda: services.mark_recovered(actor=actor_of(request), incident_id=pk), success=_("Saved.")
    )
    return _back(pk)


def close(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _handle(request, pk)
    if isinstance(incident, HttpResponse):
        return incident
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        outcome = data.pop("outcome")
        if incident.category != "cyber":
            data = {}
        closed = entrance.on_form(
            form, lambda: services.close(actor=actor_of(request), incident_id=pk, outcome=outcome, **data)
        )
        if closed:
            messages.success(request, _("The report is closed."))
            return _back(pk)
    return render(request, "incidents/close.html", {"incident": incident, "form": form})


@require_POST
def acknowledge(request: HttpRequest, pk: int, notification_id: int) -> HttpResponse:
    services.acknowledge(actor=actor_of(request), incident_id=pk, notification_id=notification_id)
    messages.success(request, _("Acknowledged."))
    return _back(pk)


def attachment(request: HttpRequest, pk: int) -> HttpResponseBase:
    item = Attachment.objects.filter(pk=pk).first()
    incident = load_for_page(request, item.incident_id if item else 0)
    assert item is not None and item.incident_id == incident.pk
    audit.record(  # each download: a file leaves the system (named by its hash, as when it was attached)
        actor=actor_of(request),
        action=audit.Action.VIEW,
        obj=item,
        object_repr=f"{incident.reference} {item.sha256[:12]}",
        changes={"via": "download"},
    )
    response = FileResponse(
        item.file.open("rb"), content_type=item.content_type, as_attachment=True, filename=item.name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def rule_list(request: HttpRequest) -> HttpResponse:
    if not policies.routing_rules.can(actor_of(request), "incidents.view_rules"):
        return forbidden(request)
    return render(
        request,
        "incidents/rules.html",
        {
            "rules": policies.routing_rules.visible(actor_of(request)),
            "can_manage": policies.routing_rules.can(actor_of(request), "incidents.manage_rules"),
            "recipient_names": rules.RECIPIENT_NAMES,
            "categories": rules.CATEGORIES,
        },
    )


def rules_csv(request: HttpRequest) -> HttpResponseBase:
    """The routing rules as CSV (audited as an export, like every list that leaves the application)."""
    if not policies.routing_rules.can(actor_of(request), "incidents.view_rules"):
        return forbidden(request)
    audit.record(actor=actor_of(request), action=audit.Action.EXPORT, object_type="incidents.routingrule")
    columns = model_columns(RoutingRule, "name", "category", "min_severity", "min_level", "max_level")
    columns += [
        (_("Recipients"), lambda r: "、".join(str(rules.RECIPIENT_NAMES.get(c, c)) for c in r.recipients)),
        (_("Channels"), lambda r: ", ".join(map(str, r.channels))),
        (_("Deadlines"), lambda r: json.dumps(r.deadlines, ensure_ascii=False) if r.deadlines else ""),
        (pgettext("incident", "Tasks"), lambda r: "、".join(str(t.get("title", "")) for t in r.tasks)),
    ]
    columns += model_columns(RoutingRule, "ack_minutes", "effective_from", "effective_until", "source")
    columns.append((_("active"), lambda r: _("yes") if r.active else _("no")))
    name = _("routing rules")
    return queryset_csv(
        f"{name}.csv", policies.routing_rules.visible(actor_of(request)).order_by("category", "id"), columns
    )


def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    rule = policies.routing_rules.get_visible(actor_of(request), pk) if pk else None
    if not policies.routing_rules.can(actor_of(request), "incidents.manage_rules"):
        return forbidden(request)
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        actor = actor_of(request)
        saved = entrance.on_form(
            form,
            lambda: (
                rulebook.create_rule(actor=actor, **fields)
                if pk is None
                else rulebook.update_rule(actor=actor, rule_id=pk, **fields)
            ),
        )
        if saved:
            messages.success(request, _("Saved."))
            return redirect("incidents:rules")
    return render(request, "incidents/rule_form.html", {"form": form, "rule": rule, "recipient_help": recipient_help()})
