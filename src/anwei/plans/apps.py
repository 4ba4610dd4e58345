from typing import ClassVar

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "anwei.plans"
    label = "plans"
    verbose_name = _("Plans")
    navigation: ClassVar = [("plans:list", _("Plans"), "plans.view")]

    def ready(self) -> None:
        from anwei.accounts.signals import credentials_revoked

        from .feeds import on_credentials_revoked

        # calendar links end with the sessions (password change, sign out everywhere)
        credentials_revoked.connect(on_credentials_revoked, dispatch_uid="plans.feeds.revoke_all")
