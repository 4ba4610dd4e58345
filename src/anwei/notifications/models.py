"""Notifications go through an outbox: a Notification per recipient, a Delivery per channel, both written in the
same transaction as the record that caused them, then sent by the worker with retries — so none is lost."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Notification(models.Model):
    person = models.ForeignKey(  # indexed with read_at (Meta.indexes), which serves the person alone too
        "directory.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
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
            # one per key and recipient; two constraints because NULLs never collide in a unique index
            models.UniqueConstraint(
                fields=["key", "person"],
                condition=~models.Q(key="") & models.Q(person__isnull=False),
                name="notification_once_per_key_person",
            ),
            models.UniqueConstraint(
                fields=["key", "contact"],
                condition=~models.Q(key="") & models.Q(contact__isnull=False),
                name="notification_once_per_key_contact",
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
        SENT = "sent", pgettext_lazy("delivery", "sent")
        FAILED = "failed", pgettext_lazy("delivery", "failed")
        # no mail server configured (`make run`): kept in the local mailbox, which reached nobody
        STORED = "stored", _("stored in the local mailbox")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=20)
    address = models.CharField(_("address"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True, help_text=_("When it gave up for good."))
    # The lease: a worker claims a row (conditional UPDATE / SELECT … FOR UPDATE SKIP LOCKED), sends outside any
    # transaction, then finishes the row only if its claim still holds. A worker that dies leaves the lease to expire.
    claimed_by = models.CharField(max_length=100, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.channel} → {self.address}"


class ContactChannel(models.Model):
    """Where a person or an outside contact (e.g. the national cyber-incident contact) also receives
    notifications: a webhook URL (with its signing secret) or an SMS number. Kept here, not in the directory,
    because it belongs to delivery."""

    class Channel(models.TextChoices):
        WEBHOOK = "webhook", _("Webhook")
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")

    person = models.ForeignKey(
        "directory.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    contact = models.ForeignKey(
        "directory.ExternalContact",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("outside contact"),
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=300, help_text=_("Webhook URL, mobile number or e-mail."))
    secret = models.CharField(_("signing secret"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("contact channel")
        verbose_name_plural = _("contact channels")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | models.Q(contact__isnull=False),
                name="contact_channel_for_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.address}"


class Lock(models.Model):
    """A named lease-based lock row: only the holder of an unexpired lease runs (e.g. the sweeper), on SQLite and
    on PostgreSQL alike."""

    name = models.CharField(max_length=50, primary_key=True)
    holder = models.CharField(max_length=100, blank=True)
    held_until = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class LocalMail(models.Model):
    """An e-mail kept in the local mailbox because no mail server is configured (ANWEI_LOCAL_MAILBOX, the default
    of `make run`): administrators read it in the app; it reached nobody."""

    delivery = models.OneToOneField(Delivery, on_delete=models.CASCADE, related_name="local_mail")
    to = models.CharField(pgettext_lazy("e-mail", "to"), max_length=300)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    message_id = models.CharField(max_length=200)
    stored_at = models.DateTimeField(_("stored at"), auto_now_add=True)

    class Meta:
        ordering = ["-stored_at", "-id"]
        verbose_name = _("e-mail in the local mailbox")
        verbose_name_plural = _("local mailbox")

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"
