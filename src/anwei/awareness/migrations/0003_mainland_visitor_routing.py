"""Anomalies during visits of mainland persons go to the investigation authority (seed plan: 協助機關保防聯繫; DOMAIN §1,
§6 [assumed]). The incidents app's default rules send every report to the ethics office but name no rule for the
`mainland-visitor` category, so this adds one, dated and citing its source — only if none exists yet."""

from datetime import date
from typing import Any

from django.db import migrations

RULE = {
    "name": "Mainland visitor anomaly: investigation authority",
    "category": "mainland-visitor",
    "recipients": ["org:investigation"],
    "source": "DOMAIN §1 — 花蓮縣政府103年春節安全維護計畫 (seed): 大陸人士來訪違常通報調查處站 [assumed §6]",
    "effective_from": date(2014, 1, 1),
}


def load(apps: Any, schema_editor: Any) -> None:
    RoutingRule = apps.get_model("incidents", "RoutingRule")
    if not RoutingRule.objects.filter(category=RULE["category"]).exists():
        RoutingRule.objects.create(**RULE)


def unload(apps: Any, schema_editor: Any) -> None:
    apps.get_model("incidents", "RoutingRule").objects.filter(name=RULE["name"]).delete()


class Migration(migrations.Migration):
    dependencies = [("awareness", "0002_taiwan_holidays"), ("incidents", "0002_default_rules")]
    operations = [migrations.RunPython(load, unload)]
