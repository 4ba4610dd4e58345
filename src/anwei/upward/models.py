"""Links between deployments. On the superior's instance: a `Link` per subordinate agency, every `ReceivedFiling`
applied once and in order, and what they leave behind (`RollupIncident`, `RollupSitrep`: summaries, never
restricted text). On the subordinate's instance: the `OutboundFiling` outbox, pushed upward at least once."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Link(models.Model):
    """A subordinate agency linked to this (superior) instance; its secret signs every filing."""

    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="upward_links", verbose_name=_("agency")
    )
    name = models.CharField(_("name"), max_length=120)
    key = models.CharField(max_length=32, unique=True)
    secret = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_sequence = models.BigIntegerField(default=0)
    # the subordinate's audit signing key (PEM), pinned by its first checkpoint: later ones must verify with it
    audit_public_key = models.TextField(blank=True)

    class Meta:
        verbose_name = _("upward link")
        verbose_name_plural = _("upward links")
        ordering = ["agency__code", "pk"]

    def __str__(self) -> str:
        return self.name


class ReceivedFiling(models.Model):
    """One filing accepted from a link: applied exactly once, in the link's sequence order."""

    link = models.ForeignKey(Link, on_delete=models.PROTECT, related_name="filings")
    uuid = models.UUIDField(unique=True)
    sequence = models.BigIntegerField()
    kind = models.CharField(max_length=20)
    payload = models.JSONField()
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["link", "sequence"], name="received_filing_unique_sequence")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.sequence}"


class WitnessedCheckpoint(models.Model):
    """A subordinate's signed audit checkpoint kept by the superior as a witness (like a transparency log's
    witness): the subordinate cannot later present a chain behind it or rewritten at its number."""

    link = models.ForeignKey(Link, on_delete=models.PROTECT, related_name="checkpoints")
    seq = models.BigIntegerField()
    mac = models.CharField(max_length=128)
    key = models.CharField(max_length=64, blank=True)
    at = models.CharField(max_length=40)
    signature = models.CharField(max_length=200)
    behind = models.BooleanField(
        default=False, help_text="Lower than a checkpoint witnessed before: the chain went back."
    )
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["link", "seq"]
        indexes = [models.Index(fields=["link", "seq"], name="witnessed_checkpoint_seq_idx")]

    def __str__(self) -> str:
        return f"#{self.seq}"


class RollupIncident(models.Model):
    """The summary of a subordinate's report that its rules send up: no description, no restricted text."""

    agency = models.ForeignKey("directory.Agency", on_delete=models.CASCADE, related_name="+")
    reference = models.CharField(_("reference number"), max_length=40)
    category = models.CharField(_("category"), max_length=30)
    cyber_level = models.PositiveSmallIntegerField(_("cyber level"), null=True, blank=True)
    severity = models.CharField(_("severity"), max_length=10, blank=True)
    status = models.CharField(_("status"), max_length=10)
    title = models.CharField(_("report title"), max_length=200, blank=True)
    unit_name = models.CharField(_("unit"), max_length=120, blank=True)
    aware_at = models.DateTimeField(_("became aware at (知悉時間)"))
    occurred_at = models.DateTimeField(null=True, blank=True)
    recovered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    clocks = models.JSONField(default=list)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-aware_at"]
        constraints = [models.UniqueConstraint(fields=["agency", "reference"], name="rollup_incident_unique")]
        indexes = [
            models.Index(fields=["status", "aware_at"]),
            # the board's open major reports, latest first: an index scan over the open ones only, however many
            # closed summaries a year of 1,000 agencies leaves behind
            models.Index(
                models.F("aware_at").desc(),
                "id",
                condition=models.Q(closed_at__isnull=True),
                name="rollup_incident_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class RollupSitrep(models.Model):
    """A subordinate's daily situation report (每日狀況表) as filed upward; 零通報 when nothing happened."""

    agency = models.ForeignKey("directory.Agency", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    filed_at = models.DateTimeField()
    zero_report = models.BooleanField()
    incident_count = models.PositiveIntegerField(default=0)
    late = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="rollup_sitrep_unique")]
        indexes = [models.Index(fields=["day", "agency"])]

    def __str__(self) -> str:
        return f"{self.day}"


class OutboundFiling(models.Model):
    """The subordinate's outbox: one record per filing, with a UUID and its place in the link's sequence."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True)
    sequence = models.BigIntegerField(unique=True)
    agency_code = models.CharField(max_length=40)
    kind = models.CharField(max_length=20)
    source_key = models.CharField(max_length=80, db_index=True)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["sequence"]
        indexes = [models.Index(fields=["sent_at", "sequence"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.sequence}"


class RollupTravel(models.Model):
    """A subordinate's mainland-travel filing as its rules send it up (upward.rules.TRAVEL_FILING_RULES): a return
    report, a declaration or a visiting delegation — dates, destination, category and flags, never the purpose,
    places, what happened or visitors' names; the traveller's name only where a rule sends it."""

    agency = models.ForeignKey("directory.Agency", on_delete=models.CASCADE, related_name="+")
    event = models.CharField(_("filing"), max_length=12)
    source_id = models.BigIntegerField()
    destination = models.CharField(_("destination"), max_length=20, blank=True)
    category = models.CharField(_("traveller category"), max_length=20, blank=True)
    title = models.CharField(_("delegation"), max_length=200, blank=True)
    traveller = models.CharField(_("traveller"), max_length=120, blank=True)
    unit_name = models.CharField(_("unit"), max_length=120, blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    late = models.BooleanField(_("filed late"), default=False)
    probed = models.BooleanField(default=False)
    contacted = models.BooleanField(default=False)
    incident_reference = models.CharField(max_length=40, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "event", "source_id"], name="rollup_travel_unique"),
        ]
        indexes = [models.Index(fields=["starts_on", "agency"])]

    def __str__(self) -> str:
        return f"{self.event} {self.source_id}"

    @property
    def destination_name(self) -> str:
        from anwei.awareness.rules import DESTINATION_NAMES

        return str(DESTINATION_NAMES.get(self.destination, self.destination))

    @property
    def category_name(self) -> str:
        from anwei.awareness.rules import CATEGORY_NAMES

        return str(CATEGORY_NAMES.get(self.category, self.category))


class RollupResults(models.Model):
    """A subordinate's results report for a plan period (執行成果報告): its figures, and the document unless the
    rule kept it home (then `withheld` says why)."""

    agency = models.ForeignKey("directory.Agency", on_delete=models.CASCADE, related_name="+")
    plan_ref = models.BigIntegerField()
    plan_title = models.CharField(_("plan"), max_length=200)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    figures = models.JSONField(default=dict)
    document = models.BinaryField(null=True, blank=True)
    document_format = models.CharField(max_length=4, blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    withheld = models.CharField(max_length=40, blank=True)
    filed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period_start", "agency__code"]
        constraints = [models.UniqueConstraint(fields=["agency", "plan_ref"], name="rollup_results_unique")]

    def __str__(self) -> str:
        return self.plan_title
