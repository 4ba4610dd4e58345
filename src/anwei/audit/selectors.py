from typing import Any

from django.db.models import QuerySet

from anwei.core.policies import Who

from . import fastwalk, keys, policies, witness
from .chain import Verdict
from .models import AuditCheckpoint, AuditEntry, AuditHead


def _broken(verdict: Verdict, seq: int | None, problem: str) -> Verdict:
    verdict.ok, verdict.broken_seq, verdict.problem = False, seq, problem
    return verdict


def verify(workers: int | None = None) -> Verdict:
    """Walk the whole chain with the MAC keys (`fastwalk`: the same MACs as `chain.canonical`, raw rows, parallel
    ranges when long); then compare it with the head row, the current key, every stored checkpoint and every
    checkpoint of the witness file. Raises keys.KeyMissing without the key file (nothing can be verified)."""
    ring = keys.keyring()
    verdict = fastwalk.walk_table(workers)
    if not verdict.ok:
        return verdict
    head = AuditHead.objects.filter(pk=1).first()
    if head and (head.seq != verdict.count or head.hash != verdict.head_hash):
        return _broken(
            verdict,
            min(head.seq, verdict.count) + 1,
            f"the chain ends at #{verdict.count} but the head records #{head.seq}",
        )
    if verdict.count and verdict.key_id != ring[-1].id:
        return _broken(
            verdict,
            verdict.count,
            f"the chain ends under key {verdict.key_id or '(none: plain hashes)'}, not the key file's current key "
            f"{ring[-1].id}",
        )
    for cp in AuditCheckpoint.objects.all():
        stored = AuditEntry.objects.filter(seq=cp.seq).values_list("hash", flat=True).first()
        if cp.seq and stored != cp.hash:
            return _broken(verdict, cp.seq, f"entry #{cp.seq} does not match the checkpoint of {cp.day.isoformat()}")
    try:
        witnessed = witness.read()
    except witness.WitnessBroken as error:
        return _broken(verdict, None, str(error))
    numbers = sorted({c.seq for c in witnessed if 0 < c.seq <= verdict.count})
    mac_at: dict[int, str] = {}
    for start in range(0, len(numbers), 500):
        rows = AuditEntry.objects.filter(seq__in=numbers[start : start + 500]).values_list("seq", "hash")
        mac_at.update(rows)
    if problem := witness.problem(witnessed, verdict.count, mac_at):
        return _broken(verdict, None, problem)
    return verdict


def entries(user: Who, filters: dict[str, Any]) -> QuerySet[AuditEntry]:
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
