"""Awareness work (宣導), travel to mainland China / Hong Kong / Macau (赴陸) and its return reports (返臺通報),
random checks (抽查), visiting mainland delegations (大陸人士來臺參訪); deadlines are counted on the office calendar
(anwei.officecalendar)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import rules


class Activity(models.Model):
    """An awareness activity (宣導活動), or an alert sent to all staff."""

    class Topic(models.TextChoices):
        SECRECY = "secrecy", _("Secrecy (保密)")
        CYBER = "cyber", _("Cyber security (資安)")
        FRAUD = "fraud", _("Anti-fraud (反詐騙)")
        MAINLAND = "mainland", _("Risks of mainland travel (赴陸風險)")
        NATIONAL_SECURITY = "national_security", _("National security (國家安全)")
        OTHER = "other", _("Other")

    class Form(models.TextChoices):
        MEETING = "meeting", _("Meeting or lecture")
        EMAIL = "email", _("E-mail")
        POSTER = "poster", _("Poster")
        ELEARNING = "elearning", _("E-learning")
        STAFF_MEETING = "staff_meeting", _("Briefing at a staff meeting")
        ALERT = "alert", _("Alert to all staff")

    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "directory.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("organising unit")
    )
    plan = models.ForeignKey(
        "plans.Plan", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("plan")
    )
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    form = models.CharField(_("form"), max_length=20, choices=Form.choices)
    audience_units = models.ManyToManyField(
        "directory.Unit", blank=True, related_name="+", verbose_name=_("audience units")
    )
    attendee_count = models.PositiveIntegerField(
        _("attendance (head count)"), null=True, blank=True, help_text=_("Leave empty when attendees sign in by name.")
    )
    materials = models.TextField(_("materials"), blank=True, help_text=_("Titles or links, one a line."))
    alert_body = models.TextField(_("alert text"), blank=True)
    alert_sent_at = models.DateTimeField(_("alert sent at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("awareness activity")
        verbose_name_plural = _("awareness activities")
        indexes = [models.Index(fields=["agency", "held_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_alert(self) -> bool:
        return self.form == self.Form.ALERT


class Attendance(models.Model):
    """A named attendee who signed in (on a phone, or ticked from a list by the organiser)."""

    class Method(models.TextChoices):
        PHONE = "phone", _("signed in on a phone")
        LIST = "list", _("ticked from a list")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey("directory.Person", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("directory.Unit", null=True, on_delete=models.SET_NULL, related_name="+")
    method = models.CharField(max_length=10, choices=Method.choices, default=Method.PHONE)
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["signed_at"]
        constraints = [models.UniqueConstraint(fields=["activity", "person"], name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.person_id}"


class TravelDeclaration(models.Model):
    """A declaration (申請／報備) of travel to mainland China, Hong Kong or Macau."""

    class ExitApproval(models.TextChoices):
        NOT_NEEDED = "not_needed", _("not needed")
        PENDING = "pending", _("waiting for approval")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")

    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+")
    traveller = models.ForeignKey(
        "directory.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("traveller")
    )
    unit = models.ForeignKey("directory.Unit", null=True, on_delete=models.SET_NULL, related_name="+")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    destination = models.CharField(
        _("destination"), max_length=20, choices=[(k, v) for k, v in rules.DESTINATION_NAMES.items()]
    )
    category = models.CharField(
        _("traveller category"), max_length=20, choices=[(k, v) for k, v in rules.CATEGORY_NAMES.items()]
    )
    # The directory decides the category (grade, national-secret duties); a stricter one may be chosen, with a reason.
    derived_category = models.CharField(
        _("category from the directory"),
        max_length=20,
        blank=True,
        choices=[(k, v) for k, v in rules.CATEGORY_NAMES.items()],
    )
    category_reason = models.TextField(_("why a stricter category was chosen"), blank=True)
    category_chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    places = models.CharField(_("places"), max_length=200)
    purpose = models.TextField(pgettext_lazy("travel", "purpose"), blank=True)
    meets_specified_persons = models.BooleanField(_("plans to meet specified persons (Hong Kong/Macau)"), default=False)
    applied_on = models.DateField(_("filed on"))
    departs_on = models.DateField(_("departure"))
    returns_on = models.DateField(_("return"))
    authority = models.CharField(_("apply to"), max_length=20)
    rule_code = models.CharField(_("rule"), max_length=40)
    rule_source = models.CharField(_("rule source"), max_length=200)
    required_days = models.PositiveSmallIntegerField(_("days required"))
    days_ahead = models.PositiveSmallIntegerField(_("days ahead"))
    latest_filing_on = models.DateField(_("latest filing date"))
    late = models.BooleanField(_("filed late"), default=False)
    briefing_acknowledged_at = models.DateTimeField(_("risk briefing acknowledged"), null=True, blank=True)
    exit_approval = models.CharField(
        _("exit approval"), max_length=12, choices=ExitApproval.choices, default=ExitApproval.NOT_NEEDED
    )
    exit_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    exit_decided_at = models.DateTimeField(null=True, blank=True)
    return_due_on = models.DateField(_("return report due"))
    # Years its working-day counts touched that had no holidays entered in the calendar (counted as plain weekdays).
    calendar_missing_years = models.JSONField(_("holiday calendar years missing"), default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-departs_on", "-id"]
        verbose_name = _("travel declaration")
        verbose_name_plural = _("travel declarations")
        indexes = [models.Index(fields=["agency", "returns_on"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(returns_on__gte=models.F("departs_on")), name="travel_order")
        ]

    def __str__(self) -> str:
        return f"{self.traveller.name} → {self.get_destination_display()} {self.departs_on.isoformat()}"

    @property
    def authority_name(self) -> str:
        return str(rules.AUTHORITY_NAMES.get(self.authority, self.authority))

    @property
    def category_overridden(self) -> bool:
        return bool(self.derived_category) and self.derived_category != self.category


class ReturnReport(models.Model):
    """返臺通報表: filed by the traveller within 7 working days of return; the ethics office files it upward within
    7 working days of receiving it."""

    declaration = models.OneToOneField(TravelDeclaration, on_delete=models.CASCADE, related_name="return_report")
    filed_on = models.DateField(_("filed on"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    late = models.BooleanField(_("filed late"), default=False)
    probed = models.BooleanField(_("someone asked about official matters"), default=False)
    contacted = models.BooleanField(_("someone made contact"), default=False)
    details = models.TextField(_("what happened"), blank=True)
    incident_id = models.PositiveIntegerField(null=True, blank=True, editable=False)
    incident_reference = models.CharField(max_length=40, blank=True, editable=False)
    upward_due_on = models.DateField(_("upward filing due"))
    upward_filed_on = models.DateField(_("filed upward on"), null=True, blank=True)
    upward_filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("return report")
        verbose_name_plural = _("return reports")

    def __str__(self) -> str:
        return f"{_('Return report')} #{self.pk}"


class RandomCheckDraw(models.Model):
    """A reproducible draw of about 2 % of eligible junior staff for a check (抽查): the seed is kept with it."""

    NO_GRADE = "no_grade"
    EXCLUSION_REASONS = {NO_GRADE: _("no grade (職等) in the directory")}

    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(default=timezone.now)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    seed = models.CharField(_("seed"), max_length=64)
    rate = models.FloatField(_("rate"))
    rule_source = models.CharField(max_length=200)
    eligible = models.JSONField(default=list)
    selected = models.JSONField(default=list)
    selected_names = models.JSONField(default=list)
    # Staff left out of the eligible list for a reason of record (e.g. no grade in the directory): {id, name, reason}.
    excluded = models.JSONField(default=list)

    class Meta:
        ordering = ["-drawn_at"]
        verbose_name = _("random-check draw")
        verbose_name_plural = _("random-check draws")

    def __str__(self) -> str:
        return f"{_('Draw')} {self.seed}"

    def excluded_rows(self) -> list[tuple[str, str]]:
        """(name, reason) of the staff left out of the eligible list."""
        return [(row["name"], str(self.EXCLUSION_REASONS.get(row["reason"], row["reason"]))) for row in self.excluded]


class Delegation(models.Model):
    """A visiting delegation of mainland persons (大陸人士來臺參訪) hosted by a unit."""

    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("directory.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("host unit"))
    title = models.CharField(_("delegation"), max_length=200)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    hosts = models.ManyToManyField("directory.Person", blank=True, related_name="+", verbose_name=_("hosts"))
    itinerary = models.TextField(_("itinerary"), blank=True)
    visitors = models.TextField(_("visitors"), blank=True, help_text=_("Names and affiliations, one a line."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("visiting delegation")
        verbose_name_plural = _("visiting delegations")
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="delegation_order")
        ]

    def __str__(self) -> str:
        return self.title


class VisitAnomaly(models.Model):
    """An anomaly observed during a visit, reported as a `mainland-visitor` incident."""

    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="anomalies")
    description = models.TextField(_("what was observed"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reported_at = models.DateTimeField(default=timezone.now)
    incident_id = models.PositiveIntegerField(null=True, blank=True)
    incident_reference = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-reported_at"]

    def __str__(self) -> str:
        return self.incident_reference or f"#{self.pk}"
