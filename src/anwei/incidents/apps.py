from typing import ClassVar

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class IncidentsConfig(AppConfig):
    name = "anwei.incidents"
    label = "incidents"
    verbose_name = _("Incidents")
    navigation: ClassVar = [("incidents:board", _("Reports (通報)"), "incidents.view")]
    primary_actions: ClassVar = [
        ("incidents:new", pgettext_lazy("prominent button", "File a report"), "incidents.file"),
    ]

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - connects the signal receivers
