"""Thin tasks: send a delivery; every minute, the sweeper re-queues deliveries nobody is working on."""

from crontask import cron
from django.tasks import task

from . import services


@task
def deliver(delivery_id: int, *more: int) -> bool:
    """Send one delivery, or all of one filing's (one task for them: `more`). True when this call sent any."""
    sent = [services.deliver_now(pk) for pk in (delivery_id, *more)]
    return any(sent)


@cron("* * * * *")  # type: ignore[untyped-decorator]  # crontask.cron has no type hints
@task
def retry_due() -> int | None:
    """The sweeper (one at a time, by a lock row): re-queues stuck deliveries."""
    return services.sweep()
