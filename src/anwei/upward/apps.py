from typing import ClassVar

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UpwardConfig(AppConfig):
    """上報: filings that go up to the superior ethics office, and the superior's roll-up of its subordinates."""

    name = "anwei.upward"
    label = "upward"
    verbose_name = _("Upward reporting")
    api_prefix = "rollup"  # GET /api/v1/rollup/incidents, /api/v1/rollup/sitreps
    navigation: ClassVar = [("upward:board", _("Roll-up board"), "upward.rollup")]

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
