"""Thin tasks: push the outbox upward (after each filing, and every minute for the retries); file the daily
situation report just after the cut-off."""

from crontask import cron
from django.conf import settings
from django.tasks import task
from django.utils import timezone

from anwei.reports.tasks import morning_schedule, report_day

from . import outbox


@task
def push() -> int:
    return outbox.push()


@cron("* * * * *")  # type: ignore[untyped-decorator]  # crontask.cron has no type hints
@task
def push_due() -> int:
    return outbox.push()


@cron(morning_schedule(settings.ANWEI_DAILY_CUTOFF))  # type: ignore[untyped-decorator]  # crontask.cron has no type hints
@task
def file_sitrep() -> int:
    day = report_day(timezone.now())
    queued = outbox.queue_sitreps(day) + outbox.roll_up_sitreps_locally(day)
    outbox.push()
    return queued


@cron("20 0 * * *")  # type: ignore[untyped-decorator]  # crontask.cron has no type hints
@task
def file_checkpoint() -> int:
    """After the audit log's daily checkpoint (00:05): send it up for the superior to witness."""
    queued = 1 if outbox.queue_checkpoint() is not None else 0
    outbox.push()
    return queued
