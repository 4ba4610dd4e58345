"""The subordinate's side: filings queued in the outbox (`OutboundFiling`) and pushed to the superior in sequence
order, at least once, retried with a doubling back-off. The superior applies each once (by UUID and sequence), so a
retry after a lost answer does no harm. Nothing is queued unless ANWEI_UPSTREAM_URL and ANWEI_UPSTREAM_TOKEN are
set."""

import json
import logging
import urllib.error
import urllib.request
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from anwei.directory.models import Agency
from anwei.incidents.models import Incident

from . import rules, signing
from .models import OutboundFiling

log = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 3600
TIMEOUT_SECONDS = 10


def upstream_agency_code() -> str | None:
    if not (settings.ANWEI_UPSTREAM_URL and settings.ANWEI_UPSTREAM_TOKEN):
        return None
    return signing.split_token(settings.ANWEI_UPSTREAM_TOKEN)[0]


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def queue(*, agency: Agency, kind: str, source_key: str, payload: dict[str, Any]) -> OutboundFiling | None:
    """Append a filing to the outbox with the next sequence number (nothing when no upstream is set, or the agency
    is not the linked one, or the same content is already queued for this source)."""
    code = upstream_agency_code()
    if code is None or agency.code != code:
        return None
    last = OutboundFiling.objects.filter(source_key=source_key).order_by("-sequence").first()
    if last is not None and last.payload == payload:
        return None
    for _attempt in range(5):
        try:
            with transaction.atomic():
                top = OutboundFiling.objects.aggregate(top=Max("sequence"))["top"] or 0
                filing = OutboundFiling.objects.create(
                    sequence=top + 1, agency_code=agency.code, kind=kind, source_key=source_key, payload=payload
                )
        except IntegrityError:  # another process took the number: take the next one
            continue
        transaction.on_commit(_enqueue_push)
        return filing
    raise RuntimeError("could not number the upward filing")


def _enqueue_push() -> None:
    from .tasks import push

    push.enqueue()


def incident_summary(incident: Incident) -> dict[str, Any]:
    """Reference, category, level, unit name, times, status, clocks — never the description or other free text;
    the title only of a report that is not restricted."""
    return {
        "reference": incident.reference,
        "category": incident.category,
        "cyber_level": incident.cyber_level,
        "severity": incident.severity,
        "status": incident.status,
        "title": "" if incident.restricted else incident.title,
        "unit": incident.unit.name if incident.unit is not None else "",
        "aware_at": _iso(incident.aware_at),
        "occurred_at": _iso(incident.occurred_at),
        "recovered_at": _iso(incident.recovered_at),
        "closed_at": _iso(incident.closed_at),
        "clocks": [
            {"code": d.code, "due_at": _iso(d.due_at), "met_at": _iso(d.met_at)}
            for d in incident.deadlines.order_by("due_at", "pk")
        ],
    }


def queue_incident(incident_id: int) -> OutboundFiling | None:
    """After a report is filed or changed: its summary goes up when the rules say the superior must be told."""
    incident = Incident.objects.select_related("agency", "unit").filter(pk=incident_id).first()
    if incident is None:
        return None
    on = timezone.localtime(incident.aware_at).date()
    if not rules.goes_up(
        category=incident.category, cyber_level=incident.cyber_level, severity=incident.severity, on=on
    ):
        return None
    return queue(
        agency=incident.agency,
        kind="incident",
        source_key=f"incident:{incident.pk}",
        payload=incident_summary(incident),
    )


def roll_up_locally(incident_id: int) -> None:
    """A subordinate agency on this same deployment: its summary goes straight into the local roll-up."""
    from . import services

    incident = Incident.objects.select_related("agency", "unit").filter(pk=incident_id).first()
    if incident is None or incident.agency.superior_id is None:
        return
    on = timezone.localtime(incident.aware_at).date()
    if rules.goes_up(category=incident.category, cyber_level=incident.cyber_level, severity=incident.severity, on=on):
        services.apply_local(agency=incident.agency, kind="incident", payload=incident_summary(incident))


def sitrep_payload(agency: Agency, day: date) -> dict[str, Any]:
    end = rules.cutoff_at(day)
    count = Incident.objects.filter(agency=agency, aware_at__gte=end - timedelta(days=1), aware_at__lt=end).count()
    return {"day": day.isoformat(), "incident_count": count, "zero_report": count == 0}


