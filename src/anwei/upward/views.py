"""The roll-up board (the superior's view of its subordinates) and the endpoint that receives signed filings."""

import json
import logging

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from anwei.accounts.actor import actor_of
from anwei.accounts.views_mfa import second_factor_exempt
from anwei.core.views import forbidden
from anwei.incidents.rules import CATEGORIES

from . import policies, selectors, services, signing

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 256 * 1024


def board(request: HttpRequest) -> HttpResponse:
    if not policies.can_view_rollup(actor_of(request)):
        return forbidden(request)
    rows = selectors.sitreps(actor_of(request))
    now = timezone.now()
    reports = [
        (incident, CATEGORIES.get(incident.category), due, due is not None and due < now)
        for incident in selectors.incidents(actor_of(request), open_only=True)[:200]
        for due in [selectors.next_due(incident)]
    ]
    statistics = [
        {**row, "category_name": CATEGORIES[row["category"]] if row["category"] in CATEGORIES else row["category"]}
        for row in selectors.statistics(actor_of(request))
    ]
    return render(request, "upward/board.html", {"rows": rows, "reports": reports, "statistics": statistics})


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
