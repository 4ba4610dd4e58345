from typing import ClassVar

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "anwei.inspections"
    label = "inspections"
    verbose_name = _("Inspections")
    navigation: ClassVar = [("inspections:index", _("Inspections"), "inspections.view_findings")]
