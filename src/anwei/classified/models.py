"""The classified-document register (機密文書登記): items and their copies, copy/take-out requests, transfers,
level changes and destruction records, and inventory checks.

An item's title and content are restricted: only people with need-to-know see them (policies.py). Everything
else about an item (reference number, level, dates, custody) is register data seen by those with register access.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .rules import MARK, Level, TransferMethod, rules_on

USER = settings.AUTH_USER_MODEL


class ClassifiedItem(models.Model):
    """A classified document or medium (機密文書/媒體), or a numbered copy (複製物) of one."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Document")
        MEDIUM = "medium", _("Medium (disc, drive, film)")

    class Status(models.TextChoices):
        IN_CUSTODY = "in_custody", _("In custody")
        ON_LOAN = "on_loan", _("Out on loan")
        IN_TRANSIT = "in_transit", _("In transit")
        TRANSFERRED = "transferred", _("Transferred")
        DECLASSIFIED = "declassified", _("Declassified")
        DESTROYED = "destroyed", _("Destroyed")

    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "directory.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("originating unit")
    )
    reference_no = models.CharField(pgettext_lazy("document", "reference number"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DOCUMENT)
    title = models.CharField(_("document title"), max_length=200)
    content = models.TextField(_("content summary"), blank=True)
    level = models.CharField(_("level"), max_length=15, choices=Level.choices)
    classified_on = models.DateField(_("classification date"))
    protection_until = models.DateField(_("protected until"), null=True, blank=True)
    declassification_condition = models.CharField(_("declassification condition"), max_length=300, blank=True)
    classifying_authority = models.CharField(_("classifying authority"), max_length=120)
    proposed = models.BooleanField(_("proposed, awaiting decision (擬訂)"), default=False)
    decided_at = models.DateTimeField(_("classification decided"), null=True, blank=True)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    custodian = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("custodian"))
    handlers = models.ManyToManyField(USER, blank=True, related_name="+", verbose_name=_("handled by"))  # type: ignore[var-annotated]  # the stubs cannot type an M2M to the user model
    storage_location = models.CharField(_("storage location"), max_length=120)
    # 機關外: kept outside the agency's premises (e.g. 承辦人住處) — only on an approved take-out (storage.py)
    storage_outside_premises = models.BooleanField(_("kept outside the agency's premises"), default=False)
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.IN_CUSTODY)
    # copies (複製物)
    original = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="copies", verbose_name=_("original")
    )
    copy_number = models.PositiveIntegerField(_("copy number"), null=True, blank=True)
    copy_request = models.ForeignKey(
        "CustodyRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="made_copies"
    )
    due_back = models.DateTimeField(_("due back"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    # combining (合併) keeps the parts
    combined_from = models.ManyToManyField("self", blank=True, symmetrical=False, related_name="combined_into")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("classified item")
        verbose_name_plural = _("classified items")
        ordering = ["-classified_on", "reference_no"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "reference_no"], name="classified_item_unique_reference"),
            models.UniqueConstraint(fields=["original", "copy_number"], name="classified_copy_unique_number"),
        ]

    def __str__(self) -> str:
        # never the title: str() lands in audit entries and error messages
        return f"{self.reference_no} ({self.mark})"

    @property
    def mark(self) -> str:
        return MARK[Level(self.level)]

    @property
    def is_copy(self) -> bool:
        return self.original_id is not None

    @property
    def copy_mark(self) -> str:
        return f"複製物 第{self.copy_number}號" if self.is_copy else ""

    @property
    def decision_due(self) -> date | None:
        if not self.proposed:
            return None
        return self.classified_on + timedelta(days=rules_on(self.classified_on).decision_days)


