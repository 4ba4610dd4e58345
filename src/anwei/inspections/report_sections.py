"""Inspections in the reports: how many were done, what was found, and how much has been corrected."""

from collections import Counter

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from anwei.core import rocdate
from anwei.core.documents.blocks import Block, ChartBlock, Figures, Heading, Table
from anwei.core.documents.charts import bar_chart
from anwei.plans.report_window import Window

from .models import CorrectiveAction, Finding, Inspection, Severity


def _findings_table(findings: Counter[str], closed: Counter[str]) -> Table:
    rows: list[list[object]] = []
    for code, label in Severity.choices:
        if findings[code]:
            rate = f"{100 * closed[code] / findings[code]:.0f}%"
            rows.append([label, findings[code], closed[code], rate])
    total, done = sum(findings.values()), sum(closed.values())
    rows.append([_("Total"), total, done, f"{100 * done / total:.0f}%" if total else "—"])
    return Table(
        _("Findings by severity"),
        [pgettext("finding", "Severity"), _("Findings"), _("Corrected"), _("Correction rate")],
        rows,
        1,
    )


def daily(window: Window) -> list[Block]:
    done = Inspection.objects.filter(
        round__plan=window.plan, submitted_at__gte=window.start, submitted_at__lt=window.end
    ).select_related("round", "target")
    findings = Counter(Finding.objects.filter(inspection__in=done).values_list("severity", flat=True))
    rows: list[list[object]] = [
        [i.round.title, str(i.target), rocdate.format_datetime(i.submitted_at), i.findings.count()]
        for i in done
        if i.submitted_at
    ]
    return [
        Heading(_("Inspections")),
        Table(_("Inspections done"), [_("Round"), _("Target"), _("Submitted"), _("Findings")], rows),
        _findings_table(findings, Counter()),
    ]


def final(window: Window) -> list[Block]:
    inspections = Inspection.objects.filter(round__plan=window.plan)
    findings = Finding.objects.filter(inspection__round__plan=window.plan)
    by_severity = Counter(findings.values_list("severity", flat=True))
    corrected = Counter(
        CorrectiveAction.objects.filter(finding__in=findings, status=CorrectiveAction.Status.CLOSED).values_list(
            "finding__severity", flat=True
        )
    )
    table = _findings_table(by_severity, corrected)
    blocks: list[Block] = [
        Heading(_("Inspections (檢查)")),
        Figures(
            _("Inspections in figures"),
            [
                (_("Rounds"), window.plan.inspection_rounds.count()),
                (_("Inspections planned"), inspections.count()),
                (_("Inspections done"), inspections.filter(status=Inspection.Status.DONE).count()),
                (_("Findings"), sum(by_severity.values())),
                (_("Corrective actions closed"), sum(corrected.values())),
            ],
        ),
        table,
    ]
    if by_severity:
        labels = [str(row[0]) for row in table.rows[:-1]]
        blocks.append(
            ChartBlock(
                bar_chart(
                    _("Findings by severity and correction"),
                    labels,
                    [
                        (_("Findings"), [row[1] for row in table.rows[:-1]]),
                        (_("Corrected"), [row[2] for row in table.rows[:-1]]),
                    ],
                )
            )
        )
    return blocks
