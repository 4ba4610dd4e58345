from typing import ClassVar

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwarenessConfig(AppConfig):
    name = "anwei.awareness"
    label = "awareness"
    verbose_name = _("Awareness")
    navigation: ClassVar = [("awareness:index", _("Awareness (宣導)"), None)]
