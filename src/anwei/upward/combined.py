"""The superior's combined results report for a period (執行成果彙整報告): its own figures and every subordinate's
results report of that period, by agency and category, in PDF, ODT and ODS (the reports app's rendering). A
subordinate's own document can be downloaded too. Every download is on the audit log."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, Who, write_service
from anwei.audit import services as audit
from anwei.core import rocdate
from anwei.core.documents.blocks import Para, Report, Table
from anwei.core.documents.marks import watermark
from anwei.directory.models import Agency
from anwei.incidents.rules import CATEGORIES
from anwei.reports.services import RENDERERS

from . import policies, results
from .models import RollupResults

TRAVEL_FIGURES = ("declarations", "returns", "probed_or_contacted", "delegations")


def filed(user: Who) -> list[RollupResults]:
    return list(
        RollupResults.objects.filter(agency_id__in=policies.rollup_agencies(user))
        .select_related("agency")
        .defer("document")
        .order_by("-period_start", "agency__code")
    )


def _dates(row: RollupResults) -> tuple[date, date]:
    return rocdate.local(row.period_start).date(), rocdate.local(row.period_end - timedelta(microseconds=1)).date()


def periods(rows: list[RollupResults]) -> list[tuple[date, date]]:
    """The periods the filed results reports cover (newest first), as local first and last days."""
    return sorted({_dates(row) for row in rows}, reverse=True)


def window(first: date, last: date) -> tuple[datetime, datetime]:
    return (
        timezone.make_aware(datetime.combine(first, time.min)),
        timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min)),
    )


def _category(code: str) -> str:
    return str(CATEGORIES[code]) if code in CATEGORIES else code


def report(user: Who, first: date, last: date) -> Report:
    """Figures of the user's own agencies over the period and of each subordinate whose results report overlaps
    it; the subordinates of the user's scope that have not filed one are named."""
    start, end = window(first, last)
    own = Agency.objects.filter(pk__in=policies.superior_agencies(user)).order_by("code")
    rows: list[tuple[str, dict[str, Any]]] = [(a.name, results.figures(a.pk, start, end)) for a in own]
    found = [r for r in filed(user) if r.period_start < end and r.period_end > start]
    rows += [(r.agency.name, r.figures) for r in sorted(found, key=lambda r: r.agency.code)]
    codes = sorted(
        {c for _name, f in rows for c in (f.get("incidents") or {})},
        key=lambda c: list(CATEGORIES).index(c) if c in CATEGORIES else len(CATEGORIES),
    )
    doc = Report(
        title=_("Combined results report (執行成果彙整報告)"),
        subtitle=_("Period: %(period)s, %(days)s days")
        % {"period": rocdate.format_period(start, end), "days": (last - first).days + 1},
        agency="、".join(a.name for a in own),
        generated=_("Prepared %(when)s") % {"when": rocdate.format_datetime(timezone.now())},
        watermark=watermark(user),
    )

    def count(f: dict[str, Any], code: str, key: str) -> int:
        value = (f.get("incidents") or {}).get(code, {}).get(key, 0)
        return value if isinstance(value, int) else 0

    for key, caption in (
        ("new", _("New reports by agency and category")),
        ("open", _("Reports open at the end of the period, by agency and category")),
    ):
        counts = [[count(f, c, key) for c in codes] for _name, f in rows]
        totals = [sum(column) for column in zip(*counts, strict=True)] if counts else [0] * len(codes)
        table: list[list[Any]] = [[name, *n, sum(n)] for (name, _f), n in zip(rows, counts, strict=True)]
        header = [_("Agency"), *(_category(c) for c in codes), _("Total")]
        doc.add(Table(caption, header, [*table, [_("Total"), *totals, sum(totals)]], total_rows=1))
    numbers = [[int((f.get("travel") or {}).get(k) or 0) for k in TRAVEL_FIGURES] for _name, f in rows]
    travel: list[list[Any]] = [[name, *n] for (name, _f), n in zip(rows, numbers, strict=True)]
    travel_totals = [sum(column) for column in zip(*numbers, strict=True)] if numbers else [0] * len(TRAVEL_FIGURES)
    doc.add(
        Table(
            _("Mainland travel by agency"),
            [
                _("Agency"),
                _("Declarations"),
                _("Return reports"),
                _("Probing or contact"),
                _("Visiting delegations"),
            ],
            [*travel, [_("Total"), *travel_totals]],
            total_rows=1,
        )
    )
    filed_ids = {r.agency_id for r in found}
    missing = Agency.objects.filter(pk__in=policies.rollup_agencies(user)).exclude(pk__in=filed_ids).order_by("code")
    if missing:
        names = "、".join(a.name for a in missing)
        doc.add(Para(_("Not filed yet: %(agencies)s") % {"agencies": names}, emphasis=True))
    return doc


@write_service
@transaction.atomic
def render(*, actor: Actor, first: date, last: date, fmt: str) -> bytes:
    """The combined report as PDF, ODT or ODS; the download is audited."""
    content = RENDERERS[fmt](report(actor, first, last))
    audit.record(
        actor=actor,
        action=audit.Action.EXPORT,
        object_type="upward.combinedresults",
        object_repr=f"combined results {first.isoformat()}–{last.isoformat()}.{fmt}",
        changes={"from": first, "to": last, "format": fmt, "bytes": len(content)},
    )
    return content


@write_service
@transaction.atomic
def download_document(*, actor: Actor, results_id: int) -> RollupResults | None:
    """A subordinate's own results document, for those whose roll-up scope covers it; the download is audited."""
    found = RollupResults.objects.filter(
        pk=results_id, agency_id__in=policies.rollup_agencies(actor), document__isnull=False
    ).first()
    if found is not None:
        audit.record(
            actor=actor,
            action=audit.Action.EXPORT,
            obj=found,
            object_repr=f"{found.agency.code} {found.plan_title}"[:200],
            changes={"downloaded": True, "format": found.document_format, "sha256": found.document_sha256},
        )
    return found
