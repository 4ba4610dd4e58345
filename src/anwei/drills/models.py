"""演練: an exercise of a plan's reporting and response, played from a script of injects. Each inject is filed, when
its time comes, as a report (通報) marked as a drill: routed by the real rules to the real people, never counted."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anwei.incidents import rules
from anwei.incidents.models import LEVEL_CHOICES


class Exercise(models.Model):
    """演練: one exercise of a plan, run in real time or accelerated (`speed` times faster)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("not started")
        RUNNING = "running", _("running")
        STOPPED = "stopped", pgettext_lazy("exercise", "ended")
        FINISHED = "finished", _("every inject filed")

    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="exercises", verbose_name=_("plan"))
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("exercise name"), max_length=200)
    speed = models.PositiveIntegerField(
        _("acceleration"), default=1, help_text=_("1 runs in real time; 60 plays one scripted minute each second.")
    )
    tells_outside = models.BooleanField(
        _("tell outside bodies"),
        default=False,
        help_text=_("Send the drill's messages to outside bodies (investigation bureau, police…) too."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("exercise")
        verbose_name_plural = _("exercises")

    def __str__(self) -> str:
        return self.name


class Inject(models.Model):
    """狀況: one scripted event — at `offset_minutes` after the start, `filer` reports `text` for `unit`."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="injects")
    position = models.PositiveIntegerField(_("order"), default=0)
    offset_minutes = models.PositiveIntegerField(_("minutes after the start"))
    category = models.CharField(_("category"), max_length=30)
    cyber_level = models.PositiveSmallIntegerField(_("cyber level"), null=True, blank=True, choices=LEVEL_CHOICES)
    unit = models.ForeignKey(
        "directory.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("unit")
    )
    text = models.CharField(_("what is reported"), max_length=200)
    description = models.TextField(_("details"), blank=True)
    filer = models.ForeignKey(
        "directory.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("filed by"),
    )
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    incident = models.OneToOneField(
        "incidents.Incident", null=True, blank=True, on_delete=models.SET_NULL, related_name="inject"
    )
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["offset_minutes", "position", "id"]
        verbose_name = _("inject")
        verbose_name_plural = _("injects")

    def __str__(self) -> str:
        return self.text

    @property
    def category_name(self) -> str:
        info = rules.CATEGORIES.get(self.category)
        return info.name if info else self.category
