"""The plan period's results report (執行成果報告) filed upward: on the subordinate, its figures (reports by
category, mainland travel) and the document as the results rule says (upward.rules.RESULTS_RULES: the format, a
size limit, withheld when it carries a marking the rule keeps home); on the superior, kept as `RollupResults`."""

import base64
import hashlib
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, write_service
from anwei.audit import services as audit
from anwei.awareness.models import Delegation, ReturnReport, TravelDeclaration
from anwei.core import rocdate
from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.directory.models import Agency
from anwei.incidents.models import Incident
from anwei.plans.models import Plan
from anwei.plans.report_window import Window
from anwei.reports import builders, policies
from anwei.reports.services import RENDERERS

from . import outbox, rules
from .models import OutboundFiling, RollupResults

TOO_LARGE = "too_large"


def figures(agency_id: int, start: datetime, end: datetime) -> dict[str, Any]:
    """Counts only: real reports (never drills) by category — new in the period, open at its end, closed in it —
    and the mainland-travel filings of the period."""
    real = Incident.objects.real().filter(agency_id=agency_id)
    new = Counter(real.filter(aware_at__gte=start, aware_at__lt=end).values_list("category", flat=True))
    still_open = Counter(
        real.filter(aware_at__lt=end)
        .exclude(status=Incident.Status.CLOSED, closed_at__lt=end)
        .values_list("category", flat=True)
    )
    closed = Counter(real.filter(closed_at__gte=start, closed_at__lt=end).values_list("category", flat=True))
    first, last = rocdate.local(start).date(), rocdate.local(end - timedelta(microseconds=1)).date()
    returns = ReturnReport.objects.filter(
        declaration__agency_id=agency_id, filed_on__gte=first, filed_on__lte=last
    ).values_list("probed", "contacted")
    return {
        "incidents": {
            code: {"new": new[code], "open": still_open[code], "closed": closed[code]}
            for code in sorted(set(new) | set(still_open) | set(closed))
        },
        "travel": {
            "declarations": TravelDeclaration.objects.filter(
                agency_id=agency_id, departs_on__gte=first, departs_on__lte=last
            ).count(),
            "returns": len(returns),
            "probed_or_contacted": sum(1 for probed, contacted in returns if probed or contacted),
            "delegations": Delegation.objects.filter(
                agency_id=agency_id, starts_on__gte=first, starts_on__lte=last
            ).count(),
        },
    }


def payload(plan: Plan, *, viewer: Any, now: datetime | None = None) -> dict[str, Any]:
    """What goes up for the plan's results report: the figures and, as the rule in force says, the document."""
    now = now or timezone.now()
    rule = rules.results_rule(rocdate.local(plan.period_end).date())
    if rule is None:
        raise BusinessRuleError(_("No rule sends this period's results report upward."))
    body: dict[str, Any] = {
        "plan": plan.pk,
        "title": plan.title,
        "period_start": plan.period_start.isoformat(),
        "period_end": plan.period_end.isoformat(),
        "figures": figures(plan.agency_id, plan.period_start, plan.period_end),
        "rule": rule.source,
    }
    window = Window(plan, plan.period_start, plan.period_end, viewer)
    withheld = sorted(builders.markings("final", window) & set(rule.document_withheld_when))
    if withheld:
        body["withheld"] = withheld[0]
        return body
    content = RENDERERS[rule.document_format](builders.final_report(plan, viewer=viewer))
    if len(content) > rule.max_bytes:
        body["withheld"] = TOO_LARGE
        return body
    body["document"] = {
        "format": rule.document_format,
        "sha256": hashlib.sha256(content).hexdigest(),
        "data": base64.b64encode(content).decode(),
    }
    return body


@transaction.atomic
@write_service
def file_results(*, actor: Actor, plan: Plan, now: datetime | None = None) -> OutboundFiling | RollupResults:
    """The ethics office files the period's results report upward once the period has ended: into the outbox when
    this instance is linked to its superior, straight into the roll-up when the superior is on this deployment.
    The command line (`upward results --plan ID`) files as `Actor.system()`."""
    if not actor.is_system and not policies.reports.can(actor, "upward.file_results", plan):
        raise NotAllowed()
    now = now or timezone.now()
    if plan.period_end > now:
        raise BusinessRuleError(_("The results report goes up once the period has ended."))
    body = payload(plan, viewer=actor.user, now=now)
    filed: OutboundFiling | RollupResults | None = None
    if outbox.upstream_agency_code() == plan.agency.code:
        filed = outbox.queue(agency=plan.agency, kind="results", source_key=f"results:{plan.pk}", payload=body)
    elif plan.agency.superior_id is not None:
        filed = apply(plan.agency, body)
    if filed is None:
        raise BusinessRuleError(_("This agency has no superior to file with."))
    audit.record(
        actor=actor,
        action=audit.Action.EXPORT,
        obj=plan,
        object_repr=plan.title,
        changes={"upward": "results", "document": "withheld" not in body, "withheld": body.get("withheld", "")},
    )
    return filed


def apply(agency: Agency, body: dict[str, Any]) -> RollupResults:
    """Keep the results report on the superior (a later filing for the same plan replaces it). A document whose
    bytes do not match its digest, or larger than the rule allows, is refused (ValueError)."""
    start, end = parse_datetime(str(body.get("period_start"))), parse_datetime(str(body.get("period_end")))
    plan_ref, figures_in = body.get("plan"), body.get("figures")
    if start is None or end is None or not isinstance(plan_ref, int) or not isinstance(figures_in, dict):
        raise ValueError("bad results filing")
    content, fmt = None, ""
    document = body.get("document")
    if isinstance(document, dict):
        content = base64.b64decode(str(document.get("data") or ""), validate=True)
        fmt = str(document.get("format") or "")
        rule = rules.results_rule(rocdate.local(end).date())
        too_big = rule is None or len(content) > rule.max_bytes
        if too_big or fmt not in RENDERERS or hashlib.sha256(content).hexdigest() != document.get("sha256"):
            raise ValueError("bad results document")
    results, _created = RollupResults.objects.update_or_create(
        agency=agency,
        plan_ref=plan_ref,
        defaults={
            "plan_title": str(body.get("title") or "")[:200],
            "period_start": start,
            "period_end": end,
            "figures": figures_in,
            "document": content,
            "document_format": fmt,
            "document_sha256": hashlib.sha256(content).hexdigest() if content else "",
            "withheld": "" if content else str(body.get("withheld") or "")[:40],
            "filed_at": timezone.now(),
        },
    )
    return results
