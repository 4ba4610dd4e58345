"""The default routing rules (DOMAIN §2, §5 and the seed plan), dated and citing their source."""

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from anwei.incidents.rules import DEFAULT_RULES

    RoutingRule = apps.get_model("incidents", "RoutingRule")
    for spec in DEFAULT_RULES:
        RoutingRule.objects.create(**spec)


def unload(apps: Any, schema_editor: Any) -> None:
    apps.get_model("incidents", "RoutingRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
