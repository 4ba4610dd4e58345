"""The classified register in the results report: activity in the period as counts only — never a title."""

from django.utils.translation import gettext as _

from anwei.core.documents.blocks import CONFIDENTIAL, Block, Heading, Table
from anwei.plans.report_window import Window

from .models import ClassifiedItem, CustodyRequest, DestructionRecord, LevelChange, Transfer
from .rules import Level


def classification(window: Window) -> str:
    """密 when the register had any activity in the window: the report then holds counts from it."""
    agency, start, end = window.plan.agency_id, window.start, window.end
    activity = (
        ClassifiedItem.objects.filter(agency_id=agency, created_at__gte=start, created_at__lt=end),
        CustodyRequest.objects.filter(item__agency_id=agency, requested_at__gte=start, requested_at__lt=end),
        Transfer.objects.filter(item__agency_id=agency, created_at__gte=start, created_at__lt=end),
        LevelChange.objects.filter(item__agency_id=agency, decided_at__gte=start, decided_at__lt=end),
        DestructionRecord.objects.filter(item__agency_id=agency, destroyed_at__gte=start, destroyed_at__lt=end),
    )
    return CONFIDENTIAL if any(qs.exists() for qs in activity) else ""


def final(window: Window) -> list[Block]:
    agency, start, end = window.plan.agency_id, window.start, window.end
    items = ClassifiedItem.objects.filter(agency_id=agency)
    requests = CustodyRequest.objects.filter(item__agency_id=agency, requested_at__gte=start, requested_at__lt=end)
    rows: list[list[object]] = []
    for level, label in Level.choices:
        of_level = items.filter(level=level)
        rows.append(
            [
                label,
                of_level.filter(created_at__gte=start, created_at__lt=end, original__isnull=True).count(),
                requests.filter(item__level=level, status__in=("approved", "returned")).count(),
                requests.filter(item__level=level, status="refused").count(),
                Transfer.objects.filter(item__in=of_level, created_at__gte=start, created_at__lt=end).count(),
                LevelChange.objects.filter(
                    from_level=level, item__agency_id=agency, decided_at__gte=start, decided_at__lt=end
                ).count(),
                DestructionRecord.objects.filter(
                    item__in=of_level, destroyed_at__gte=start, destroyed_at__lt=end
                ).count(),
            ]
        )
    totals: list[object] = [_("Total"), *(sum(int(row[i]) for row in rows) for i in range(1, 7))]  # type: ignore[call-overload]  # the rows are typed as objects
    return [
        Heading(_("Classified-document register (機密文書)")),
        Table(
            _("Register activity in the period (counts only)"),
            [
                _("Level"),
                _("Registered"),
                _("Copies and take-outs approved"),
                _("Requests refused"),
                _("Transfers"),
                _("Level changes and declassifications"),
                _("Destroyed"),
            ],
            [*rows, totals],
            total_rows=1,
        ),
    ]
