"""Thin periodic task: return-report and upward-filing reminders, every morning (Asia/Taipei is UTC+8)."""

from crontask import cron
from django.tasks import task

from . import services


@cron("30 0 * * *")  # type: ignore[untyped-decorator]  # crontask.cron has no type hints
@task
def remind_return_reports() -> int:
    return services.remind_returns()
