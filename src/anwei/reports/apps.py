from typing import ClassVar

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "anwei.reports"
    label = "reports"
    verbose_name = _("Reports")
    navigation: ClassVar = [("reports:index", _("Reports"), "reports.view")]
