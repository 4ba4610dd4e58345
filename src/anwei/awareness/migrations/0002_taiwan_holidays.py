"""Seed the office calendar with Taiwan's public holidays for 2026 and 2027 (see holidays_tw.py)."""

from django.db import migrations


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    from anwei.awareness.holidays_tw import SOURCE, TAIWAN_HOLIDAYS

    Holiday = apps.get_model("awareness", "Holiday")
    for days in TAIWAN_HOLIDAYS.values():
        for day, name in days:
            Holiday.objects.get_or_create(day=day, defaults={"name": name, "source": SOURCE})


def unseed(apps, schema_editor):  # type: ignore[no-untyped-def]
    from anwei.awareness.holidays_tw import TAIWAN_HOLIDAYS

    Holiday = apps.get_model("awareness", "Holiday")
    Holiday.objects.filter(day__in=[d for days in TAIWAN_HOLIDAYS.values() for d, _ in days]).delete()


class Migration(migrations.Migration):
    dependencies = [("awareness", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
