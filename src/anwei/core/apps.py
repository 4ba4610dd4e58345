import importlib
from typing import ClassVar

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "anwei.core"
    label = "core"
    url_prefix = ""
    verbose_name = _("Core")
    navigation: ClassVar = [("core:home", _("Home"), None)]

    def ready(self) -> None:
        # The empty choice of every select list, in the user's language (Django's own is English only).
        from django.db.models import fields

        fields.BLANK_CHOICE_LABEL = _("Choose…")

        # Each app's policies.py registers which roles may perform its actions.
        from .registry import with_module

        for config in with_module("policies"):
            importlib.import_module(f"{config.name}.policies")

        # With a read replica, every write on the primary pins the unit of work's roll-up reads to the primary.
        from django.db.backends.signals import connection_created

        from . import dbrouter

        connection_created.connect(dbrouter.watch_writes, dispatch_uid="anwei-watch-writes")

        # After a migration (which may write rows the per-process caches hold in bulk), every process reloads them.
        from django.db.models.signals import post_migrate

        from .generation import bump_after_migrate

        post_migrate.connect(bump_after_migrate, sender=self, dispatch_uid="anwei-generation-migrate")

        # PostgreSQL: the driver keeps its conversion of the few many-row INSERT shapes a filing writes.
        from .fastinsert import let_psycopg_keep_the_shapes

        let_psycopg_keep_the_shapes()
