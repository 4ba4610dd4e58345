"""Thin tasks: every minute, the sweep checks the clocks and escalates unacknowledged notifications (one sweep at a
time: it returns None when another holds the lock); every hour, stored files no attachment points at are removed."""

from crontask import cron
from django.tasks import task

from anwei.notifications.services import lock

from . import attachments, escalation


@cron("* * * * *")  # type: ignore[untyped-decorator]  # crontask.cron has no type hints
@task
def sweep() -> dict[str, int] | None:
    return escalation.sweep()


@cron("23 * * * *")  # type: ignore[untyped-decorator]  # crontask.cron has no type hints
@task
def remove_orphan_files() -> int | None:
    with lock("incidents-orphan-files", seconds=3600) as got:
        return len(attachments.remove_orphans()) if got else None
