"""Thin tasks: every minute, the sweep checks the clocks and escalates unacknowledged notifications (one sweep at a
time: it returns None when another holds the lock)."""

from crontask import cron
from django.tasks import task

from . import escalation


@cron("* * * * *")
@task
def sweep() -> dict[str, int] | None:
    return escalation.sweep()
