"""Pages for travel declarations, return reports, random checks and visiting delegations."""

from collections.abc import Iterator

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from anwei.accounts.actor import actor_of
from anwei.audit import services as audit
from anwei.core import entrance, rocdate
from anwei.core.csvstream import csv_response, model_columns, queryset_csv
from anwei.core.views import forbidden
from anwei.directory.models import Person, Unit

from . import auditing, policies, rules, selectors, services
from .forms import AnomalyForm, DelegationForm, ReturnForm, TravelForm
from .models import Delegation, ReturnReport, TravelDeclaration

BRIEFING = [
    gettext_lazy(
        "Officials may not take part in activities, join organisations or hold posts that the mainland authorities "
        "sponsor or direct (兩岸條例)."
    ),
    gettext_lazy(
        "Expect questions about your work, colleagues and official matters: do not answer, and report them on return."
    ),
    gettext_lazy(
        "Do not carry official documents or devices with official data; assume phones and laptops are inspected."
    ),
    gettext_lazy("Decline gifts, invitations and requests for contact details; note who asked."),
    gettext_lazy("File the return report with the ethics office within 7 working days of coming back."),
]


def travel_list(request: HttpRequest) -> HttpResponse:
    if not policies.travel.can(actor_of(request), "awareness.declare") and not policies.travel.can(
        actor_of(request), "awareness.view_travel"
    ):
        return forbidden(request)
    declarations = list(selectors.declarations(actor_of(request))[:200])
    auditing.record_listing(actor=actor_of(request), shown=declarations)
    return render(
        request,
        "awareness/travel_list.html",
        {
            "declarations": declarations,
            "can_declare": policies.travel.can(actor_of(request), "awareness.declare"),
            "due": selectors.due_for_ethics(actor_of(request)),
            "today": timezone.localdate(),
        },
    )


def travel_csv(request: HttpRequest) -> HttpResponseBase:
    """The declarations this user may see, as CSV; personal data, so the download is audited."""
    if not policies.travel.can(actor_of(request), "awareness.declare") and not policies.travel.can(
        actor_of(request), "awareness.view_travel"
    ):
        return forbidden(request)
    audit.record(actor=actor_of(request), action=audit.Action.EXPORT, object_type="awareness.traveldeclaration")
    columns = model_columns(
        TravelDeclaration,
        "traveller",
        "unit",
        "destination",
        "category",
        "places",
        "applied_on",
        "departs_on",
        "returns_on",
        "late",
        "exit_approval",
        "return_due_on",
    )
    name = _("travel declarations")
    return queryset_csv(f"{name}.csv", selectors.declarations(actor_of(request)), columns)


