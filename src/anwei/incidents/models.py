"""Reports (通報) of every kind: the report itself, its routing rules, statutory clocks, timeline, tasks and
attachments. Notifications themselves live in the notifications app (outbox); the timeline reads them back."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import rules

CATEGORY_CHOICES = [(c.code, f"{c.name_zh} ({c.name_en})") for c in rules.CATEGORIES.values()]
SEVERITY_CHOICES = [(code, name) for code, name in rules.SEVERITY_NAMES.items()]
LEVEL_CHOICES = [(n, _("Level %(n)d") % {"n": n}) for n in rules.CYBER_LEVELS]


class IncidentQuerySet(models.QuerySet["Incident"]):
    def real(self) -> "IncidentQuerySet":
        """The reports that count: every figure (daily and results reports, statistics, counts) starts here, so a
        drill (演練) never counts as a real report."""
        return self.filter(drill=False)


class Incident(models.Model):
    """通報: one report of an incident, warning, petition… with its reference number (per agency and year)."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        RECOVERED = "recovered", _("recovered")
        CLOSED = "closed", _("closed")

    # indexed with the status (Meta.indexes), which serves the agency alone too
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="incidents", db_index=False)
    plan = models.ForeignKey(
        "plans.Plan", null=True, blank=True, on_delete=models.SET_NULL, related_name="incidents", verbose_name=_("plan")
    )
    year = models.PositiveIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    reference = models.CharField(_("reference number"), max_length=40)
    category = models.CharField(_("category"), max_length=30, choices=CATEGORY_CHOICES)
    restricted = models.BooleanField(_("restricted"), default=False)
    title = models.CharField(_("report title"), max_length=200)
    description = models.TextField(pgettext_lazy("incident", "description"), blank=True)
    unit = models.ForeignKey(
        "directory.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    reporter = models.ForeignKey(
        "directory.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reporter"),
    )
    filed_by = models.ForeignKey(  # indexed with created_at (Meta.indexes: the filer's recent reports)
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True)
    aware_at = models.DateTimeField(_("became aware at (知悉時間)"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=SEVERITY_CHOICES, default="normal")
    cyber_level = models.PositiveSmallIntegerField(_("cyber level"), null=True, blank=True, choices=LEVEL_CHOICES)
    measures_taken = models.TextField(_("measures taken"), blank=True)
    support_needed = models.TextField(_("outside support needed"), blank=True)
    source_type = models.CharField(max_length=100, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    recovered_at = models.DateTimeField(_("recovered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    # Investigation, handling and improvement report (DOMAIN §2, required to close a cyber report)
    scope_and_damage = models.TextField(_("scope and damage"), blank=True)
    containment_steps = models.TextField(_("containment and recovery steps"), blank=True)
    investigation_steps = models.TextField(_("investigation steps"), blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    preventive_measures = models.TextField(
        _("preventive measures (management, technical, staffing, resources)"), blank=True
    )
    follow_up = models.TextField(_("schedule and follow-up of the measures"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # 演練: filed by an exercise (anwei.drills); marked everywhere, routed like a real one, never counted
    drill = models.BooleanField(_("drill (演練)"), default=False)
    # whether outside bodies (the investigation bureau, the police…) are told of this drill report
    drill_tells_outside = models.BooleanField(_("outside bodies are told of the drill"), default=False)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-aware_at", "-id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "number"], name="incident_reference_unique"),
            models.CheckConstraint(
                condition=models.Q(cyber_level__isnull=True) | models.Q(cyber_level__gte=1, cyber_level__lte=4),
                name="incident_cyber_level_1_4",
            ),
        ]
        # newest first, as the board and lists read them: walked in order and stopped at a page, not sorted
        indexes = [
            models.Index(fields=["agency", "status"]),
            models.Index(fields=["-aware_at", "-id"], name="incident_newest_first"),
            # the filing rate counts the filer's reports since a moment, in the statement that takes the number:
            # read from here it costs the same for the 10th report of a filer as for the 10,000th (with an index on
            # the filer alone, every earlier report of his was read on every filing)
            models.Index(fields=["filed_by", "created_at"], name="incident_filer_recent"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def category_info(self) -> rules.Category:
        return rules.category(self.category)

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED

    @property
    def reported_by(self) -> object | None:
        """通報人: the reporter named, else the person who filed it."""
        if self.reporter_id is not None:
            return self.reporter
        return getattr(self.filed_by, "person", None) if self.filed_by_id is not None else None


class ReferenceCounter(models.Model):
    """The last reference number given per agency and (ROC) year."""

    agency = models.ForeignKey("directory.Agency", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="incident_counter_unique")]

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class RoutingRule(models.Model):
    """(category, severity or cyber level) → recipients, deadlines and tasks; dated and citing its source."""

    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=30, help_text=_("A category code, or * for every report."))
    min_severity = models.CharField(_("from severity"), max_length=10, blank=True, choices=SEVERITY_CHOICES)
    min_level = models.PositiveSmallIntegerField(_("from cyber level"), null=True, blank=True)
    max_level = models.PositiveSmallIntegerField(_("up to cyber level"), null=True, blank=True)
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    channels = models.JSONField(
        _("channels"),
        default=list,
        blank=True,
        help_text=_(
            "Channels used in addition to the in-app inbox, e-mail and each recipient's own registered channels."
        ),
    )
    deadlines = models.JSONField(_("deadlines"), default=list, blank=True)
    tasks = models.JSONField(pgettext_lazy("incident", "tasks"), default=list, blank=True)
    ack_minutes = models.PositiveIntegerField(_("minutes to acknowledge before escalation"), default=30)
    effective_from = models.DateField(_("applies from"))
    effective_until = models.DateField(_("applies until"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300)
    note = models.TextField(
        _("note"),
        blank=True,
        help_text=_("What could not be confirmed in the source, e.g. a deadline an administrator should check."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["category", "min_level", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return self.name


class Deadline(models.Model):
    """A statutory clock of a report: due relative to aware_at (or to recovery). A notify/report clock names the body
    it concerns (`rules.BODIES`); it is met when that body is reached by any channel — a delivery sent or
    acknowledged, a contact recorded by a person, or the filer belonging to the body — and says how and by whom."""

    class How(models.TextChoices):
        FILED = "filed", _("filed by a member of the body")
        ACKNOWLEDGED = "acknowledged", _("acknowledged")
        SENT = "sent", pgettext_lazy("delivery", "sent")
        PHONE = "phone", _("phone call")
        PLATFORM = "platform", _("national platform's web form")
        FAX = "fax", _("fax")
        IN_PERSON = "in_person", _("in person")
        RECOVERED = "recovered", _("recovered")
        CLOSED = "closed", _("closed")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="deadlines")
    code = models.CharField(max_length=30)
    body = models.CharField(_("body concerned"), max_length=30, blank=True, default="")
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    met_by = models.CharField(_("met by"), max_length=200, blank=True, default="")
    met_how = models.CharField(_("met how"), max_length=20, blank=True, default="", choices=How.choices)
    escalated_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [models.UniqueConstraint(fields=["incident", "code", "body"], name="incident_deadline_once")]

    def __str__(self) -> str:
        return self.code

    @property
    def body_info(self) -> rules.Body | None:
        return rules.BODIES.get(self.body)

    @property
    def name(self) -> str:
        name = str(rules.DEADLINE_NAMES.get(self.code, self.code))
        body = self.body_info
        if body is None or rules.DEFAULT_BODY.get(self.code) == self.body:
            return name
        return f"{name}（{body.name}）"

    @property
    def overdue(self) -> bool:
        return self.met_at is None and self.due_at is not None and self.due_at < timezone.now()


class Contact(models.Model):
    """聯繫紀錄: a body reached by a person outside the outbox — a phone call, the national platform's web form, a fax,
    in person — with when, whom, and the reference number given. It meets the clock of that body."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("phone call")
        PLATFORM = "platform", _("national platform's web form")
        FAX = "fax", _("fax")
        IN_PERSON = "in_person", _("in person")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="contacts")
    deadline = models.ForeignKey(
        Deadline, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts", verbose_name=_("clock")
    )
    body = models.CharField(_("body concerned"), max_length=30)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    reached_at = models.DateTimeField(_("reached at"))
    person_reached = models.CharField(_("person reached"), max_length=120)
    reference = models.CharField(_("their reference number"), max_length=80, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["reached_at", "id"]
        verbose_name = _("recorded contact")
        verbose_name_plural = _("recorded contacts")

    def __str__(self) -> str:
        return f"{self.body} {self.channel} {self.person_reached}"

    @property
    def body_info(self) -> rules.Body | None:
        return rules.BODIES.get(self.body)


class TimelineEntry(models.Model):
    """What happened to a report, in order, with who and when (notifications are read from the outbox)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("report filed")
        LEVEL = "level", _("level changed")
        ESCALATED = "escalated", _("escalated")
        OVERDUE = "overdue", _("overdue")
        NOTE = "note", pgettext_lazy("timeline", "note")
        TASK = "task", _("task assigned")
        TASK_DONE = "task_done", _("task done")
        RECOVERED = "recovered", _("recovered")
        CLOSED = "closed", _("closed")
        ATTACHMENT = "attachment", _("attachment added")
        CONTACT = "contact", _("contact recorded")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.kind


class IncidentTask(models.Model):
    """A task a report gives to a unit, e.g. the press release for impersonation fraud."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="tasks")
    unit = models.ForeignKey(
        "directory.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("unit")
    )
    title = models.CharField(pgettext_lazy("incident", "task"), max_length=200)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # the unit's answer (a short text), given on the task page by the unit's people
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # how the unit was reached (accounts.selectors.Via): its own people, the supervisor above it, or the ethics
    # office as its proxy (由政風室代轉); "" for a task with no unit
    served_via = models.CharField(_("reached through"), max_length=12, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def via_proxy(self) -> bool:
        return self.served_via == "proxy"

    @property
    def via_supervisor(self) -> bool:
        return self.served_via == "supervisor"


class Escalation(models.Model):
    """An unacknowledged notification passed up the ladder (one row per notification: never twice)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="escalations")
    notification = models.OneToOneField("notifications.Notification", on_delete=models.CASCADE, related_name="+")
    rung = models.PositiveSmallIntegerField()
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.notification_id} → {self.rung}"


class Attachment(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="incidents/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(_("type"), max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name
