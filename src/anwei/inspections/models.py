"""Inspections (檢查): versioned checklist templates, rounds of a template over many target units within a plan,
one inspection per target (and occurrence), answers and photos, findings (缺失) and corrective actions (改善措施)
followed to closure."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Severity(models.TextChoices):
    """The severity of a failed item (缺失程度)."""

    LOW = "low", _("minor (輕微)")
    MEDIUM = "medium", _("moderate (一般)")
    HIGH = "high", _("serious (重大)")


class ChecklistTemplate(models.Model):
    """A checklist (檢查表), e.g. 公務機密維護檢查. Its items live in versions; a round keeps the version it started
    with, so editing a template never changes an inspection already under way."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    basis = models.CharField(_("basis (依據)"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def current(self) -> "TemplateVersion | None":
        return self.versions.order_by("-number").first()


class TemplateVersion(models.Model):
    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.CASCADE, related_name="versions", verbose_name=_("template")
    )
    number = models.PositiveIntegerField(_("version"))
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("template version")
        verbose_name_plural = _("template versions")
        ordering = ["template", "-number"]
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="template_version_unique")]

    def __str__(self) -> str:
        return f"{self.template.name} v{self.number}"


class ChecklistItem(models.Model):
    class AnswerType(models.TextChoices):
        YES_NO = "yes_no", _("yes / no / not applicable")
        NUMBER = "number", pgettext_lazy("answer type", "number")
        TEXT = "text", _("text")
        PHOTO = "photo", _("photo")

    version = models.ForeignKey(TemplateVersion, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveIntegerField(_("order"), default=0)
    section = models.CharField(_("section"), max_length=80, blank=True)
    question = models.CharField(_("question"), max_length=300)
    guidance = models.TextField(_("guidance"), blank=True)
    answer_type = models.CharField(_("answer type"), max_length=10, choices=AnswerType.choices, default="yes_no")
    severity = models.CharField(
        _("severity when failed"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    minimum = models.DecimalField(
        _("lowest passing number"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("For number answers: a smaller number is a finding."),
    )

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["version", "order", "pk"]

    def __str__(self) -> str:
        return self.question


class Round(models.Model):
    """A round (檢查梯次): one template version over a set of target units within a date window, carried out by
    inspectors, possibly jointly with other units (會同), possibly recurring (e.g. every holiday evening)."""

    class Recurrence(models.TextChoices):
        ONCE = "once", _("once in the window")
        DAILY = "daily", _("every day of the window")
        WEEKLY = "weekly", _("every week of the window")
        DATES = "dates", _("on chosen dates (e.g. holiday evenings)")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("round", "open")
        CLOSED = "closed", pgettext_lazy("round", "closed")

    plan = models.ForeignKey("plans.Plan", on_delete=models.PROTECT, related_name="inspection_rounds")
    unit = models.ForeignKey(
        "directory.Unit",
        on_delete=models.PROTECT,
        related_name="owned_inspection_rounds",
        verbose_name=_("organising unit"),
    )
    version = models.ForeignKey(
        TemplateVersion, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("checklist")
    )
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    recurrence = models.CharField(_("recurrence"), max_length=10, choices=Recurrence.choices, default="once")
    dates = models.JSONField(_("chosen dates"), default=list, blank=True)
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="inspection_rounds", verbose_name=_("inspectors")
    )
    joint_units = models.ManyToManyField(
        "directory.Unit",
        blank=True,
        related_name="joint_inspection_rounds",
        verbose_name=_("units taking part (會同單位)"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("inspection round")
        verbose_name_plural = _("inspection rounds")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="round_window_order")
        ]

    def __str__(self) -> str:
        return self.title


class Inspection(models.Model):
    """One target unit inspected in a round (on one occurrence date). Answers are saved as drafts until submitted."""

    class Status(models.TextChoices):
        PENDING = "pending", _("not started")
        DRAFT = "draft", _("in progress")
        DONE = "done", _("done")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="inspections")
    target = models.ForeignKey(
        "directory.Unit", on_delete=models.PROTECT, related_name="inspections", verbose_name=_("inspected unit")
    )
    due_on = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    remarks = models.TextField(_("remarks"), blank=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField(_("last saved"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["round", "due_on", "target__path"]
        constraints = [
            models.UniqueConstraint(fields=["round", "target", "due_on"], name="inspection_once_per_target_date")
        ]

    def __str__(self) -> str:
        return f"{self.round.title} · {self.target.name}"


class Answer(models.Model):
    class Choice(models.TextChoices):
        YES = "yes", _("yes")
        NO = "no", _("no")
        NA = "na", _("not applicable")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=3, choices=Choice.choices, blank=True)
    number = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    text = models.TextField(blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="answer_once_per_item")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.choice or self.number or self.text}"


def photo_path(instance: "Photo", filename: str) -> str:
    stamp = timezone.now()
    return f"inspections/{stamp:%Y/%m}/{instance.inspection_id}-{stamp:%H%M%S%f}.{instance.extension}"


class Photo(models.Model):
    """A photo taken during an inspection; served only through the app (policy-checked), never as a public file."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    item = models.ForeignKey(ChecklistItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    file = models.FileField(upload_to=photo_path, max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.caption or f"photo {self.pk}"

    @property
    def extension(self) -> str:
        return {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}.get(self.content_type, "bin")


class Finding(models.Model):
    """A deficiency (缺失) found by a failed item."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "directory.Unit", on_delete=models.PROTECT, related_name="inspection_findings", verbose_name=_("unit")
    )
    severity = models.CharField(pgettext_lazy("finding", "severity"), max_length=10, choices=Severity.choices)
    description = models.TextField(_("description"))
    suggests_leak = models.BooleanField(_("suggests a leak"), default=False)
    leak_report_id = models.PositiveIntegerField(_("leak report"), null=True, blank=True)  # incidents.Incident
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="finding_once_per_item")]

    def __str__(self) -> str:
        return f"{self.unit.name}：{self.item.question}"


def evidence_path(instance: "CorrectiveAction", filename: str) -> str:
    stamp = timezone.now()
    ext = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "application/pdf": "pdf"}.get(
        instance.evidence_type, "bin"
    )
    return f"inspections/evidence/{stamp:%Y/%m}/{instance.pk}-{stamp:%H%M%S%f}.{ext}"


class CorrectiveAction(models.Model):
    """The corrective action (改善措施) a unit owes for a finding: it answers with what it did and evidence; the
    inspector verifies and closes it or sends it back."""

    class Status(models.TextChoices):
        OPEN = "open", _("awaiting the unit")
        ANSWERED = "answered", _("awaiting verification")
        CLOSED = "closed", _("closed")

    finding = models.OneToOneField(Finding, on_delete=models.CASCADE, related_name="action")
    unit = models.ForeignKey(
        "directory.Unit", on_delete=models.PROTECT, related_name="corrective_actions", verbose_name=_("owner unit")
    )
    required = models.TextField(_("what must be done"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    response = models.TextField(_("what the unit did"), blank=True)
    evidence = models.FileField(_("evidence"), upload_to=evidence_path, max_length=200, blank=True)
    evidence_type = models.CharField(max_length=40, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    verification_note = models.TextField(_("verification note"), blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    times_returned = models.PositiveIntegerField(_("times sent back"), default=0)

    class Meta:
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.unit.name}：{self.finding.item.question}"

    @property
    def overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_on < timezone.localdate()
