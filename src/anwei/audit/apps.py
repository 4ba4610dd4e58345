from typing import ClassVar

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "anwei.audit"
    label = "audit"
    verbose_name = _("Audit log")
    navigation: ClassVar = [("audit:index", _("Audit log"), "audit.view")]
