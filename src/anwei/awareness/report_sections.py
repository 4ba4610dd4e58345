"""Awareness work and mainland travel in the reports."""

from collections import Counter

from django.db.models import Count
from django.utils.translation import gettext as _

from anwei.core.documents.blocks import Block, ChartBlock, Figures, Heading, Table
from anwei.core.documents.charts import bar_chart
from anwei.plans.report_window import Window

from .models import Activity, Attendance, ReturnReport, TravelDeclaration


def _activities(window: Window) -> tuple[Table, list[tuple[str, int]]]:
    """Activities and attendance per topic: the head count where one was given, else the named attendees."""
    first, last = window.days[0], window.days[-1]
    activities = Activity.objects.filter(agency_id=window.plan.agency_id, held_on__gte=first, held_on__lte=last)
    count: Counter[str] = Counter()
    attendance: Counter[str] = Counter()
    named = dict(
        Attendance.objects.filter(activity__in=activities)
        .values("activity")
        .annotate(n=Count("id"))
        .values_list("activity", "n")
    )
    for pk, topic, head_count in activities.values_list("pk", "topic", "attendee_count"):
        count[topic] += 1
        attendance[topic] += head_count if head_count is not None else named.get(pk, 0)
    rows: list[list[object]] = []
    chart: list[tuple[str, int]] = []
    for code, label in Activity.Topic.choices:
        if count[code]:
            rows.append([label, count[code], attendance[code]])
            chart.append((str(label), attendance[code]))
    rows.append([_("Total"), sum(count.values()), sum(attendance.values())])
    table = Table(_("Awareness activities by topic"), [_("Topic"), _("Activities"), _("Attendance")], rows, 1)
    return table, chart


def daily(window: Window) -> list[Block]:
    table, _chart = _activities(window)
    return [Heading(_("Awareness")), table]


def final(window: Window) -> list[Block]:
    table, chart = _activities(window)
    first, last = window.days[0], window.days[-1]
    trips = TravelDeclaration.objects.filter(
        agency_id=window.plan.agency_id, departs_on__gte=first, departs_on__lte=last
    )
    returns = ReturnReport.objects.filter(declaration__in=trips)
    blocks: list[Block] = [Heading(_("Awareness and mainland contacts (宣導及赴陸)")), table]
    if chart:
        blocks.append(
            ChartBlock(
                bar_chart(_("Attendance by topic"), [c[0] for c in chart], [(_("Attendance"), [c[1] for c in chart])])
            )
        )
    blocks.append(
        Figures(
            _("Travel to mainland China, Hong Kong and Macau"),
            [
                (_("Trips declared"), trips.count()),
                (_("Declared late"), trips.filter(late=True).count()),
                (_("Return reports filed"), returns.count()),
                (
                    _("Returns reporting probing or contact"),
                    (returns.filter(probed=True) | returns.filter(contacted=True)).count(),
                ),
            ],
        )
    )
    return blocks
