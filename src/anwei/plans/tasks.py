"""Thin periodic task: an approved plan goes into effect when its period begins."""

from crontask import cron
from django.tasks import task

from . import services


@cron("*/5 * * * *")  # type: ignore[untyped-decorator]  # crontask.cron has no type hints
@task
def start_due_plans() -> int:
    return len(services.start_due_plans())
