from datetime import date, timedelta
from urllib.parse import quote

from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from anwei.accounts.actor import Who, actor_of
from anwei.core import entrance, ical, rocdate
from anwei.core.csvstream import model_columns, queryset_csv
from anwei.core.documents import render as formats
from anwei.core.registry import modules
from anwei.core.views import forbidden
from anwei.plans import feeds
from anwei.plans.models import Plan

from . import builders, letters, policies, selectors, services
from .forms import DayForm, ExportForm, LetterForm
from .models import ExportJob


def index(request: HttpRequest) -> HttpResponse:
    if not policies.reports.can(request.user, "reports.view"):
        return forbidden(request)
    return render(
        request,
        "reports/index.html",
        {"plans": selectors.plans(request.user), "jobs": selectors.recent_jobs(request.user)},
    )


def exports_csv(request: HttpRequest) -> HttpResponseBase:
    """The exports this user may see, as CSV (audited: the list names plans, days and who asked)."""
    if not policies.reports.can(request.user, "reports.view"):
        return forbidden(request)
    jobs = selectors.jobs(request.user)
    plans = dict(selectors.plans(request.user).values_list("pk", "title"))
    kinds = {"daily": _("Daily situation report"), "final": _("Results report")}
    columns = [
        (_("File"), lambda j: str(j)),
        (pgettext("a list of exports", "Report"), lambda j: kinds.get(j.kind, j.kind)),
        (_("Plan"), lambda j: plans.get(j.params.get("plan"), "")),
        (_("Day"), lambda j: rocdate.format_date(date.fromisoformat(j.params["day"])) if "day" in j.params else ""),
        *model_columns(ExportJob, "format", "status"),
        (_("Requested"), lambda j: rocdate.format_datetime(j.created_at)),
        (_("Requested by"), lambda j: j.requested_by.display_name if j.requested_by else _("by the system")),
        (_("Finished"), lambda j: rocdate.format_datetime(j.finished_at) if j.finished_at else ""),
    ]
    services.record_list_download(actor=actor_of(request), count=jobs.count())
    return queryset_csv(f"{_('exports')}.csv", jobs, columns)


def _default_day(plan: Plan) -> date:
    today = rocdate.today()
    last = rocdate.local(plan.period_end - timedelta(microseconds=1)).date()
    first = rocdate.local(plan.period_start).date()
    return min(max(today, first), last)


