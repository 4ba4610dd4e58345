"""The incidents' part of the daily situation report and of the results report. Restricted reports appear as a
reference number and category only, never with their title or content."""

from collections import Counter

from django.conf import settings
from django.db.models import Case, F, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.core import rocdate
from anwei.core.documents.blocks import RESTRICTED, Block, ChartBlock, Figures, Heading, Para, Table
from anwei.core.documents.charts import bar_chart
from anwei.plans.report_window import Window

from . import rules
from .models import Deadline, Incident

NOTABLE = ("major", "critical")


def _in_agency(window: Window) -> QuerySet[Incident]:
    """The agency's real reports: drills (演練) never count in the daily or results report."""
    return Incident.objects.real().filter(agency_id=window.plan.agency_id)


def _category(code: str) -> str:
    category = rules.CATEGORIES.get(code)
    return str(category) if category else code


def _title(incident: Incident) -> str:
    return _("(restricted)") if incident.restricted else incident.title


def classification(window: Window) -> str:
    """限閱 when a restricted report bears on the window (known before its end, not closed before its start): it may
    then be counted or listed, if only by reference and category."""
    relevant = _in_agency(window).filter(restricted=True, aware_at__lt=window.end).exclude(closed_at__lt=window.start)
    return RESTRICTED if relevant.exists() else ""


def _by_category(new: QuerySet[Incident], window: Window) -> Table:
    agency = _in_agency(window)
    created = Counter(new.values_list("category", flat=True))
    still_open = Counter(
        agency.filter(aware_at__lt=window.end)
        .exclude(status=Incident.Status.CLOSED, closed_at__lt=window.end)
        .values_list("category", flat=True)
    )
    closed = Counter(
        agency.filter(closed_at__gte=window.start, closed_at__lt=window.end).values_list("category", flat=True)
    )
    codes = [c for c in rules.CATEGORIES if created[c] or still_open[c] or closed[c]]
    rows: list[list[object]] = [[_category(c), created[c], still_open[c], closed[c]] for c in codes]
    rows.append([_("Total"), sum(created.values()), sum(still_open.values()), sum(closed.values())])
    return Table(_("Reports by category"), [_("Category"), _("New"), _("Open"), _("Closed")], rows, total_rows=1)


def _overdue(window: Window) -> Table:
    late = (
        Deadline.objects.filter(incident__in=_in_agency(window), due_at__lt=window.end)
        .exclude(met_at__lt=window.end)
        .select_related("incident")
        .order_by("due_at")
    )
    rows: list[list[object]] = [
        [d.incident.reference, _category(d.incident.category), d.name, rocdate.format_datetime(d.due_at)]
        for d in late
        if d.due_at is not None
    ]
    return Table(_("Overdue deadlines"), [_("Reference"), _("Category"), _("Deadline"), _("Due")], rows)


def daily(window: Window) -> list[Block]:
    new = _in_agency(window).filter(aware_at__gte=window.start, aware_at__lt=window.end).order_by("aware_at")
    blocks: list[Block] = [Heading(_("Reports (通報)"))]
    if not new.exists():
        blocks.append(Para(_("Zero reports (零通報): nothing was reported in this period."), emphasis=True))
    else:
        blocks.append(
            Table(
                _("New reports"),
                [_("Reference"), _("Category"), _("Report title"), _("Unit"), _("Aware at"), _("Status")],
                [
                    [
                        i.reference,
                        _category(i.category),
                        _title(i),
                        i.unit.name if i.unit else "",
                        rocdate.format_datetime(i.aware_at),
                        i.get_status_display(),
                    ]
                    for i in new.select_related("unit")
                ],
            )
        )
    blocks += [_by_category(new, window), _overdue(window)]
    return blocks


def final(window: Window) -> list[Block]:
    period = _in_agency(window).filter(aware_at__gte=window.start, aware_at__lt=window.end)
    total = period.count()
    closed = period.filter(status=Incident.Status.CLOSED).count()
    overdue_count = (
        Deadline.objects.filter(incident__in=period, due_at__lt=timezone.now(), met_at__isnull=True).count()
        + Deadline.objects.filter(incident__in=period, met_at__gt=F("due_at")).count()
    )
    blocks: list[Block] = [
        Heading(_("Reports (通報)")),
        Figures(
            _("Reports in figures"),
            [
                (_("Reports received"), total),
                (_("Closed"), closed),
                (_("Still open"), total - closed),
                (_("Restricted reports"), period.filter(restricted=True).count()),
                (_("Deadlines missed"), overdue_count),
            ],
        ),
    ]
    if not total:
        blocks.append(Para(_("Zero reports (零通報) in the whole period."), emphasis=True))
        return blocks
    by_category = _by_category(period, window)
    blocks.append(by_category)
    labels = [str(row[0]) for row in by_category.rows[:-1]]
    blocks.append(
        ChartBlock(bar_chart(_("Reports by category"), labels, [(_("New"), [row[1] for row in by_category.rows[:-1]])]))
    )
    per_day = Counter(rocdate.local(at).date() for at in period.values_list("aware_at", flat=True))
    days = window.days
    blocks.append(
        ChartBlock(
            bar_chart(
                _("Reports by day"),
                [f"{d.month}/{d.day}" for d in days],
                [(_("Number of reports"), [per_day.get(d, 0) for d in days])],
                width=680,
            )
        )
    )
    notable = (period.filter(severity__in=NOTABLE) | period.filter(cyber_level__gte=3)).distinct()
    count = notable.count()
    most_serious = notable.annotate(
        rank=Case(When(severity="critical", then=Value(2)), When(severity="major", then=Value(1)), default=Value(0))
    ).order_by("-rank", F("cyber_level").desc(nulls_last=True), "aware_at", "pk")[: settings.ANWEI_REPORT_NOTABLE_MAX]
    rows: list[list[object]] = [
        [i.reference, rocdate.format_datetime(i.aware_at), _category(i.category), _title(i), i.get_status_display()]
        for i in sorted(most_serious, key=lambda i: (i.aware_at, i.pk))
    ]
    blocks.append(
        Table(
            _("Notable reports"), [_("Reference"), _("Aware at"), _("Category"), _("Report title"), _("Status")], rows
        )
    )
    if count > len(rows):
        blocks.append(
            Para(
                _(
                    "The %(listed)d most serious of %(count)d notable reports are listed; the reports list gives all "
                    "of them (filter and download it as CSV)."
                )
                % {"listed": len(rows), "count": count}
            )
        )
    return blocks
