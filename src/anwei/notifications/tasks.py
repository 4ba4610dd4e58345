"""Thin tasks: send a delivery; every minute, the sweeper re-queues deliveries nobody is working on."""

from crontask import cron
from django.tasks import task

from . import services


@task
def deliver(delivery_id: int) -> bool:
    return services.deliver_now(delivery_id)


@cron("* * * * *")  # type: ignore[untyped-decorator]  # crontask.cron has no type hints
@task
def retry_due() -> int | None:
    """The sweeper (one at a time, by a lock row): re-queues stuck deliveries."""
    return services.sweep()
