"""Pages for a plan's duty roster (值勤表) and contact list (通信聯絡): the list, a line added, edited or removed,
and the printable sheet."""

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anwei.accounts.actor import actor_of
from anwei.audit import services as audit
from anwei.core import entrance
from anwei.core.errors import NotAllowed
from anwei.core.views import forbidden

from . import policies, selectors, services
from .forms import ContactForm, HandoverForm, RemoveContactForm, RosterForm, ShiftForm
from .models import PlanContact


def roster_page(request: HttpRequest, pk: int) -> HttpResponse:
    plan = policies.plans.get_visible(request.user, pk)
    can_edit = policies.plans.can(request.user, "plans.roster_edit", plan)
    form = RosterForm(request.POST or None, plan=plan)
    if request.method == "POST":
        if not can_edit:
            return forbidden(request)
        if form.is_valid():
            done = entrance.on_form(
                form,
                lambda: services.generate_roster(
                    actor=actor_of(request),
                    plan=plan,
                    kind=form.cleaned_data["kind"],
                    people=list(form.cleaned_data["people"]),
                    change_hours=form.cleaned_data["change_hours"],
                ),
            )
            if done:
                messages.success(request, _("%(count)d shifts were added.") % {"count": len(done.value)})
                return redirect("plans:roster", pk=plan.pk)
    by_kind = defaultdict(list)
    now = timezone.now()
    on_duty_now = set()
    for shift in selectors.roster(plan):
        by_kind[shift.kind].append(shift)
        if shift.starts_at <= now < shift.ends_at:
            on_duty_now.add(shift.pk)
    context = {
        "on_duty_now": on_duty_now,
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
                note = handover.cleaned_data["handover_note"] if handover.is_valid() else None
                # a broken rule shows on the shift form, as it always has
                if note is not None and entrance.on_form(
                    form, lambda: services.write_handover(actor=actor_of(request), shift=shift, note=note)
                ):
                    messages.success(request, _("Saved."))
                    # the ignore below: `plan` is not None here (can_hand_over/can_assign required a plan above)
                    return redirect("plans:roster", pk=plan.pk)  # type: ignore[union-attr]
            else:
                form = ShiftForm(request.POST, agency=agency)
                data = form.cleaned_data if form.is_valid() else None
                if data is not None and entrance.on_form(
                    form, lambda: services.assign_shift(actor=actor_of(request), shift=shift, **data)
                ):
                    messages.success(request, _("Saved."))
                    # the ignore below: `plan` is not None here (can_hand_over/can_assign required a plan above)
                    return redirect("plans:roster", pk=plan.pk)  # type: ignore[union-attr]
        except NotAllowed:
            return forbidden(request)
    context = {
        "shift": shift,
        "plan": plan,
        "form": form,
        "handover": handover,
        "can_assign": can_assign,
        "can_hand_over": can_hand_over,
    }
    return render(request, "plans/shift.html", context)


def _save_contact(request: HttpRequest, form: ContactForm, save: Any) -> HttpResponse | None:
    """Run `save(**details)`; a redirect to the contact list when saved, None when the form shows errors."""
    if not form.is_valid():
        return None
    if not entrance.on_form(form, lambda: save(actor=actor_of(request), **form.details())):
        return None
    messages.success(request, _("Saved."))
    return redirect("plans:contacts", pk=form.plan.pk)


def contacts(request: HttpRequest, pk: int) -> HttpResponse:
    plan = policies.plans.get_visible(request.user, pk)
    can_manage = policies.plans.can(request.user, "plans.manage", plan)
    form = ContactForm(request.POST or None, plan=plan)
    if request.method == "POST":
        if not can_manage:
            return forbidden(request)
        done = _save_contact(request, form, lambda **kw: services.add_contact(plan=plan, **kw))
        if done is not None:
            return done
    context = {"plan": plan, "lines": selectors.contact_sheet(plan), "can_manage": can_manage, "form": form}
    return render(request, "plans/contacts.html", context)


def _managed_contact(request: HttpRequest, pk: int) -> tuple[PlanContact | None, HttpResponse | None]:
    contact = get_object_or_404(
        PlanContact.objects.select_related("plan"), pk=pk, plan__in=policies.plans.visible(request.user)
    )
    if not policies.plans.can(request.user, "plans.manage", contact.plan):
        return None, forbidden(request)
    return contact, None


def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a line of the contact list, or remove it (both with a reason once the plan is approved)."""
    contact, refused = _managed_contact(request, pk)
    if contact is None:
        return refused  # type: ignore[return-value]  # _managed_contact gives the refusal whenever no contact
    plan = contact.plan
    form = ContactForm(request.POST or None, plan=plan, contact=contact)
    if request.method == "POST":
        done = _save_contact(request, form, lambda **kw: services.update_contact(contact=contact, **kw))
        if done is not None:
            return done
    removal = RemoveContactForm() if plan.is_live else None
    context = {"plan": plan, "contact": contact, "form": form, "removal": removal}
    return render(request, "plans/contact_edit.html", context)


@require_POST
def contact_remove(request: HttpRequest, pk: int) -> HttpResponse:
    contact, refused = _managed_contact(request, pk)
    if contact is None:
        return refused  # type: ignore[return-value]  # _managed_contact gives the refusal whenever no contact
    plan = contact.plan
    removal = RemoveContactForm(request.POST) if plan.is_live else None
    if removal is None or removal.is_valid():
        reason = removal.cleaned_data["reason"] if removal is not None else ""
        done = entrance.on_page(
            request,
            lambda: services.remove_contact(actor=actor_of(request), contact=contact, reason=reason),
            success=_("The contact was removed."),
        )
        if not done:
            return redirect("plans:contact_edit", pk=contact.pk)
        return redirect("plans:contacts", pk=plan.pk)
    form = ContactForm(plan=plan, contact=contact)
    context = {"plan": plan, "contact": contact, "form": form, "removal": removal}
    return render(request, "plans/contact_edit.html", context, status=200)


def contact_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """The one-page printable contact sheet: names and telephone numbers of everyone on it, so a read of it goes on
    the audit log (a printed copy leaves the system)."""
    plan = policies.plans.get_visible(request.user, pk)
    audit.record(actor=actor_of(request), action=audit.Action.VIEW, obj=plan, changes={"via": "contact sheet"})
    return render(request, "plans/contact_sheet.html", {"plan": plan, "lines": selectors.contact_sheet(plan)})
