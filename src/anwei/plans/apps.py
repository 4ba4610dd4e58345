from typing import ClassVar

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "anwei.plans"
    label = "plans"
    verbose_name = _("Plans")
    navigation: ClassVar = [("plans:list", _("Plans"), "plans.view")]
