"""Thin periodic tasks: overdue returns, unconfirmed transfers and undecided proposals raise alerts."""

from crontask import cron
from django.tasks import task

from . import custody


@cron("*/15 * * * *")
@task
def check_custody() -> int:
    return custody.alert_overdue_returns() + custody.alert_unconfirmed_transfers()


@cron("0 8 * * *")
@task
def remind_undecided_classifications() -> int:
    return custody.remind_undecided() + custody.remind_protection_ended()
