"""Thin tasks: build an export; each morning build and send the daily situation report of every active plan.

The morning round runs a few minutes after the daily cut-off (ANWEI_DAILY_CUTOFF, local time), when the day's window
has closed. The schedule is read from the setting when the worker starts: changing it takes a restart."""

from datetime import date, datetime, time, timedelta

from crontask import cron
from django.conf import settings
from django.tasks import task
from django.utils import timezone

from anwei.core import rocdate

from . import daily
from .models import ExportJob
from .services import run

AFTER_CUTOFF = timedelta(minutes=5)


def morning_schedule(cutoff: str) -> str:
    """The crontab line for the morning round: AFTER_CUTOFF past the cut-off time "HH:MM" (past midnight too)."""
    at = datetime.combine(date(2000, 1, 1), time.fromisoformat(cutoff)) + AFTER_CUTOFF
    return f"{at.minute} {at.hour} * * *"


def report_day(now: datetime) -> date:
    """The day whose cut-off the morning round follows (the day before, when the round runs just past midnight)."""
    return rocdate.local(now - AFTER_CUTOFF).date()


@task
def run_export(job_id: str) -> str:
    job = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).first()
    return run(job).status if job else "skipped"


@cron(morning_schedule(settings.ANWEI_DAILY_CUTOFF))  # type: ignore[untyped-decorator]  # crontask.cron has no type hints
@task
def send_daily_reports() -> int:
    return daily.send_all(report_day(timezone.now()))