class CustodyRequest(models.Model):
    """A request to copy, photocopy, fax or take out an item, approved by a supervisor of the owning unit."""

    class Kind(models.TextChoices):
        COPY = "copy", _("Copy (複製)")
        PHOTOCOPY = "photocopy", _("Photocopy (影印)")
        FAX = "fax", _("Fax (傳真)")
        TAKE_OUT = "take_out", _("Take out (攜出)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        RETURNED = "returned", _("Returned")

    COPYING = frozenset({Kind.COPY, Kind.PHOTOCOPY, Kind.FAX})

    item = models.ForeignKey(ClassifiedItem, on_delete=models.PROTECT, related_name="requests")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    requester = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by"))
    purpose = models.CharField(_("purpose"), max_length=300)
    copies = models.PositiveSmallIntegerField(_("number of copies"), default=1)
    due_back = models.DateTimeField(_("due back"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)

    class Meta:
        verbose_name = _("copy or take-out request")
        verbose_name_plural = _("copy and take-out requests")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.item.reference_no} · {self.get_kind_display()} #{self.pk}"


class Transfer(models.Model):
    """A transfer (移交/傳遞) from the custodian to a recipient, with a method allowed for the level. Both sides
    confirm: sent, then received."""

    item = models.ForeignKey(ClassifiedItem, on_delete=models.PROTECT, related_name="transfers")
    from_user = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=pgettext_lazy("transfer", "from")
    )
    to_user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey("directory.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    outside_recipient = models.CharField(_("recipient outside the agency"), max_length=200, blank=True)
    method = models.CharField(_("method"), max_length=30, choices=TransferMethod.choices)
    expected_by = models.DateTimeField(_("expected by"))
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    # inside the agency the recipient; outside it, whoever recorded the returned receipt (never the sender)
    received_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # outside the agency: the returned receipt (回執)
    receipt_no = models.CharField(_("receipt number (回執編號)"), max_length=60, blank=True)
    receipt_date = models.DateField(_("receipt signed on"), null=True, blank=True)
    receipt_signed_by = models.CharField(_("receipt signed by"), max_length=80, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-created_at"]
        constraints = [
            # one open transfer of an item at a time (custody.py checks it first, with a message)
            models.UniqueConstraint(
                fields=["item"],
                condition=models.Q(received_at__isnull=True, cancelled_at__isnull=True),
                name="classified_one_open_transfer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.reference_no} · {self.get_method_display()} #{self.pk}"

    @property
    def is_external(self) -> bool:
        return bool(self.outside_recipient)

    @property
    def is_open(self) -> bool:
        return self.received_at is None and self.cancelled_at is None


class LevelChange(models.Model):
    """A level change or declassification (變更/解除機密), recorded on its form with reason and authority."""

    item = models.ForeignKey(ClassifiedItem, on_delete=models.PROTECT, related_name="level_changes")
    from_level = models.CharField(_("old level"), max_length=15, choices=Level.choices)
    to_level = models.CharField(_("new level"), max_length=15, choices=Level.choices, blank=True)
    declassified = models.BooleanField(_("declassified"), default=False)
    reason = models.CharField(_("reason"), max_length=300)
    authority = models.CharField(_("authority"), max_length=120)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("level change")
        verbose_name_plural = _("level changes")
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"{self.item.reference_no} · {self.from_level} → {self.to_level or 'declassified'}"


class DestructionRecord(models.Model):
    """銷毀紀錄. A copy's record is attached to its original (`original`)."""

    item = models.OneToOneField(ClassifiedItem, on_delete=models.PROTECT, related_name="destruction")
    original = models.ForeignKey(
        ClassifiedItem, null=True, blank=True, on_delete=models.PROTECT, related_name="copy_destructions"
    )
    method = models.CharField(_("method"), max_length=120)
    reason = models.CharField(_("reason"), max_length=300)
    witness = models.CharField(_("witness"), max_length=80, blank=True)
    destroyed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    destroyed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("destruction record")
        verbose_name_plural = _("destruction records")

    def __str__(self) -> str:
        return f"{self.item.reference_no} · {self.destroyed_at:%Y-%m-%d}"


class InventoryCheck(models.Model):
    """A physical check of one storage location: how many items were found, and which were missing."""

    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+")
    storage_location = models.CharField(_("storage location"), max_length=120)
    checked_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(default=timezone.now)
    expected = models.PositiveIntegerField(_("items expected"))
    missing = models.ManyToManyField(ClassifiedItem, blank=True, related_name="+", verbose_name=_("missing items"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("inventory check")
        verbose_name_plural = _("inventory checks")
        ordering = ["-checked_at"]

    def __str__(self) -> str:
        return f"{self.storage_location} · {self.checked_at:%Y-%m-%d}"
