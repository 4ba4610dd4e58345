"""Pages of the exercises (演練): the list, a new exercise with its script, one exercise with its injects and live
status, start and stop, delete, and the drill report as PDF or ODT."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from anwei.accounts.actor import actor_of
from anwei.core import entrance
from anwei.core.views import forbidden
from anwei.reports import render as formats
from anwei.reports.policies import reports as plan_reports

from . import policies, script, selectors, services
from .forms import ExerciseForm, InjectForm, StartForm
from .models import Exercise


def index(request: HttpRequest) -> HttpResponse:
    if not policies.exercises.can(actor_of(request), "drills.view"):
        return forbidden(request)
    return render(
        request,
        "drills/index.html",
        {
            "exercises": selectors.exercises(actor_of(request)),
            "may_run": policies.exercises.can(actor_of(request), "drills.run"),
        },
    )


def new(request: HttpRequest) -> HttpResponse:
    if not policies.exercises.can(actor_of(request), "drills.run"):
        return forbidden(request)
    plans = plan_reports.visible(actor_of(request)).filter(
        agency_id__in=policies.agencies_covered(actor_of(request), "drills.run")
    )
    form = ExerciseForm(request.POST or None, request.FILES or None, plans=plans)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload, typed = data.get("script_file"), (data.get("script") or "").strip()

        def create() -> Exercise:
            if upload:
                parsed = script.parse(upload.read(), upload.name)
            elif "\n" in typed:  # more than the header row
                parsed = script.parse(typed, "script.csv")
            else:
                parsed = script.Script([])
            return services.create_exercise(
                actor=actor_of(request),
                plan=data["plan"],
                name=data["name"],
                speed=data["speed"],
                tells_outside=data["tells_outside"],
                rows=parsed.rows,
            )

        created = entrance.on_form(form, create)
        if created:
            return redirect("drills:detail", pk=created.value.pk)
    return render(request, "drills/new.html", {"form": form}, status=400 if form.errors else 200)


def _context(request: HttpRequest, exercise: Exercise) -> dict[str, object]:
    now = timezone.now()
    return {
        "exercise": exercise,
        "rows": [(i, selectors.clocks(i, now)) for i in selectors.injects(exercise)],
        "may_run": policies.exercises.can(actor_of(request), "drills.run", exercise),
        "running": exercise.status == Exercise.Status.RUNNING,
        "in_play": exercise.status in (Exercise.Status.RUNNING, Exercise.Status.FINISHED),
        "now": now,
    }


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    exercise = policies.exercises.get_visible(actor_of(request), pk)
    return render(request, "drills/detail.html", {**_context(request, exercise), "inject_form": InjectForm()})


def status(request: HttpRequest, pk: int) -> HttpResponse:
    """The live part of the page (polled while the exercise runs)."""
    exercise = policies.exercises.get_visible(actor_of(request), pk)
    return render(request, "drills/_status.html", _context(request, exercise))


def _act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    exercise = policies.exercises.get_visible(actor_of(request), pk)
    if not policies.exercises.can(actor_of(request), "drills.run", exercise):
        return forbidden(request)
    actor = actor_of(request)
    outcome: entrance.Done[object] | entrance.Refused
    if action == "start":
        form = StartForm(request.POST)
        speed = form.cleaned_data.get("speed") if form.is_valid() else None
        outcome = entrance.run(lambda: services.start(actor=actor, exercise=exercise, speed=speed))
    elif action == "stop":
        outcome = entrance.run(lambda: services.stop(actor=actor, exercise=exercise))
    else:
        outcome = entrance.run(lambda: services.delete_exercise(actor=actor, exercise=exercise))
        if isinstance(outcome, entrance.Done):
            return redirect("drills:index")
    if isinstance(outcome, entrance.Refused):
        context = {**_context(request, exercise), "inject_form": InjectForm(), "error": outcome.message}
        return render(request, "drills/detail.html", context, status=400)
    return redirect("drills:detail", pk=exercise.pk)


@require_POST
def start(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "start")


@require_POST
def stop(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "stop")


@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "delete")


def report(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    exercise = policies.exercises.get_visible(actor_of(request), pk)
    if fmt not in ("pdf", "odt"):
        raise Http404
    document = selectors.report(exercise, viewer=actor_of(request))
    content = formats.pdf(document) if fmt == "pdf" else formats.odt(document)
    kind = "application/pdf" if fmt == "pdf" else "application/vnd.oasis.opendocument.text"
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="drill-{exercise.pk}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    services.record_report_download(actor=actor_of(request), exercise=exercise, fmt=fmt)
    return response


@require_POST
def add_inject(request: HttpRequest, pk: int) -> HttpResponse:
    exercise = policies.exercises.get_visible(actor_of(request), pk)
    if not policies.exercises.can(actor_of(request), "drills.run", exercise):
        return forbidden(request)
    form = InjectForm(request.POST)
    if form.is_valid():
        row = {k: "" if v is None else str(v) for k, v in form.cleaned_data.items()}
        outcome = entrance.run(lambda: services.add_inject(actor=actor_of(request), exercise=exercise, row=row))
        if isinstance(outcome, entrance.Done):
            return redirect("drills:detail", pk=exercise.pk)
        form.add_error(None, outcome.message)  # a script row's rule: shown above the form, as the script's are
    return render(request, "drills/detail.html", {**_context(request, exercise), "inject_form": form}, status=400)
