from typing import ClassVar

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "anwei.directory"
    label = "directory"
    verbose_name = _("Directory")
    navigation: ClassVar = [("directory:index", _("Directory"), "directory.view")]
