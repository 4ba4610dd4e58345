"""Mainland-travel filings upward (赴陸): on the subordinate, a return report filed upward, a declaration or a
visiting delegation becomes a summary when a travel filing rule (upward.rules) sends it; on the superior, the
summary is kept as a `RollupTravel`. The purpose, places, what happened and the visitors' names stay home."""

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from anwei.awareness.models import Delegation, ReturnReport, TravelDeclaration
from anwei.directory.models import Agency

from . import rules
from .models import OutboundFiling, RollupTravel


def _day(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _declaration_fields(declaration: TravelDeclaration, rule: rules.TravelFilingRule) -> dict[str, Any]:
    return {
        "source_id": declaration.pk,
        "destination": declaration.destination,
        "category": declaration.category,
        "traveller": declaration.traveller.name if rule.send_name else "",
        "unit": declaration.unit.name if declaration.unit is not None else "",
        "starts_on": _day(declaration.departs_on),
        "ends_on": _day(declaration.returns_on),
        "rule": rule.source,
    }


def summary(event: str, pk: int) -> tuple[Agency, dict[str, Any]] | None:
    """The summary that goes up for this travel record, with its agency; None when no rule sends it (or a return
    report is not filed upward yet)."""
    if event == rules.RETURN:
        report = (
            ReturnReport.objects.select_related("declaration__agency", "declaration__traveller", "declaration__unit")
            .filter(pk=pk, upward_filed_on__isnull=False)
            .first()
        )
        if report is None:
            return None
        declaration = report.declaration
        rule = rules.travel_rule(event=event, category=declaration.category, on=report.filed_on)
        if rule is None:
            return None
        return declaration.agency, {
            "event": event,
            **_declaration_fields(declaration, rule),
            "source_id": report.pk,
            "filed_on": _day(report.filed_on),
            "late": report.late,
            "probed": report.probed,
            "contacted": report.contacted,
            "incident_reference": report.incident_reference,
        }
    if event == rules.DECLARATION:
        found = TravelDeclaration.objects.select_related("agency", "traveller", "unit").filter(pk=pk).first()
        rule = rules.travel_rule(event=event, category=found.category, on=found.applied_on) if found else None
        if found is None or rule is None:
            return None
        return found.agency, {
            "event": event,
            **_declaration_fields(found, rule),
            "filed_on": _day(found.applied_on),
            "late": found.late,
        }
    delegation = Delegation.objects.select_related("agency", "unit").filter(pk=pk).first()
    if delegation is None or (rule := rules.travel_rule(event=event, on=delegation.starts_on)) is None:
        return None
    return delegation.agency, {
        "event": event,
        "source_id": delegation.pk,
        "title": delegation.title,
        "unit": delegation.unit.name,
        "starts_on": _day(delegation.starts_on),
        "ends_on": _day(delegation.ends_on),
        "rule": rule.source,
    }


def queue(event: str, pk: int) -> OutboundFiling | None:
    """After a travel record is saved: its summary goes into the outbox when a rule sends it."""
    from . import outbox

    found = summary(event, pk)
    if found is None:
        return None
    agency, payload = found
    return outbox.queue(agency=agency, kind="travel", source_key=f"travel:{event}:{pk}", payload=payload)


def roll_up_locally(event: str, pk: int) -> None:
    """An agency whose superior is on this deployment: its travel summary goes straight into the local roll-up."""
    found = summary(event, pk)
    if found is not None and found[0].superior_id is not None:
        apply(found[0], found[1])


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def apply(agency: Agency, payload: dict[str, Any]) -> RollupTravel:
    """Keep (or update) the travel summary on the superior; a summary without its event, number or dates is
    refused (ValueError)."""
    event, source_id = payload.get("event"), payload.get("source_id")
    starts_on, ends_on = _date(payload.get("starts_on")), _date(payload.get("ends_on"))
    if event not in rules.TRAVEL_EVENTS or not isinstance(source_id, int) or starts_on is None or ends_on is None:
        raise ValueError("bad travel filing")
    travel, _created = RollupTravel.objects.update_or_create(
        agency=agency,
        event=event,
        source_id=source_id,
        defaults={
            "destination": str(payload.get("destination") or "")[:20],
            "category": str(payload.get("category") or "")[:20],
            "title": str(payload.get("title") or "")[:200],
            "traveller": str(payload.get("traveller") or "")[:120],
            "unit_name": str(payload.get("unit") or "")[:120],
            "starts_on": starts_on,
            "ends_on": ends_on,
            "filed_on": _date(payload.get("filed_on")),
            "late": payload.get("late") is True,
            "probed": payload.get("probed") is True,
            "contacted": payload.get("contacted") is True,
            "incident_reference": str(payload.get("incident_reference") or "")[:40],
            "updated_at": timezone.now(),
        },
    )
    return travel


def visible(agency_ids: list[int]) -> QuerySet[RollupTravel]:
    return RollupTravel.objects.filter(agency_id__in=agency_ids).select_related("agency").order_by("-starts_on", "-pk")
