"""The superior's side: links (create, revoke) and the one way a filing is accepted — checked, applied once and in
the link's sequence order, and audited, in one transaction."""

import base64
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from anwei.accounts.actor import Actor, write_service
from anwei.audit import services as audit
from anwei.audit.witness import Witnessed
from anwei.directory.models import Agency

from . import rules
from .models import Link, ReceivedFiling, RollupIncident, RollupSitrep, WitnessedCheckpoint

KINDS = ("incident", "sitrep", "checkpoint")


@write_service
@transaction.atomic
def create_link(*, actor: Actor, agency_code: str, name: str, superior: Agency | None = None) -> tuple[Link, str]:
    """Register a subordinate agency (created here if new, under `superior`) and its link; returns the link and
    the token the subordinate is given (shown once)."""
    agency = Agency.objects.filter(code=agency_code).first()
    if agency is None:
        agency = Agency.objects.create(code=agency_code, name=name, superior=superior)
    elif superior is not None and agency.superior_id is None and agency.pk != superior.pk:
        agency.superior = superior
        agency.save(update_fields=["superior"])
    link = Link.objects.create(agency=agency, name=name, key=secrets.token_hex(8), secret=secrets.token_urlsafe(32))
    audit.record(actor=actor, action=audit.Action.CREATE, obj=link, object_repr=f"link {agency.code}")
    return link, f"{agency.code}.{link.key}.{link.secret}"


@write_service
@transaction.atomic
def revoke_link(*, actor: Actor, link: Link) -> Link:
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action=audit.Action.REVOKE, obj=link, object_repr=f"link {link.agency.code}")
    return link


class Refused(Exception):
    def __init__(self, status: int, code: str, **extra: Any) -> None:
        super().__init__(code)
        self.status, self.code, self.extra = status, code, extra


@dataclass(frozen=True)
class Outcome:
    status: str  # "accepted" or "duplicate"
    last_sequence: int


def _time(value: Any) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) and value else None


def accept(*, link: Link, record: dict[str, Any], received_at: datetime | None = None) -> Outcome:
    """Apply one signed filing of `link`: refused if the link is revoked or the agency is not the link's; a filing
    seen before (same UUID) is answered again without applying it twice; one that skips ahead waits for those
    before it (409, with the sequence expected)."""
    received_at = received_at or timezone.now()
    with transaction.atomic(), audit.deferred():
        link = Link.objects.select_for_update().select_related("agency").get(pk=link.pk)
        if link.revoked_at is not None:
            raise Refused(403, "link_revoked")
        if record.get("agency") != link.agency.code:
            raise Refused(403, "wrong_agency")
        sequence, kind = record.get("sequence"), record.get("kind")
        if not isinstance(sequence, int) or kind not in KINDS or not isinstance(record.get("payload"), dict):
            raise Refused(400, "bad_filing")
        try:
            filing_uuid = uuid.UUID(str(record.get("uuid")))
        except ValueError as exc:
            raise Refused(400, "bad_filing") from exc
        seen = ReceivedFiling.objects.filter(uuid=filing_uuid).first()
        if seen is not None:
            if seen.link_id != link.pk or seen.sequence != sequence:
                raise Refused(409, "uuid_reused")
            return Outcome("duplicate", link.last_sequence)
        if sequence <= link.last_sequence:
            raise Refused(409, "sequence_used", expected=link.last_sequence + 1)
        if sequence != link.last_sequence + 1:
            raise Refused(409, "sequence_gap", expected=link.last_sequence + 1)
        filing = ReceivedFiling.objects.create(
            link=link,
            uuid=filing_uuid,
            sequence=sequence,
            kind=kind,
            payload=record["payload"],
            received_at=received_at,
        )
        filed_at = min(_time(record.get("filed_at")) or received_at, received_at)
        if kind == "incident":
            _apply_incident(link.agency, record["payload"], received_at)
        elif kind == "checkpoint":
            _witness(link, record["payload"], received_at)
        else:
            _apply_sitrep(link.agency, record["payload"], filed_at)
        link.last_sequence = sequence
        link.save(update_fields=["last_sequence"])
        audit.record(
            actor=None,
            action=audit.Action.CREATE,
            obj=filing,
            object_repr=f"upward {kind} {link.agency.code} #{sequence}",
            changes={"agency": link.agency.code, "kind": kind, "sequence": sequence, "uuid": str(filing.uuid)},
            actor_label=f"link:{link.agency.code}",
        )
    return Outcome("accepted", sequence)