def final(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = policies.reports.get_visible(request.user, plan_id)
    report = builders.final_report(plan, viewer=request.user)
    return render(
        request,
        "reports/report.html",
        {"plan": plan, "report": report, "body": formats.html(report, standalone=False), "kind": "final"},
    )


def daily(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = policies.reports.get_visible(request.user, plan_id)
    form = DayForm(request.GET or None)
    day = form.cleaned_data["day"] if form.is_valid() and form.cleaned_data["day"] else _default_day(plan)
    report = builders.daily_report(plan, day, viewer=request.user)
    return render(
        request,
        "reports/report.html",
        {
            "plan": plan,
            "report": report,
            "body": formats.html(report, standalone=False),
            "kind": "daily",
            "day": day,
            "day_iso": day.isoformat(),
            "form": DayForm(initial={"day": day}),
        },
    )


def export(request: HttpRequest, plan_id: int, kind: str) -> HttpResponse:
    plan = policies.reports.get_visible(request.user, plan_id)
    if request.method != "POST":
        return redirect("reports:final" if kind == "final" else "reports:daily", plan_id=plan.pk)
    if not policies.reports.can(request.user, "reports.export", plan):
        return forbidden(request)
    form = ExportForm(request.POST)
    if not form.is_valid():
        return render(request, "reports/export_error.html", {"plan": plan, "form": form}, status=400)
    started = entrance.on_form(
        form,
        lambda: services.start_export(
            actor=actor_of(request),
            kind=kind,
            plan=plan,
            format=form.cleaned_data["format"],
            day=form.cleaned_data["day"],
        ),
    )
    if not started:
        return render(request, "reports/export_error.html", {"plan": plan, "form": form}, status=400)
    job = started.value
    return redirect("reports:job", pk=job.pk)


def letter(request: HttpRequest, plan_id: int, kind: str, paper: str) -> HttpResponse:
    """The cover letter (函稿) or memo (簽稿) of the results report or of a day's report: a form filled in from the
    plan, the agency and the superior office, which the officer corrects; the download is the ODT."""
    plan = policies.reports.get_visible(request.user, plan_id)
    if kind not in builders.BUILDERS or paper not in letters.PAPERS:
        raise Http404
    if not policies.reports.can(request.user, "reports.export", plan):
        return forbidden(request)
    day_form = DayForm(request.GET or None)
    day = (day_form.cleaned_data["day"] if day_form.is_valid() else None) or _default_day(plan)
    day = day if kind == "daily" else None
    initial = letters.defaults(plan, kind, paper, day, rocdate.today())
    form = LetterForm(request.POST or None, initial=initial, paper=paper)
    if request.method == "POST" and form.is_valid():
        content = services.letter_file(
            actor=actor_of(request), plan=plan, kind=kind, paper=paper, day=day, fields=form.cleaned_data
        )
        name = pgettext("file name", "cover letter") if paper == letters.LETTER else pgettext("file name", "memo")
        response = HttpResponse(content, content_type="application/vnd.oasis.opendocument.text")
        filename = f"{plan.title} {name}.odt".replace("/", "-")
        ascii_name = filename.encode("ascii", "ignore").decode().strip() or "letter.odt"
        response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
        return response
    window = letters.window_for(plan, kind, day)
    context = {
        "plan": plan,
        "kind": kind,
        "paper": paper,
        "day": day,
        "form": form,
        "marking": letters.marking_line(builders.markings(kind, window)),
    }
    return render(request, "reports/letter.html", context, status=400 if form.errors else 200)


def job(request: HttpRequest, pk: str) -> HttpResponse:
    item = policies.jobs.get_visible(request.user, pk)
    # the ignore below: request.htmx is set by django-htmx's middleware; HttpRequest's stubs do not know it
    template = "reports/_job.html" if request.htmx else "reports/job.html"  # type: ignore[attr-defined]
    return render(request, template, {"job": item, "now": timezone.now()})


def download(request: HttpRequest, pk: str) -> HttpResponseBase:
    item = policies.jobs.get_visible(request.user, pk)
    if item.status != item.Status.DONE or not item.file:
        return redirect("reports:job", pk=item.pk)
    services.record_download(actor=actor_of(request), job=item)
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.filename)


def _calendar(user: Who) -> HttpResponse:
    events = [event for module in modules("ical_events") for event in module.events(user)]
    response = HttpResponse(ical.calendar(_("Anwei deadlines"), events), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="anwei.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


def calendar(request: HttpRequest) -> HttpResponse:
    """The signed-in user's deadlines, inspections and duty shifts from every app, as one iCalendar file."""
    return _calendar(request.user)


def calendar_link(request: HttpRequest) -> HttpResponse:
    """The user's own page with the secret link a calendar program subscribes to (made and reset through
    plans:feed_reset, the one place calendar links are kept)."""
    token = feeds.link_token(request.user, feeds.REPORTS_CALENDAR)
    link = request.build_absolute_uri(reverse("reports:calendar_feed", args=[token])) if token else ""
    context = {"link": link, "feed": feeds.REPORTS_CALENDAR, "next": request.path}
    return render(request, "reports/calendar.html", context)


@login_not_required
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The subscription link: no session and no second factor (a calendar program has neither); the token stands
    for one user, whose calendar it is. A link that was reset, or of a deactivated user, is gone."""
    user = feeds.user_for(token, feeds.REPORTS_CALENDAR)
    if user is None:
        raise Http404
    return _calendar(user)
