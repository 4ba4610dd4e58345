"""2026-12-01: major incidents reach the agency head at once, whatever their severity.

The seed plan (shared/seed/hualien-103-spring-security-plan.txt, 執行重點（2）強化安全維護 2 and 3) lists the harms
to prevent — 竊盜、破壞、縱火、工安、爆炸及恐怖攻擊 — and says that in a major security situation (機關人員重大傷亡、
重大意外事故…) the ethics office 應立即陳報機關首長. Until now only a *critical* report reached the agency head, so an
accident, arson or sabotage filed at its default severity did not. The rules are data (editable by admins); this
migration adds one per category, dated from the seed like the other seed rules. The data is written out here, not
imported, so the migration stays what it was when later rule tables change."""

from datetime import date
from typing import Any

from django.db import migrations

SOURCE = (
    "DOMAIN §1 — 花蓮縣政府103年春節安全維護計畫 (seed), 執行重點（2）強化安全維護 2、3: "
    "重大危安狀況（機關人員重大傷亡、重大意外事故…）應立即陳報機關首長"
)
CATEGORIES = {
    "accident": "工安或重大意外",
    "casualty": "人員重大傷亡",
    "sabotage": "危害破壞",
    "arson": "縱火",
    "explosion": "爆炸",
    "terror": "恐怖攻擊",
}
RULES = [
    {
        "name": f"Major incident ({code}): agency head at once",
        "category": code,
        "recipients": ["role:agency_head"],
        "source": f"{SOURCE} — {name}",
        "effective_from": date(2014, 1, 1),
    }
    for code, name in CATEGORIES.items()
]


def load(apps: Any, schema_editor: Any) -> None:
    RoutingRule = apps.get_model("incidents", "RoutingRule")
    for spec in RULES:
        if not RoutingRule.objects.filter(name=spec["name"], category=spec["category"]).exists():
            RoutingRule.objects.create(**spec)


def unload(apps: Any, schema_editor: Any) -> None:
    RoutingRule = apps.get_model("incidents", "RoutingRule")
    for spec in RULES:
        RoutingRule.objects.filter(name=spec["name"], category=spec["category"], source=spec["source"]).delete()


class Migration(migrations.Migration):
    dependencies = [("incidents", "0002_default_rules")]
    operations = [migrations.RunPython(load, unload)]
