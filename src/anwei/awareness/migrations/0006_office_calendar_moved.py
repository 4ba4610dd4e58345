"""The holiday calendar is now the office calendar of anwei.officecalendar (its rows were copied there)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("awareness", "0005_category_override_calendar_gaps_exclusions"),
        ("officecalendar", "0002_office_days_from_awareness"),
    ]
    operations = [migrations.DeleteModel(name="Holiday")]
