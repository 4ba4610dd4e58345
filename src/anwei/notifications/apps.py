from typing import ClassVar

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "anwei.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
    navigation: ClassVar = [
        ("notifications:inbox", _("Inbox"), None),
        ("notifications:deliveries", _("Deliveries"), "notifications.view_deliveries"),
    ]

    def ready(self) -> None:
        from anwei.directory.signals import protected_fields_changed

        from .directory_changes import tell_the_person

        protected_fields_changed.connect(tell_the_person, dispatch_uid="notifications.tell_the_person")
