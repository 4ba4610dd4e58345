"""The upward app's part of the to-do list (core.todo): for the superior's duty officer and ethics office, a
subordinate's daily situation report still missing once its deadline has passed (report_due); for a subordinate's
ethics office, a plan period that has ended and whose results report has not gone up yet."""

from collections.abc import Iterator
from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.accounts.actor import Who
from anwei.core.todo import TodoItem

from . import policies, selectors


def items(user: Who, now: datetime) -> Iterator[TodoItem]:
    yield from _results_due(user, now)
    if not policies.superior_agencies(user, "upward.sitrep_due"):
        return
    for row in selectors.SitrepRows(user, now=now).missing():
        yield TodoItem(
            kind="report_due",
            title=_("Daily situation report missing: %(agency)s") % {"agency": row.agency.name},
            url=reverse("upward:board"),
            due_at=row.due_at,
        )


def _results_due(user: Who, now: datetime) -> Iterator[TodoItem]:
    from datetime import timedelta

    from anwei.plans.models import Plan
    from anwei.reports.policies import agencies_covered

    from . import outbox, rules
    from .models import OutboundFiling, RollupResults

    agencies = agencies_covered(user, "upward.file_results")
    if not agencies:
        return
    upstream = outbox.upstream_agency_code()
    ended = Plan.objects.filter(
        agency_id__in=agencies, period_end__lte=now, period_end__gt=now - timedelta(days=60)
    ).select_related("agency")
    for plan in ended:
        if plan.agency.superior_id is None and plan.agency.code != upstream:
            continue
        rule = rules.results_rule(timezone.localtime(plan.period_end).date())
        if rule is None or OutboundFiling.objects.filter(source_key=f"results:{plan.pk}").exists():
            continue
        if RollupResults.objects.filter(agency=plan.agency, plan_ref=plan.pk).exists():
            continue
        yield TodoItem(
            kind="report_due",
            title=_("Results report to file upward: %(plan)s") % {"plan": plan.title},
            url=reverse("upward:file_results", args=[plan.pk]),
            due_at=plan.period_end + timedelta(days=rule.due_days),
        )
