from typing import ClassVar

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "anwei.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
    navigation: ClassVar = [("accounts:users", _("Users"), "accounts.view")]

    def ready(self) -> None:
        from anwei.core.policies import use_scopes

        from . import signals, tokencache  # noqa: F401  (tokencache: its models set a new cache generation)
        from .scope import scope_for

        use_scopes(scope_for)
