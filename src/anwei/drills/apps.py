from typing import ClassVar

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DrillsConfig(AppConfig):
    name = "anwei.drills"
    label = "drills"
    verbose_name = _("Drills")
    navigation: ClassVar = [("drills:index", _("Drills"), "drills.view")]
