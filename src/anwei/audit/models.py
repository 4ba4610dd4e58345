"""The tamper-evident audit log. Every entry carries the HMAC-SHA-256 of its canonical JSON, which holds the MAC of
the entry before it, under a key kept outside the database (chain.py, keys.py): changing, deleting, inserting or
reordering rows breaks the chain where it happened, and without the key nobody can compute a chain that holds."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .chain import CanonicalEncoder


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("updated")
        DELETE = "delete", _("deleted")
        VIEW = "view", _("viewed (restricted)")
        EXPORT = "export", _("exported")
        LOGIN = "login", _("signed in")
        LOGOUT = "logout", _("signed out")
        LOGIN_FAILED = "login_failed", _("failed sign-in")
        GRANT = "grant", _("access granted")
        REVOKE = "revoke", _("access revoked")
        OTHER = "other", _("other")

    seq = models.BigIntegerField(_("number"), unique=True)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # indexed with seq (Meta.indexes), which serves the actor alone too
        related_name="+",
        verbose_name=_("who"),
    )
    actor_label = models.CharField(_("who"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField(_("record type"), max_length=80, blank=True)  # indexed with object_id (Meta)
    object_id = models.CharField(_("record id"), max_length=64, blank=True)
    object_repr = models.CharField(_("record"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True, encoder=CanonicalEncoder)
    ip = models.CharField(_("address"), max_length=45, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"]), models.Index(fields=["actor", "seq"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """One row: the number and MAC of the newest entry and the id of the key that MACs the next one ("" before keyed
    MACs). Appends lock it, so the chain stays one line. Its number only grows (a trigger on PostgreSQL)."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    key_id = models.CharField(max_length=32, blank=True, default="")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash}"


class AuditCheckpoint(models.Model):
    """A daily record of the chain's head, to print for inspectors and to catch a truncated tail."""

    day = models.DateField(unique=True)
    seq = models.BigIntegerField()
    hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day.isoformat()} #{self.seq} {self.hash}"
