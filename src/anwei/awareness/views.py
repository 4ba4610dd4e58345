"""Pages for awareness activities, sign-in on a phone, alerts with read receipts, statistics and the calendar."""

from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anwei.accounts.actor import actor_of
from anwei.audit import services as audit
from anwei.core import entrance
from anwei.core.csvstream import model_columns, queryset_csv
from anwei.core.views import forbidden
from anwei.directory.models import Person, Unit
from anwei.notifications import services as notifications
from anwei.officecalendar import policies as calendar_policies
from anwei.plans.models import Plan
from anwei.plans.selectors import active_plan

from . import policies, selectors, services
from .forms import ActivityForm, HolidayForm
from .models import Activity


def _units(request: HttpRequest, action: str) -> object:
    actor = actor_of(request)
    scope = policies.activities.scope(actor, action)
    agency = actor.agency_id or 0
    qs = Unit.objects.filter(scope.q(""), active=True)
    return qs.filter(agency_id=agency) if agency else qs


def index(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if not policies.activities.can(actor, "awareness.view"):
        return forbidden(request)
    return render(
        request,
        "awareness/index.html",
        {
            "activities": selectors.activities(actor)[:50],
            "can_manage": policies.activities.can(actor, "awareness.manage"),
            "can_calendar": policies.calendar.can(actor, "awareness.manage_calendar"),
            "can_checks": policies.checks.can(actor, "awareness.view_checks"),
        },
    )


def activities_csv(request: HttpRequest) -> HttpResponseBase:
    if not policies.activities.can(actor_of(request), "awareness.view"):
        return forbidden(request)
    audit.record(actor=actor_of(request), action=audit.Action.EXPORT, object_type="awareness.activity")
    columns = model_columns(Activity, "held_on", "topic", "title", "form", "unit", "attendee_count")
    columns.append((_("Signed in by name"), "signed_in"))  # annotated by the selector: no query per row
    name = _("awareness activities")
    return queryset_csv(f"{name}.csv", selectors.activities(actor_of(request)), columns)


def activity_new(request: HttpRequest) -> HttpResponse:
    if not policies.activities.can(actor_of(request), "awareness.manage"):
        return forbidden(request)
    form = ActivityForm(
        request.POST or None, units=_units(request, "awareness.manage"), initial={"held_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = entrance.on_form(
            form,
            lambda: services.create_activity(
                actor=actor_of(request),
                unit_id=data["unit"].pk,
                topic=data["topic"],
                title=data["title"],
                held_on=data["held_on"],
                form=data["form"],
                audience_unit_ids=[u.pk for u in data["audience_units"]],
                attendee_count=data["attendee_count"],
                materials=data["materials"],
                alert_body=data["alert_body"],
            ),
        )
        if done:
            messages.success(request, _("Saved."))
            return redirect("awareness:activity", pk=done.value.pk)
    return render(request, "awareness/activity_form.html", {"form": form})


def _activity_context(request: HttpRequest, activity: Activity) -> dict[str, object]:
    person_id = actor_of(request).person_id
    can_manage = policies.activities.can(actor_of(request), "awareness.manage", activity)
    return {
        "activity": activity,
        "attendances": activity.attendances.select_related("person", "unit") if can_manage else None,
        "attendance": selectors.attendance_of(activity),
        "signed_in": bool(person_id) and activity.attendances.filter(person_id=person_id or 0).exists(),
        "can_sign_in": policies.activities.can(actor_of(request), "awareness.sign_in", activity),
        "can_manage": can_manage,
        "receipts": selectors.receipts(activity) if activity.is_alert else None,
        "my_alert": selectors.my_alert(activity, person_id),
        "roster": selectors.not_signed_in(activity) if can_manage and not activity.is_alert else None,
    }


def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = policies.activities.get_visible(actor_of(request), pk)
    note = selectors.my_alert(activity, actor_of(request).person_id)
    if note is not None:
        notifications.mark_read(note)
    return render(request, "awareness/activity_detail.html", _activity_context(request, activity))


@require_POST
def activity_sign_in(request: HttpRequest, pk: int) -> HttpResponse:
    activity = policies.activities.get_visible(actor_of(request), pk)
    person = None
    if request.POST.get("person"):  # an organiser ticking someone from the list
        person = Person.objects.filter(pk=request.POST["person"], agency_id=activity.agency_id).first()
        if person is None:
            return forbidden(request)
    done = entrance.on_page(
        request, lambda: services.sign_in(actor=actor_of(request), activity_id=activity.pk, person=person)
    )
    if done is None:
        return redirect("awareness:activity", pk=activity.pk)
    if person is not None:
        messages.success(request, _("Signed in: %(name)s") % {"name": person.name})
        return redirect("awareness:activity", pk=activity.pk)
    if request.htmx:  # type: ignore[attr-defined]  # set by django_htmx's middleware, not on HttpRequest
        return render(request, "awareness/_sign_in.html", _activity_context(request, activity))
    messages.success(request, _("You are signed in."))
    return redirect("awareness:activity", pk=activity.pk)


@require_POST
def activity_alert(request: HttpRequest, pk: int) -> HttpResponse:
    activity = policies.activities.get_visible(actor_of(request), pk)
    done = entrance.on_page(request, lambda: services.send_alert(actor=actor_of(request), activity=activity))
    if done:
        messages.success(request, _("Sent to %(n)s people.") % {"n": done.value})
    return redirect("awareness:activity", pk=activity.pk)


@require_POST
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    activity = policies.activities.get_visible(actor_of(request), pk)
    note = selectors.my_alert(activity, actor_of(request).person_id)
    if note is None:
        return forbidden(request)
    notifications.acknowledge(note, actor=actor_of(request))
    messages.success(request, _("Thank you — acknowledged."))
    return redirect("awareness:activity", pk=activity.pk)


def statistics(request: HttpRequest) -> HttpResponse:
    if not policies.activities.can(actor_of(request), "awareness.view"):
        return forbidden(request)
    agency = actor_of(request).agency_id or 0
    plans = Plan.objects.filter(agency_id=agency) if agency else Plan.objects.none()
    plan = None
    if request.GET.get("plan"):
        plan = plans.filter(pk=request.GET["plan"]).first()
    elif agency:
        plan = active_plan(agency)
    today = timezone.localdate()
    if plan is not None:
        start, end = selectors.plan_dates(plan)
    else:
        try:
            start = date.fromisoformat(request.GET.get("start", ""))
            end = date.fromisoformat(request.GET.get("end", ""))
        except ValueError:
            start, end = today.replace(month=1, day=1), today
    stats = selectors.statistics(actor_of(request), start, end)
    return render(request, "awareness/statistics.html", {"stats": stats, "plans": plans, "plan": plan})


def calendar(request: HttpRequest) -> HttpResponse:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    can_edit = policies.calendar.can(actor_of(request), "awareness.manage_calendar")
    form = HolidayForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            return forbidden(request)
        if form.is_valid():
            data = form.cleaned_data
            done = entrance.on_form(
                form,
                lambda: services.set_calendar_day(
                    actor=actor_of(request),
                    day=data["day"],
                    name=data["name"],
                    is_workday=data["is_workday"],
                    source=_("edited"),
                ),
            )
            if done:
                messages.success(request, _("Saved."))
                return redirect(f"{request.path}?year={data['day'].year}")
    return render(
        request,
        "awareness/calendar.html",
        {
            "year": year,
            "days": selectors.calendar_year(year),
            "form": form,
            "can_edit": can_edit,
            "can_import": calendar_policies.calendar.can(actor_of(request), "officecalendar.import"),
        },
    )


@require_POST
def calendar_delete(request: HttpRequest, pk: int) -> HttpResponse:
    holiday = policies.calendar.get_visible(actor_of(request), pk)
    entrance.on_page(
        request, lambda: services.remove_calendar_day(actor=actor_of(request), day=holiday.day), success=_("Removed.")
    )
    return redirect(f"/awareness/calendar/?year={holiday.day.year}")
