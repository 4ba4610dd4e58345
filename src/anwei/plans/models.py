"""A security-maintenance plan (維護計畫), e.g. the Spring-Festival plan: its period, status and fixed sections.
Other apps attach their records to a plan; the "active plan" of an agency is the one whose period contains now.

Beside the plan: its 執行重點 as a tree of tasks that keeps the plan's own numbering and wording, progress notes and
evidence per task, the versions made by amendments (如有未盡事宜得隨時修正), and the contact list (通信聯絡).
The duty roster (值勤表) is the directory's DutyShift rows inside the plan's period."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Plan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPROVED = "approved", _("approved (核定)")
        ACTIVE = "active", pgettext_lazy("plan status", "active")
        CLOSED = "closed", _("closed")

    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="plans")
    owning_unit = models.ForeignKey(
        "directory.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("owning unit")
    )
    title = models.CharField(pgettext_lazy("plan", "title"), max_length=200)
    basis = models.JSONField(_("basis (依據)"), default=list, blank=True)
    purpose = models.TextField(_("purpose (目的)"), blank=True)
    missions = models.JSONField(_("missions (任務)"), default=list, blank=True)
    coordination = models.TextField(_("coordination (協調配合)"), blank=True)
    period_start = models.DateTimeField(_("period starts"))
    period_end = models.DateTimeField(_("period ends"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cloned_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="clones", verbose_name=_("cloned from")
    )

    class Meta:
        ordering = ["-period_start"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        indexes = [models.Index(fields=["agency", "period_start", "period_end"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gt=models.F("period_start")), name="plan_period_order"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_live(self) -> bool:
        return self.status in (self.Status.APPROVED, self.Status.ACTIVE)


class Task(models.Model):
    """One item of 執行重點, e.g. "（1） 落實機密維護" (a group) or its "1、 加強宣導保密規定…" (a task).
    `number` is the plan's own marker, kept as written; `position` orders siblings."""

    class Status(models.TextChoices):
        OPEN = "open", _("not started")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        NOT_APPLICABLE = "n_a", _("not applicable")

    class Recurrence(models.TextChoices):
        NONE = "", _("once")
        DAILY = "daily", _("daily during the period")
        WEEKLY = "weekly", _("weekly during the period")
        HOLIDAYS = "holidays", _("daily during the holidays")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("plan"))
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        verbose_name=pgettext_lazy("task", "parent"),
    )
    number = models.CharField(pgettext_lazy("task", "number"), max_length=20, blank=True)
    text = models.TextField(_("wording"))
    position = models.PositiveIntegerField(_("order"), default=0)
    responsible_units = models.ManyToManyField(
        "directory.Unit", blank=True, related_name="plan_tasks", verbose_name=_("responsible units")
    )
    cooperating_units = models.ManyToManyField(
        "directory.Unit", blank=True, related_name="cooperating_plan_tasks", verbose_name=_("cooperating units (協請)")
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    recurrence = models.CharField(
        _("recurrence"), max_length=10, choices=Recurrence.choices, default=Recurrence.NONE, blank=True
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plan", "parent_id", "position", "pk"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return f"{self.number} {self.text[:40]}".strip()

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.NOT_APPLICABLE)


class ProgressNote(models.Model):
    """A progress report on a task (辦理情形), with the status it left the task in."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="notes", verbose_name=_("task"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(pgettext_lazy("task report", "progress"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Task.Status.choices)
    previous_status = models.CharField(_("status before"), max_length=12, choices=Task.Status.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")

    def __str__(self) -> str:
        return f"{self.task.number} {self.get_status_display()}"


class OccurrenceReport(models.Model):
    """The report that a recurring task was done on one of its days (e.g. 春節連續假日 each holiday); `day` is the
    occurrence's local date (recurrence.py says which days a task has)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="occurrence_reports", verbose_name=_("task"))
    day = models.DateField(_("day"))
    note = models.TextField(pgettext_lazy("task report", "progress"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["task", "day"]
        verbose_name = _("occurrence report")
        verbose_name_plural = _("occurrence reports")
        constraints = [models.UniqueConstraint(fields=["task", "day"], name="plan_occurrence_once")]

    def __str__(self) -> str:
        return f"{self.task.number} {self.day.isoformat()}"


class Evidence(models.Model):
    """A file that shows a task was done (佐證資料)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("task"))
    file = models.FileField(_("file"), upload_to="plans/evidence/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.name


class PlanVersion(models.Model):
    """A version of an approved plan: the whole plan as it stood (fields and task wording), why it changed, who
    changed it and when. Version 1 is the plan as approved."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions", verbose_name=_("plan"))
    number = models.PositiveIntegerField(_("version"))
    content = models.JSONField(_("content"))
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan", "-number"]
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique")]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"


class PlanContact(models.Model):
    """A line of the plan's contact list (通信聯絡): a person of the agency, an outside organisation or contact, or
    just a name and numbers as the plan wrote them. `phones` is a list of {"kind", "number", "ext"}."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("plan"))
    position = models.PositiveIntegerField(_("order"), default=0)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=120)
    title = models.CharField(pgettext_lazy("person", "title"), max_length=120, blank=True)
    person = models.ForeignKey(
        "directory.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("person")
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("organisation"),
    )
    phones = models.JSONField(_("phone numbers"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["plan", "position", "pk"]
        verbose_name = _("plan contact")
        verbose_name_plural = _("plan contacts")

    def __str__(self) -> str:
        return self.name


class FeedKey(models.Model):
    """The secret behind a person's calendar-subscription link (one per user and feed, e.g. "plans.duty"): the link
    carries a value signed with the site's key that names the user and this nonce; resetting the link replaces the
    nonce, so every older link stops working. See feeds.py."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(_("feed"), max_length=40)
    nonce = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar link")
        verbose_name_plural = _("calendar links")
        constraints = [models.UniqueConstraint(fields=["user", "purpose"], name="plan_feed_key_once")]

    def __str__(self) -> str:
        return f"{self.user} {self.purpose}"
