"""The plan's part of the reports: progress of its tasks per unit, and who was on duty."""

from collections import defaultdict

from django.db.models import Q
from django.utils.translation import gettext as _

from anwei.core import rocdate
from anwei.core.documents.blocks import Block, ChartBlock, Heading, Para, Table
from anwei.core.documents.charts import bar_chart
from anwei.directory.models import DutyShift
from anwei.plans.report_window import Window

from .models import Task

COUNTED = (Task.Status.OPEN, Task.Status.IN_PROGRESS, Task.Status.DONE)


def _per_unit(window: Window) -> list[tuple[str, int, int]]:
    """(unit, tasks, done) for the plan's tasks without sub-tasks, each counted once per responsible unit."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    leaves = Task.objects.filter(plan=window.plan, children__isnull=True, status__in=COUNTED)
    for unit_name, status in leaves.values_list("responsible_units__name", "status"):
        row = totals[unit_name or _("(no unit)")]
        row[0] += 1
        row[1] += status == Task.Status.DONE
    return sorted(((name, t, d) for name, (t, d) in totals.items()), key=lambda r: r[0])


def _table(rows: list[tuple[str, int, int]]) -> Table:
    body: list[list[object]] = [[name, total, done, f"{100 * done / total:.0f}%"] for name, total, done in rows]
    total, done = sum(r[1] for r in rows), sum(r[2] for r in rows)
    body.append([_("Total"), total, done, f"{100 * done / total:.0f}%" if total else "—"])
    return Table(_("Tasks by unit"), [_("Unit"), _("Tasks"), _("Done"), _("Completion")], body, total_rows=1)


def _duty(window: Window) -> Table:
    shifts = (
        DutyShift.objects.filter(
            kind__agency_id=window.plan.agency_id, starts_at__lt=window.end, ends_at__gt=window.start
        )
        .select_related("kind", "person", "substitute")
        .order_by("starts_at", "kind__name")
    )
    rows: list[list[object]] = []
    for shift in shifts:
        on_duty = shift.substitute if shift.primary_unavailable and shift.substitute else shift.person
        when = f"{rocdate.format_datetime(shift.starts_at)} – {rocdate.format_datetime(shift.ends_at, end=True)}"
        rows.append([shift.kind.name, when, on_duty.name if on_duty else _("(nobody — gap in the roster)")])
    return Table(_("Duty roster"), [_("Duty"), _("Shift"), _("On duty")], rows)


def daily(window: Window) -> list[Block]:
    updated = Task.objects.filter(plan=window.plan).filter(
        Q(updated_at__gte=window.start) & Q(updated_at__lt=window.end)
    )
    return [
        Heading(_("Plan tasks and duty")),
        Para(_("%(n)s tasks were updated in this period.") % {"n": updated.count()}),
        _table(_per_unit(window)),
        _duty(window),
    ]


def final(window: Window) -> list[Block]:
    rows = _per_unit(window)
    blocks: list[Block] = [Heading(_("Plan tasks (執行重點)")), _table(rows)]
    if rows:
        blocks.append(
            ChartBlock(
                bar_chart(
                    _("Task completion by unit"),
                    [name for name, _t, _d in rows],
                    [(_("Completion"), [round(100 * d / t) if t else 0 for _n, t, d in rows])],
                    percent=True,
                )
            )
        )
    return blocks
