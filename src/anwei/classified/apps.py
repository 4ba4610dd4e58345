from typing import ClassVar

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClassifiedConfig(AppConfig):
    name = "anwei.classified"
    label = "classified"
    verbose_name = _("Classified register")
    navigation: ClassVar = [("classified:index", _("Classified register"), "classified.view")]
