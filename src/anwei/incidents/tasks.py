"""Thin tasks: every minute, the sweep checks the clocks and escalates unacknowledged notifications."""

from crontask import cron
from django.tasks import task

from . import escalation


@cron("* * * * *")
@task
def sweep() -> dict[str, int]:
    return escalation.sweep()
