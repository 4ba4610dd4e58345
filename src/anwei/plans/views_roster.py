"""Pages for a plan's duty roster (值勤表) and contact list (通信聯絡)."""

from collections import defaultdict

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.core.views import forbidden
from anwei.directory import policies as directory_policies

from . import ical, policies, roster, selectors, services
from .forms import ContactForm, HandoverForm, RosterForm, ShiftForm


def roster_page(request: HttpRequest, pk: int) -> HttpResponse:
    plan = policies.plans.get_visible(request.user, pk)
    can_edit = policies.plans.can(request.user, "plans.roster_edit", plan)
    form = RosterForm(request.POST or None, plan=plan)
    if request.method == "POST":
        if not can_edit:
            return forbidden(request)
        if form.is_valid():
            try:
                shifts = roster.generate_roster(
                    actor=request.user,
                    plan=plan,
                    kind=form.cleaned_data["kind"],
                    people=list(form.cleaned_data["people"]),
                    change_hours=form.cleaned_data["change_hours"],
                )
            except BusinessRuleError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                messages.success(request, _("%(count)d shifts were added.") % {"count": len(shifts)})
                return redirect("plans:roster", pk=plan.pk)
    by_kind = defaultdict(list)
    for shift in selectors.roster(plan):
        by_kind[shift.kind].append(shift)
    context = {
        "plan": plan,
        "by_kind": dict(by_kind),
        "gaps": selectors.roster_gaps(plan),
        "can_edit": can_edit,
        "form": form,
        "me": getattr(request.user, "person", None),
    }
    return render(request, "plans/roster.html", context)


def shift_edit(request: HttpRequest, pk: int) -> HttpResponse:
    shift = policies.shifts.get_visible(request.user, pk, policies.shifts.visible(request.user).select_related("kind"))
    agency = shift.kind.agency
    plan = (
        selectors.active_plan(agency, shift.starts_at)
        or policies.plans.visible(request.user)
        .filter(agency=agency, period_start__lt=shift.ends_at, period_end__gt=shift.starts_at)
        .first()
    )
    can_assign = plan is not None and policies.plans.can(request.user, "plans.roster_edit", plan)
    can_hand_over = plan is not None and policies.plans.can(request.user, "plans.handover", plan)
    if not (can_assign or can_hand_over):
        return forbidden(request)
    initial = {"person": shift.person, "substitute": shift.substitute, "primary_unavailable": shift.primary_unavailable}
    form = ShiftForm(initial=initial, agency=agency)
    handover = HandoverForm(initial={"handover_note": shift.handover_note})
    if request.method == "POST":
        try:
            if "handover_note" in request.POST:
                handover = HandoverForm(request.POST)
                if handover.is_valid():
                    roster.write_handover(actor=request.user, shift=shift, note=handover.cleaned_data["handover_note"])
                    messages.success(request, _("Saved."))
                    return redirect("plans:roster", pk=plan.pk)  # type: ignore[union-attr]
            else:
                form = ShiftForm(request.POST, agency=agency)
                if form.is_valid():
                    roster.assign_shift(actor=request.user, shift=shift, **form.cleaned_data)
                    messages.success(request, _("Saved."))
                    return redirect("plans:roster", pk=plan.pk)  # type: ignore[union-attr]
        except NotAllowed:
            return forbidden(request)
        except BusinessRuleError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
    context = {
        "shift": shift,
        "plan": plan,
        "form": form,
        "handover": handover,
        "can_assign": can_assign,
        "can_hand_over": can_hand_over,
    }
    return render(request, "plans/shift.html", context)


def person_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's duty shifts as an iCalendar file to subscribe to."""
    person = directory_policies.people.get_visible(request.user, pk)
    response = HttpResponse(ical.calendar_for(person), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="duty-{person.pk}.ics"'
    return response


def contacts(request: HttpRequest, pk: int) -> HttpResponse:
    plan = policies.plans.get_visible(request.user, pk)
    can_manage = policies.plans.can(request.user, "plans.manage", plan)
    form = ContactForm(request.POST or None, plan=plan)
    if request.method == "POST":
        if not can_manage:
            return forbidden(request)
        if form.is_valid():
            data = form.cleaned_data
            services.add_contact(
                actor=request.user,
                plan=plan,
                name=data["name"] or (data["person"].name if data["person"] else data["organisation"].name),
                title=data["title"] or (data["person"].title if data["person"] else ""),
                person=data["person"],
                organisation=data["organisation"],
                phones=form.phones(),
            )
            messages.success(request, _("Saved."))
            return redirect("plans:contacts", pk=plan.pk)
    context = {"plan": plan, "lines": selectors.contact_sheet(plan), "can_manage": can_manage, "form": form}
    return render(request, "plans/contacts.html", context)


def contact_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """The one-page printable contact sheet."""
    plan = policies.plans.get_visible(request.user, pk)
    return render(request, "plans/contact_sheet.html", {"plan": plan, "lines": selectors.contact_sheet(plan)})
