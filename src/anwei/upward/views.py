"""The roll-up board (the superior's view of its subordinates) and the endpoint that receives signed filings."""

import json
import logging

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from anwei.core.decorators import second_factor_exempt
from anwei.core.views import forbidden
from anwei.incidents.rules import CATEGORIES

from . import combined, policies, selectors, services, signing, travel

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 4 * 1024 * 1024  # a results report carries its document (rules.ResultsRule.max_bytes, base64)


PER_PAGE = 100
REPORTS = 100  # the latest open major reports on the board; all of them in /api/v1/rollup/incidents?open_only=true


def board(request: HttpRequest) -> HttpResponse:
    """A page of the subordinate agencies (100 at a time, in code order) with today's sitrep, the day's counts over
    all of them, the 100 latest open major reports, open reports by category and the figures of this page's
    agencies: the same few queries for 10 agencies or 1,000 with a year of sitreps each."""
    if not policies.can_view_rollup(request.user):
        return forbidden(request)
    all_rows = selectors.SitrepRows(request.user)
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    start = (number - 1) * PER_PAGE
    rows = all_rows[start : start + PER_PAGE]
    now = timezone.now()
    reports = [
        (incident, CATEGORIES.get(incident.category), due, due is not None and due < now)
        for incident in selectors.incidents(request.user, open_only=True, agency_ids=all_rows.agency_ids)[:REPORTS]
        for due in [selectors.next_due(incident)]
    ]
    statistics = [
        {**row, "category_name": CATEGORIES[row["category"]] if row["category"] in CATEGORIES else row["category"]}
        for row in selectors.category_totals(request.user, all_rows.agency_ids)
    ]
    filed = combined.filed(request.user)
    totals = selectors.agency_totals([row.agency.pk for row in rows])
    by_agency = [(row.agency, totals[row.agency.pk]) for row in rows if row.agency.pk in totals]
    context = {
        "rows": rows,
        "day": all_rows.day,
        "counts": all_rows.counts(),
        "page": number,
        "previous_page": number - 1 if number > 1 else None,
        "next_page": number + 1 if start + PER_PAGE < len(all_rows) else None,
        "reports": reports,
        "statistics": statistics,
        "by_agency": by_agency,
        "travel": travel.visible(policies.rollup_agencies(request.user))[:50],
        "results": filed,
        "periods": combined.periods(filed),
        "can_manage_links": policies.can_manage_links(request.user),
    }
    return render(request, "upward/board.html", context)


def _refuse(status: int, code: str, **extra: object) -> JsonResponse:
    return JsonResponse({"error": code, **extra}, status=status)


@csrf_exempt
@require_POST
@second_factor_exempt
@login_not_required
def receive(request: HttpRequest) -> JsonResponse:
    """POST /upward/receive/: one filing from a subordinate, signed with its link's secret. Unknown link or a bad
    signature: 401; revoked link or another agency's filing: 403; out of order: 409 with the sequence expected."""
    link = services.link_for_key(request.headers.get(signing.LINK_HEADER, ""))
    if link is None:
        return _refuse(401, "unknown_link")
    if request.content_type != "application/json" or int(request.headers.get("Content-Length") or 0) > MAX_BODY_BYTES:
        return _refuse(400, "bad_filing")
    body = request.body
    timestamp = request.headers.get(signing.TIMESTAMP_HEADER, "")
    if not signing.valid(link.secret, timestamp, body, request.headers.get(signing.SIGNATURE_HEADER, "")):
        return _refuse(401, "bad_signature")
    try:
        record = json.loads(body.decode("utf-8"))
    except ValueError:
        return _refuse(400, "bad_filing")
    if not isinstance(record, dict):
        return _refuse(400, "bad_filing")
    try:
        outcome = services.accept(link=link, record=record)
    except services.Refused as refused:
        log.warning("upward filing refused from %s: %s", link.agency.code, refused.code)
        return _refuse(refused.status, refused.code, **refused.extra)
    return JsonResponse({"status": outcome.status, "last_sequence": outcome.last_sequence})
