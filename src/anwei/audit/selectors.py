from typing import Any

from django.db.models import QuerySet

from . import fastwalk, policies
from .chain import Verdict
from .models import AuditCheckpoint, AuditEntry, AuditHead


def verify(workers: int | None = None) -> Verdict:
    """Walk the whole chain (`fastwalk`: the same hashes as `chain.canonical`, raw rows, parallel ranges when long);
    also compare with the head row and with every stored checkpoint."""
    verdict = fastwalk.walk_table(workers)
    if not verdict.ok:
        return verdict
    head = AuditHead.objects.filter(pk=1).first()
    if head and (head.seq != verdict.count or head.hash != verdict.head_hash):
        verdict.ok = False
        verdict.broken_seq = min(head.seq, verdict.count) + 1
        verdict.problem = f"the chain ends at #{verdict.count} but the head records #{head.seq}"
        return verdict
    for cp in AuditCheckpoint.objects.all():
        stored = AuditEntry.objects.filter(seq=cp.seq).values_list("hash", flat=True).first()
        if cp.seq and stored != cp.hash:
            verdict.ok = False
            verdict.broken_seq = cp.seq
            verdict.problem = f"entry #{cp.seq} does not match the checkpoint of {cp.day.isoformat()}"
            return verdict
    return verdict


def entries(user: Any, filters: dict[str, Any]) -> QuerySet[AuditEntry]:
    """The entries `user` may read (policies.entries: their agency, their subtree), narrowed by the filters."""
    qs = policies.entries.visible(user)
    if filters.get("actor"):
        qs = qs.filter(actor_label__icontains=filters["actor"])
    if filters.get("action"):
        qs = qs.filter(action=filters["action"])
    if filters.get("object_type"):
        qs = qs.filter(object_type=filters["object_type"])
    if filters.get("object_id"):
        qs = qs.filter(object_id=str(filters["object_id"]))
    if filters.get("since"):
        qs = qs.filter(at__gte=filters["since"])
    if filters.get("until"):
        qs = qs.filter(at__lt=filters["until"])
    return qs.order_by("-seq")


def for_object(object_type: str, object_id: Any) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(object_type=object_type, object_id=str(object_id)).order_by("seq")


def checkpoints() -> QuerySet[AuditCheckpoint]:
    return AuditCheckpoint.objects.all()
