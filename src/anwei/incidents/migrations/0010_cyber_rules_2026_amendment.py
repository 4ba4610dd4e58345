"""2026-01-05: 資通安全事件通報及應變辦法 was amended and renamed 資通安全事件通報應變及演練辦法 (under the 資通安全管理法
amended 2025-09-24). The cyber rules of 2021 end the day before; versions dated from the amendment take their
place. We could not confirm from the 2026 text whether the 1 hour / 72 hours / 36 hours / 1 month figures changed
(DOMAIN §2): each 2026 version keeps the figures the office has now and says so in its note, for an administrator
to set under 通報規則. The data is written out here, so the migration stays what it was when later rules change."""

from datetime import date
from typing import Any

from django.db import migrations

AMENDED = date(2026, 1, 5)
SOURCE_2026 = "DOMAIN §2 — 資通安全事件通報應變及演練辦法 (2026-01-05) [unconfirmed: figures of 2021]"
NOTE = (
    "2026年修正條文之期限未能確認，暫沿用2021年版（1小時通報、72／36小時內完成損害控制或復原、復原後1個月內提出"
    "調查、處理及改善報告）；請管理者依修正條文核對並設定。"
)
# (name of the 2021 rule, name of its 2026 version)
VERSIONS = [
    (
        "Cyber incident: notify within 1 hour, investigation report 1 month after recovery",
        "Cyber incident (2026): notify, investigation report after recovery [deadlines unconfirmed]",
    ),
    (
        "Cyber incident level 1–2: recovery within 72 hours",
        "Cyber incident level 1–2 (2026): recovery [deadline unconfirmed]",
    ),
    (
        "Cyber incident level 3–4: recovery within 36 hours, agency head told",
        "Cyber incident level 3–4 (2026): recovery, agency head told [deadline unconfirmed]",
    ),
]
COPIED = ["category", "min_severity", "min_level", "max_level", "recipients", "channels", "deadlines", "tasks",
          "ack_minutes", "active"]  # fmt: skip


def load(apps: Any, schema_editor: Any) -> None:
    RoutingRule = apps.get_model("incidents", "RoutingRule")
    for old_name, new_name in VERSIONS:
        old = RoutingRule.objects.filter(
            name=old_name, category="cyber", effective_until__isnull=True, effective_from__lt=AMENDED
        ).first()
        if old is None or RoutingRule.objects.filter(name=new_name, category="cyber").exists():
            continue
        RoutingRule.objects.create(
            name=new_name,
            effective_from=AMENDED,
            source=SOURCE_2026,
            note=NOTE,
            **{field: getattr(old, field) for field in COPIED},
        )
        old.effective_until = AMENDED
        old.save(update_fields=["effective_until"])


def unload(apps: Any, schema_editor: Any) -> None:
    RoutingRule = apps.get_model("incidents", "RoutingRule")
    for old_name, new_name in VERSIONS:
        if RoutingRule.objects.filter(name=new_name, category="cyber", source=SOURCE_2026).delete()[0]:
            RoutingRule.objects.filter(name=old_name, category="cyber", effective_until=AMENDED).update(
                effective_until=None
            )


class Migration(migrations.Migration):
    dependencies = [("incidents", "0009_rule_note")]
    operations = [migrations.RunPython(load, unload)]