def travel_new(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if not policies.travel.can(actor, "awareness.declare"):
        return forbidden(request)
    scope = policies.travel.scope(actor, "awareness.handle_travel")
    travellers = None
    if not scope.empty:
        travellers = Person.objects.filter(scope.q("unit"), active=True, agency_id=(actor.agency_id or 0))
    form = TravelForm(request.POST or None, travellers=travellers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = data.get("traveller")
        if chosen is None and actor.person is None:
            form.add_error("traveller", _("Choose the traveller."))
        else:
            done = entrance.on_form(
                form,
                lambda: services.declare_travel(
                    actor=actor,
                    traveller_id=chosen.pk if chosen is not None else None,
                    destination=data["destination"],
                    places=data["places"],
                    purpose=data["purpose"],
                    departs_on=data["departs_on"],
                    returns_on=data["returns_on"],
                    category=data["category"] or None,
                    category_reason=data["category_reason"],
                    meets_specified_persons=data["meets_specified_persons"],
                ),
            )
            if done:
                declaration = done.value
                if declaration.late:
                    messages.warning(request, services.late_message(declaration))
                else:
                    messages.success(request, _("Declared."))
                if declaration.calendar_missing_years:
                    messages.warning(request, services.calendar_warning(declaration.calendar_missing_years))
                return redirect("awareness:travel", pk=declaration.pk)
    return render(request, "awareness/travel_form.html", {"form": form})


def _report(declaration: TravelDeclaration) -> ReturnReport | None:
    try:
        return declaration.return_report
    except ReturnReport.DoesNotExist:
        return None


def travel_detail(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = policies.travel.get_visible(actor_of(request), pk)
    user = actor_of(request)
    auditing.record_view(actor=user, declaration=declaration)
    report = _report(declaration)
    return render(
        request,
        "awareness/travel_detail.html",
        {
            "d": declaration,
            "report": report,
            "briefing": BRIEFING,
            "category_name": rules.CATEGORY_NAMES[declaration.category],
            "derived_category_name": rules.CATEGORY_NAMES.get(declaration.derived_category, ""),
            "calendar_warning": services.calendar_warning(declaration.calendar_missing_years),
            "late_message": services.late_message(declaration) if declaration.late else "",
            "is_traveller": policies.travel.is_traveller(user, declaration),
            "can_read_return": policies.travel.can(user, "awareness.read_return", declaration),
            "can_approve": policies.travel.may_decide_exit(user, declaration),
            "can_handle": policies.travel.can(user, "awareness.handle_travel", declaration),
            "may_file_upward": report is not None and policies.travel.may_file_upward(user, report),
        },
    )


@require_POST
def travel_briefing(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = policies.travel.get_visible(actor_of(request), pk)
    entrance.on_page(
        request,
        lambda: services.acknowledge_briefing(actor=actor_of(request), declaration_id=declaration.pk),
        success=_("Risk briefing acknowledged."),
    )
    return redirect("awareness:travel", pk=pk)


@require_POST
def travel_exit(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = policies.travel.get_visible(actor_of(request), pk)
    approve = request.POST.get("decision") == "approve"
    entrance.on_page(
        request, lambda: services.decide_exit(actor=actor_of(request), declaration_id=declaration.pk, approve=approve)
    )
    return redirect("awareness:travel", pk=pk)


def travel_return(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = policies.travel.get_visible(actor_of(request), pk)
    if not policies.travel.can(actor_of(request), "awareness.file_return", declaration):
        return forbidden(request)
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if entrance.on_form(
            form,
            lambda: services.file_return_report(
                actor=actor_of(request),
                declaration_id=declaration.pk,
                probed=data["probed"],
                contacted=data["contacted"],
                details=data["details"],
            ),
        ):
            messages.success(request, _("Return report filed. Thank you."))
            return redirect("awareness:travel", pk=pk)
    return render(request, "awareness/return_form.html", {"form": form, "d": declaration})


@require_POST
def travel_upward(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = policies.travel.get_visible(actor_of(request), pk)
    report = _report(declaration)
    if report is None or not policies.travel.can(actor_of(request), "awareness.handle_travel", declaration):
        return forbidden(request)
    entrance.on_page(request, lambda: services.file_upward(actor=actor_of(request), declaration_id=declaration.pk))
    return redirect("awareness:travel", pk=pk)


def checks(request: HttpRequest) -> HttpResponse:
    user = actor_of(request)
    if not policies.checks.can(user, "awareness.view_checks"):
        return forbidden(request)
    can_draw = policies.checks.can(user, "awareness.random_check")
    if request.method == "POST":
        seed = request.POST.get("seed", "").strip()
        done = entrance.on_page(request, lambda: services.draw_random_check(actor=user, seed=seed))
        if done:
            draw = done.value
            messages.success(request, _("Drawn: %(n)s of %(m)s.") % {"n": len(draw.selected), "m": len(draw.eligible)})
        return redirect("awareness:checks")
    return render(request, "awareness/checks.html", {"draws": selectors.draws(user)[:20], "can_draw": can_draw})


def checks_csv(request: HttpRequest) -> HttpResponseBase:
    """Every draw the user may see, one line per person selected or left out (with the reason); audited."""
    if not policies.checks.can(actor_of(request), "awareness.view_checks"):
        return forbidden(request)
    audit.record(actor=actor_of(request), action=audit.Action.EXPORT, object_type="awareness.randomcheckdraw")
    header = [_("Drawn at"), _("Seed"), _("Rate"), _("Eligible"), _("Person"), pgettext("sampling", "Outcome")]

    def rows() -> Iterator[list[object]]:
        for draw in selectors.draws(actor_of(request)).iterator(chunk_size=200):
            head = [rocdate.format_datetime(draw.drawn_at), draw.seed, draw.rate, len(draw.eligible)]
            for name in draw.selected_names:
                yield [*head, name, _("selected")]
            for name, reason in draw.excluded_rows():
                yield [*head, name, _("left out: %(reason)s") % {"reason": reason}]

    name = _("random checks")
    return csv_response(f"{name}.csv", header, rows())


def delegations(request: HttpRequest) -> HttpResponse:
    if not policies.delegations.can(actor_of(request), "awareness.view_delegations"):
        return forbidden(request)
    return render(
        request,
        "awareness/delegations.html",
        {
            "delegations": selectors.delegations(actor_of(request)),
            "can_add": policies.delegations.can(actor_of(request), "awareness.manage"),
        },
    )


def delegations_csv(request: HttpRequest) -> HttpResponseBase:
    if not policies.delegations.can(actor_of(request), "awareness.view_delegations"):
        return forbidden(request)
    audit.record(actor=actor_of(request), action=audit.Action.EXPORT, object_type="awareness.delegation")
    columns = model_columns(Delegation, "title", "unit", "starts_on", "ends_on", "itinerary", "visitors")
    columns.append((_("Hosts"), lambda d: "、".join(p.name for p in d.hosts.all())))
    columns.append((_("Anomalies reported"), "n_anomalies"))
    name = _("visiting delegations")
    return queryset_csv(f"{name}.csv", selectors.delegations_for_export(actor_of(request)), columns)


def delegation_new(request: HttpRequest) -> HttpResponse:
    user = actor_of(request)
    scope = policies.delegations.scope(user, "awareness.manage")
    if scope.empty:
        return forbidden(request)
    agency = user.agency_id or 0
    units = Unit.objects.filter(scope.q(""), active=True, agency_id=agency)
    people = Person.objects.filter(active=True, agency_id=agency)
    form = DelegationForm(request.POST or None, units=units, people=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = entrance.on_form(
            form,
            lambda: services.create_delegation(
                actor=user,
                unit_id=data["unit"].pk,
                title=data["title"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                host_ids=[p.pk for p in data["hosts"]],
                itinerary=data["itinerary"],
                visitors=data["visitors"],
            ),
        )
        if done:
            messages.success(request, _("Saved."))
            return redirect("awareness:delegation", pk=done.value.pk)
    return render(request, "awareness/delegation_form.html", {"form": form})


def delegation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    delegation = policies.delegations.get_visible(actor_of(request), pk)
    form = AnomalyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        description = form.cleaned_data["description"]
        done = entrance.on_form(
            form,
            lambda: services.report_anomaly(
                actor=actor_of(request), delegation_id=delegation.pk, description=description
            ),
            field="description",
        )
        if done:
            messages.success(request, _("Reported as %(ref)s.") % {"ref": done.value.incident_reference})
            return redirect("awareness:delegation", pk=pk)
    return render(
        request,
        "awareness/delegation_detail.html",
        {"delegation": delegation, "form": form, "anomalies": delegation.anomalies.all()},
    )
