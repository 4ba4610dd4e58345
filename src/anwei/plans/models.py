"""A security-maintenance plan (維護計畫), e.g. the Spring-Festival plan: its period, status and fixed sections.
Other apps attach their records to a plan; the "active plan" of an agency is the one whose period contains now."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Plan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPROVED = "approved", _("approved (核定)")
        ACTIVE = "active", _("active")
        CLOSED = "closed", _("closed")

    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="plans")
    owning_unit = models.ForeignKey(
        "directory.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("owning unit")
    )
    title = models.CharField(_("title"), max_length=200)
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
