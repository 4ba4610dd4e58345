"""The office calendar moves from awareness to its own app: the days entered so far (the 2026 and 2027 holidays
seeded from 行政院人事行政總處's 115年／116年 calendar, with any edits) are copied over; a database that had none gets
the 2026–2027 days themselves, so nothing changes for users. Later years come from the DGPA file
(`python -m anwei calendar import FILE`)."""

from datetime import date

from django.db import migrations

SOURCE = "行政院人事行政總處 政府行政機關辦公日曆表 (紀念日及節日實施條例, 2025)"

TAIWAN_HOLIDAYS: dict[int, list[tuple[date, str]]] = {
    2026: [
        (date(2026, 1, 1), "中華民國開國紀念日"),
        (date(2026, 2, 15), "農曆除夕前一日（小年夜）"),
        (date(2026, 2, 16), "農曆除夕"),
        (date(2026, 2, 17), "春節（初一）"),
        (date(2026, 2, 18), "春節（初二）"),
        (date(2026, 2, 19), "春節（初三）"),
        (date(2026, 2, 20), "春節補假（小年夜逢星期日）"),
        (date(2026, 2, 27), "和平紀念日補假"),
        (date(2026, 2, 28), "和平紀念日"),
        (date(2026, 4, 3), "兒童節補假"),
        (date(2026, 4, 4), "兒童節"),
        (date(2026, 4, 5), "民族掃墓節（清明節）"),
        (date(2026, 4, 6), "民族掃墓節補假"),
        (date(2026, 5, 1), "勞動節"),
        (date(2026, 6, 19), "端午節"),
        (date(2026, 9, 25), "中秋節"),
        (date(2026, 9, 28), "孔子誕辰紀念日（教師節）"),
        (date(2026, 10, 9), "國慶日補假"),
        (date(2026, 10, 10), "國慶日"),
        (date(2026, 10, 25), "臺灣光復暨金門古寧頭大捷紀念日"),
        (date(2026, 10, 26), "臺灣光復暨金門古寧頭大捷紀念日補假"),
        (date(2026, 12, 25), "行憲紀念日"),
    ],
    2027: [
        (date(2027, 1, 1), "中華民國開國紀念日"),
        (date(2027, 2, 4), "農曆除夕前一日（小年夜）"),
        (date(2027, 2, 5), "農曆除夕"),
        (date(2027, 2, 6), "春節（初一）"),
        (date(2027, 2, 7), "春節（初二）"),
        (date(2027, 2, 8), "春節（初三）"),
        (date(2027, 2, 9), "春節補假（初一逢星期六）"),
        (date(2027, 2, 10), "春節補假（初二逢星期日）"),
        (date(2027, 2, 28), "和平紀念日"),
        (date(2027, 3, 1), "和平紀念日補假"),
        (date(2027, 4, 4), "兒童節"),
        (date(2027, 4, 5), "民族掃墓節（清明節）"),
        (date(2027, 4, 6), "兒童節補假"),
        (date(2027, 4, 30), "勞動節補假"),
        (date(2027, 5, 1), "勞動節"),
        (date(2027, 6, 9), "端午節"),
        (date(2027, 9, 15), "中秋節"),
        (date(2027, 9, 28), "孔子誕辰紀念日（教師節）"),
        (date(2027, 10, 10), "國慶日"),
        (date(2027, 10, 11), "國慶日補假"),
        (date(2027, 10, 25), "臺灣光復暨金門古寧頭大捷紀念日"),
        (date(2027, 12, 24), "行憲紀念日補假"),
        (date(2027, 12, 25), "行憲紀念日"),
        (date(2027, 12, 31), "開國紀念日補假（117年1月1日逢星期六）"),
    ],
}


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    OfficeDay = apps.get_model("officecalendar", "OfficeDay")
    Holiday = apps.get_model("awareness", "Holiday")
    for old in Holiday.objects.all():
        OfficeDay.objects.get_or_create(
            day=old.day, defaults={"name": old.name, "is_workday": old.is_workday, "source": old.source}
        )
    entered = {d.year for d in OfficeDay.objects.dates("day", "year")}
    for year, days in TAIWAN_HOLIDAYS.items():
        if year in entered:  # copied (possibly edited): keep what the office has
            continue
        for day, name in days:
            OfficeDay.objects.get_or_create(day=day, defaults={"name": name, "source": SOURCE})


def unseed(apps, schema_editor):  # type: ignore[no-untyped-def]
    OfficeDay = apps.get_model("officecalendar", "OfficeDay")
    Holiday = apps.get_model("awareness", "Holiday")
    for row in OfficeDay.objects.all():
        Holiday.objects.get_or_create(
            day=row.day, defaults={"name": row.name, "is_workday": row.is_workday, "source": row.source}
        )
    OfficeDay.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("officecalendar", "0001_initial"),
        ("awareness", "0005_category_override_calendar_gaps_exclusions"),
    ]
    operations = [migrations.RunPython(seed, unseed)]
