"""An office that had edited its holiday calendar before the calendar moved to its own app keeps its edits: the
data migration copies awareness' days (a removed seeded day stays removed, an added make-up day stays)."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("awareness", "0005_category_override_calendar_gaps_exclusions"), ("officecalendar", "0001_initial")]
AFTER = [("awareness", "0006_office_calendar_moved"), ("officecalendar", "0002_office_days_from_awareness")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_days_edited_in_awareness_move_to_the_office_calendar() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Holiday = old.get_model("awareness", "Holiday")
    Holiday.objects.all().delete()  # (going back copied the calendar back): the office's own calendar follows
    Holiday.objects.create(day=date(2026, 1, 1), name="中華民國開國紀念日", source="seed")
    Holiday.objects.create(day=date(2026, 9, 26), name="補行上班", is_workday=True, source="edited")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    OfficeDay = new.get_model("officecalendar", "OfficeDay")
    days_2026 = {d.day: (d.name, d.is_workday) for d in OfficeDay.objects.filter(day__year=2026)}
    # the office's 2026 as it stood (two days), not the 22 seeded ones; 2027, never entered there, is seeded
    assert days_2026 == {date(2026, 1, 1): ("中華民國開國紀念日", False), date(2026, 9, 26): ("補行上班", True)}
    assert OfficeDay.objects.filter(day__year=2027).count() == 24
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