def roll_up_sitreps_locally(day: date) -> int:
    """The sitreps of the subordinate agencies on this deployment, into the local roll-up (once a day each)."""
    from . import services
    from .models import RollupSitrep

    done = 0
    for agency in Agency.objects.filter(superior__isnull=False).exclude(upward_links__isnull=False):
        if not RollupSitrep.objects.filter(agency=agency, day=day).exists():
            services.apply_local(agency=agency, kind="sitrep", payload=sitrep_payload(agency, day))
            done += 1
    return done


def queue_sitrep(agency: Agency, day: date) -> OutboundFiling | None:
    """The daily situation report of `day` at its cut-off: the count of reports in the 24 hours up to the cut-off
    (0 is a 零通報)."""
    key = f"sitrep:{day.isoformat()}"
    if OutboundFiling.objects.filter(source_key=key).exists():
        return None  # filed once per day
    return queue(agency=agency, kind="sitrep", source_key=key, payload=sitrep_payload(agency, day))


def queue_sitreps(day: date) -> int:
    code = upstream_agency_code()
    agency = Agency.objects.filter(code=code).first() if code else None
    return 1 if agency is not None and queue_sitrep(agency, day) is not None else 0


def queue_checkpoint() -> OutboundFiling | None:
    """The audit log's newest checkpoint, signed with the audit signing key, for the superior to keep as a witness
    (with the public key, which the superior pins on the first one)."""
    import base64

    from anwei.audit import keys, witness
    from anwei.audit.models import AuditCheckpoint

    code = upstream_agency_code()
    agency = Agency.objects.filter(code=code).first() if code else None
    cp = AuditCheckpoint.objects.order_by("-day").first()
    if agency is None or cp is None:
        return None
    key_id = getattr(cp, "key_id", None)
    signed = witness.Witnessed(cp.seq, cp.hash, key_id, cp.created_at.isoformat(timespec="seconds"))
    payload = {
        "seq": signed.seq,
        "mac": signed.mac,
        "key": signed.key,
        "at": signed.at,
        "sig": base64.b64encode(keys.signing_key().sign(signed.message())).decode(),
        "public_key": keys.public_key_pem(),
    }
    return queue(agency=agency, kind="checkpoint", source_key=f"checkpoint:{cp.day.isoformat()}", payload=payload)


def _body(filing: OutboundFiling) -> bytes:
    record = {
        "agency": filing.agency_code,
        "uuid": str(filing.uuid),
        "sequence": filing.sequence,
        "kind": filing.kind,
        "filed_at": filing.created_at.isoformat(),
        "payload": filing.payload,
    }
    return json.dumps(record, ensure_ascii=False, sort_keys=True).encode()


def send(filing: OutboundFiling) -> tuple[int, dict[str, Any]]:
    """POST one filing to the superior; its HTTP status and answer (status 0 when it could not be reached)."""
    _code, key, secret = signing.split_token(settings.ANWEI_UPSTREAM_TOKEN)
    body = _body(filing)
    request = urllib.request.Request(  # noqa: S310 (the configured https/http URL of the superior)
        f"{settings.ANWEI_UPSTREAM_URL}/upward/receive/",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", **signing.headers(key, secret, body)},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, json.loads(exc.read() or b"{}")
        except ValueError:
            return exc.code, {}
    except (OSError, ValueError) as exc:
        return 0, {"error": str(exc)}


def push(now: Any = None) -> int:
    """One round: send the unsent filings in sequence order until one fails (the rest wait behind it, so the
    superior sees them in order); the failed one is tried again after a doubling back-off. Returns how many were
    accepted."""
    if upstream_agency_code() is None:
        return 0
    now = now or timezone.now()
    sent = 0
    for filing in OutboundFiling.objects.filter(sent_at__isnull=True).order_by("sequence"):
        if filing.next_attempt_at > now:
            break
        status, answer = send(filing)
        if status == 200:
            OutboundFiling.objects.filter(pk=filing.pk).update(sent_at=timezone.now(), last_error="")
            sent += 1
            continue
        attempts = filing.attempts + 1
        backoff = min(settings.ANWEI_UPWARD_RETRY_SECONDS * 2 ** (attempts - 1), MAX_BACKOFF_SECONDS)
        error = str(answer.get("error", answer))[:300] if answer else f"HTTP {status}"
        OutboundFiling.objects.filter(pk=filing.pk).update(
            attempts=attempts, next_attempt_at=timezone.now() + timedelta(seconds=backoff), last_error=error
        )
        log.warning("upward filing %s not accepted (%s): %s", filing.sequence, status, error)
        break
    return sent


def pending() -> int:
    return OutboundFiling.objects.filter(sent_at__isnull=True).count()