@transaction.atomic
def apply_local(*, agency: Agency, kind: str, payload: dict[str, Any]) -> None:
    """A subordinate agency on this deployment files into the local roll-up directly (no link, no signature)."""
    if kind == "incident":
        _apply_incident(agency, payload, timezone.now())
    else:
        _apply_sitrep(agency, payload, timezone.now())


def _witness(link: Link, checkpoint: dict[str, Any], at: datetime) -> None:
    """Keep a subordinate's signed audit checkpoint: its signature must verify with the key pinned by the link's
    first checkpoint; one lower than a checkpoint kept before is kept and marked `behind` (the chain went back)."""
    try:
        signed = Witnessed(int(checkpoint["seq"]), str(checkpoint["mac"]), checkpoint.get("key"), str(checkpoint["at"]))
        pem = link.audit_public_key or str(checkpoint["public_key"])
        public = serialization.load_pem_public_key(pem.encode())
        if not isinstance(public, Ed25519PublicKey):
            raise TypeError("not an Ed25519 key")
        public.verify(base64.b64decode(str(checkpoint["sig"])), signed.message())
    except (KeyError, TypeError, ValueError, InvalidSignature) as exc:
        raise Refused(400, "bad_checkpoint") from exc
    if not link.audit_public_key:
        link.audit_public_key = pem
        link.save(update_fields=["audit_public_key"])
    highest = link.checkpoints.order_by("-seq").values_list("seq", flat=True).first()
    WitnessedCheckpoint.objects.create(
        link=link,
        seq=signed.seq,
        mac=signed.mac[:128],
        key=str(signed.key or "")[:64],
        at=signed.at[:40],
        signature=str(checkpoint["sig"])[:200],
        behind=highest is not None and signed.seq < highest,
        received_at=at,
    )


def _apply_incident(agency: Agency, summary: dict[str, Any], at: datetime) -> None:
    aware_at = _time(summary.get("aware_at"))
    reference = str(summary.get("reference") or "")[:40]
    if aware_at is None or not reference:
        raise Refused(400, "bad_filing")
    RollupIncident.objects.update_or_create(
        agency=agency,
        reference=reference,
        defaults={
            "category": str(summary.get("category") or "")[:30],
            "cyber_level": summary.get("cyber_level") if isinstance(summary.get("cyber_level"), int) else None,
            "severity": str(summary.get("severity") or "")[:10],
            "status": str(summary.get("status") or "")[:10],
            "title": str(summary.get("title") or "")[:200],
            "unit_name": str(summary.get("unit") or "")[:120],
            "aware_at": aware_at,
            "occurred_at": _time(summary.get("occurred_at")),
            "recovered_at": _time(summary.get("recovered_at")),
            "closed_at": _time(summary.get("closed_at")),
            "clocks": summary.get("clocks") if isinstance(summary.get("clocks"), list) else [],
            "updated_at": at,
        },
    )


def _apply_sitrep(agency: Agency, sitrep: dict[str, Any], filed_at: datetime) -> None:
    try:
        day = date.fromisoformat(str(sitrep.get("day")))
    except ValueError as exc:
        raise Refused(400, "bad_filing") from exc
    count = sitrep.get("incident_count")
    count = count if isinstance(count, int) and count >= 0 else 0
    RollupSitrep.objects.update_or_create(
        agency=agency,
        day=day,
        defaults={
            "filed_at": filed_at,
            "zero_report": count == 0,
            "incident_count": count,
            "late": filed_at > rules.sitrep_due(day),
        },
    )


def link_for_key(key: str) -> Link | None:
    return Link.objects.select_related("agency").filter(key=key).first() if key else None
