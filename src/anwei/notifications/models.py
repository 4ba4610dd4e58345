"""Notifications go through an outbox: a Notification per recipient, a Delivery per channel, both written in the
same transaction as the record that caused them, then sent by the worker with retries — so none is lost."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    person = models.ForeignKey(
        "directory.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    contact = models.ForeignKey(
        "directory.ExternalContact", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    source_type = models.CharField(max_length=100, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    key = models.CharField(max_length=200, blank=True, help_text="Idempotency: one notification per key and recipient.")
    require_ack = models.BooleanField(_("acknowledgement required"), default=False)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["source_type", "source_id"]), models.Index(fields=["person", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "person", "contact"], condition=~models.Q(key=""), name="notification_once_per_key"
            ),
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | models.Q(contact__isnull=False),
                name="notification_to_someone",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=20)
    address = models.CharField(_("address"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.channel} → {self.address}"
