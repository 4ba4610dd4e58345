"""The daily situation report and the final results report, assembled from the sections each app contributes.

An app contributes through `anwei/<app>/report_sections.py` with either or both of
    daily(window: Window) -> list[Block]
    final(window: Window) -> list[Block]
called in INSTALLED_APPS order. A section must not put restricted titles or content in a report: counts only.
A section whose content in a window comes from restricted records also has
    classification(window: Window) -> str   (a marking from document.MARKINGS, or "")
and the report then carries the classification banner. Every report built for someone carries the watermark with
the viewer's name and the time it was made."""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anwei.core import rocdate
from anwei.core.documents.blocks import CONFIDENTIAL, MARKINGS, RESTRICTED, Block, Para, Report, SignOff
from anwei.core.documents.marks import watermark
from anwei.core.registry import modules
from anwei.plans.models import Plan
from anwei.plans.report_window import Window

Progress = Callable[[int, str], None]

BANNERS = {CONFIDENTIAL: gettext_lazy("Confidential (密)"), RESTRICTED: gettext_lazy("Restricted (限閱)")}


def _sections(kind: str) -> list[Callable[[Window], list[Block]]]:
    return [getattr(module, kind) for module in modules("report_sections") if hasattr(module, kind)]


def _generated() -> str:
    return _("Prepared %(when)s") % {"when": rocdate.format_datetime(timezone.now())}


def markings(kind: str, window: Window) -> set[str]:
    """The markings (document.MARKINGS) that the report's sections give their content in this window."""
    marks = {
        module.classification(window)
        for module in modules("report_sections")
        if hasattr(module, kind) and hasattr(module, "classification")
    }
    return marks & set(MARKINGS)


def banner(kind: str, window: Window) -> str:
    """The markings that the report's sections give their content in this window, joined ("" when none)."""
    marks = markings(kind, window)
    return " · ".join(str(BANNERS[mark]) for mark in MARKINGS if mark in marks)


def _fill(report: Report, kind: str, window: Window, progress: Progress | None) -> Report:
    sections = _sections(kind)
    for i, section in enumerate(sections):
        report.add(*section(window))
        if progress:
            progress(int(80 * (i + 1) / max(len(sections), 1)), _("Collecting figures"))
    report.banner = banner(kind, window)
    report.watermark = watermark(window.viewer)
    return report


def daily_window(plan: Plan, day: date) -> Window:
    """The day's report covers the 24 hours up to the cut-off time of that day (e.g. 08:00), within the plan."""
    cutoff = time.fromisoformat(settings.ANWEI_DAILY_CUTOFF)
    end = timezone.make_aware(datetime.combine(day, cutoff))
    start = end - timedelta(days=1)
    return Window(plan, max(start, plan.period_start), min(end, plan.period_end))


def daily_report(plan: Plan, day: date, *, progress: Progress | None = None, viewer: Any = None) -> Report:
    window = daily_window(plan, day)
    window = Window(plan, window.start, window.end, viewer)
    report = Report(
        title=_("Daily situation report (每日狀況表)"),
        subtitle=f"{plan.title} — {rocdate.format_date(day, weekday=True)}",
        agency=plan.agency.name,
        generated=_generated(),
    )
    report.add(
        Para(
            _("Covers %(start)s to %(end)s.")
            % {"start": rocdate.format_datetime(window.start), "end": rocdate.format_datetime(window.end, end=True)}
        )
    )
    return _fill(report, "daily", window, progress)


def final_report(plan: Plan, *, progress: Progress | None = None, viewer: Any = None) -> Report:
    window = Window(plan, plan.period_start, plan.period_end, viewer)
    report = Report(
        title=_("%(plan)s — results report (執行成果報告)") % {"plan": plan.title},
        subtitle=_("Period: %(period)s, %(days)s days")
        % {
            "period": rocdate.format_period(plan.period_start, plan.period_end),
            "days": rocdate.period_days(plan.period_start, plan.period_end),
        },
        agency=plan.agency.name,
        generated=_generated(),
    )
    _fill(report, "final", window, progress)
    report.add(SignOff([_("Prepared by (承辦人)"), _("Unit head (單位主管)"), _("Agency head (機關首長)")]))
    return report


BUILDERS: dict[str, Callable[..., Report]] = {"daily": daily_report, "final": final_report}
