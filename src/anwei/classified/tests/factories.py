"""Register items for tests, built through the services (so audit and rules apply)."""

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from anwei.classified import services
from anwei.classified.models import ClassifiedItem
from anwei.classified.rules import Level

SECRET_TITLE = "花蓮港區反滲透部署計畫"


def item(world: Any, *, level: str = Level.CONFIDENTIAL, title: str = SECRET_TITLE, **extra: Any) -> ClassifiedItem:
    fields: dict[str, Any] = {
        "actor": world.users["staff_a"],
        "unit": world.units["a"],
        "title": title,
        "content": "內容摘要：" + title,
        "level": level,
        "classified_on": date(2026, 1, 5),
        "protection_until": date(2030, 12, 31),
        "classifying_authority": "測試縣長",
        "custodian": world.users["staff_a"],
        "storage_location": "建設處機密櫃 1",
    }
    fields.update(extra)
    return services.register_item(**fields)


def soon(hours: int = 48) -> Any:
    return timezone.now() + timedelta(hours=hours)
