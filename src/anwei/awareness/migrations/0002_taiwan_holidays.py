"""Formerly seeded the holiday calendar with 2026 and 2027; the calendar is now officecalendar's, whose migration
0002_office_days_from_awareness seeds (or copies) those days. Kept as a step so that existing databases agree."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("awareness", "0001_initial")]
    operations: list[migrations.operations.base.Operation] = []
