"""Thin periodic tasks: overdue returns, unconfirmed transfers and undecided proposals raise alerts."""

from crontask import cron
from django.tasks import task

from . import alerts


@cron("*/15 * * * *")  # type: ignore[untyped-decorator]  # crontask.cron has no type hints
@task
def check_custody() -> int:
    return alerts.alert_overdue_returns() + alerts.alert_unconfirmed_transfers()


@cron("0 8 * * *")  # type: ignore[untyped-decorator]  # crontask.cron has no type hints
@task
def remind_undecided_classifications() -> int:
    return alerts.remind_undecided() + alerts.remind_protection_ended()
