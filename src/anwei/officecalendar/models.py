"""The government office calendar (政府行政機關辦公日曆表): the days that differ from plain Monday–Friday, read from
行政院人事行政總處's open data (data.gov.tw dataset 14718) or entered by hand, and typhoon closures (停班停課)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CalendarImport(models.Model):
    """One reading of a DGPA calendar file: which file (its SHA-256), of what date, read by whom, what it changed."""

    years = models.JSONField(_("years"), default=list)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    encoding = models.CharField(_("encoding"), max_length=20)
    file_date = models.DateField(_("date of the file"), null=True, blank=True)
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), null=True, blank=True, on_delete=models.PROTECT
    )
    imported_by_label = models.CharField(_("imported by"), max_length=150, blank=True)
    changes = models.JSONField(_("changes"), default=list, blank=True)

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = _("calendar import")
        verbose_name_plural = _("calendar imports")

    def __str__(self) -> str:
        return f"{','.join(str(y) for y in self.years)} {self.sha256[:12]}"


class OfficeDay(models.Model):
    """A day of the office calendar that is not plain Monday–Friday: a day off (放假日) on a weekday or with a name,
    or a working day (補行上班日) on a Saturday or Sunday."""

    day = models.DateField(_("date"), unique=True)
    name = models.CharField(_("note"), max_length=80)
    is_workday = models.BooleanField(
        _("make-up working day (補行上班)"), default=False, help_text=_("A Saturday or Sunday on which offices work.")
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    calendar_import = models.ForeignKey(
        CalendarImport, verbose_name=_("calendar import"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("holiday calendar")

    def __str__(self) -> str:
        return f"{self.day.isoformat()} {self.name}"


COUNTIES = [
    "臺北市", "新北市", "桃園市", "臺中市", "臺南市", "高雄市", "基隆市", "新竹市", "嘉義市", "新竹縣", "苗栗縣",
    "彰化縣", "南投縣", "雲林縣", "嘉義縣", "屏東縣", "宜蘭縣", "花蓮縣", "臺東縣", "澎湖縣", "金門縣", "連江縣",
]  # fmt: skip


class Closure(models.Model):
    """A day on which a county's offices closed (停止上班) for a typhoon or another disaster, entered by hand with
    the announcement it rests on. It is a day off for working-day counts when the county is the office's own
    (settings.ANWEI_OFFICE_COUNTY)."""

    day = models.DateField(_("date"))
    county = models.CharField(_("county or city"), max_length=10, choices=[(c, c) for c in COUNTIES])
    reference = models.CharField(_("announcement"), max_length=200)
    note = models.CharField(_("note"), max_length=200, blank=True)
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        ordering = ["-day", "county"]
        constraints = [models.UniqueConstraint(fields=["day", "county"], name="officecalendar_closure_day_county")]
        verbose_name = _("closure (停止上班)")
        verbose_name_plural = _("closures (停止上班)")

    def __str__(self) -> str:
        return f"{self.day.isoformat()} {self.county}"
