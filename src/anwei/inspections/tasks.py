"""Thin periodic tasks: the logic is in corrective.send_reminders and cadence.remind_due."""

from crontask import cron
from django.tasks import task

from . import cadence, corrective


@cron("0 8 * * *")  # type: ignore[untyped-decorator]  # crontask.cron has no type hints
@task
def remind_corrective_actions() -> int:
    return corrective.send_reminders()


@cron("30 8 * * Mon")  # type: ignore[untyped-decorator]  # crontask.cron has no type hints
@task
def remind_confidentiality_cadence() -> int:
    return cadence.remind_due()
