"""Core's own rows: what the request machinery itself must remember (today: the answers to idempotent API POSTs)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IdempotencyKey(models.Model):
    """An `Idempotency-Key` a client sent with an API POST, and the answer the first request with it got. The same
    key from the same user answers that answer again instead of doing the work twice (a client that lost the answer
    to a timeout or a 503 sends again). `status` is empty while the first request is still running."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    fingerprint = models.CharField(max_length=64, help_text=_("SHA-256 of the method, path and body"))
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.BinaryField(default=b"", blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="core_idempotency_key_per_user")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"


class CacheGeneration(models.Model):
    """One row: a random stamp that changes in the same transaction as any change to what the per-process caches
    hold (API tokens, users and their roles, the roster, routing rules, plans, contact channels; see
    anwei.core.generation). Every process reads it once per request: a cache built under another stamp is dropped.
    Random, not a counter, so a rolled-back change can never make an old stamp valid again."""

    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.value)
