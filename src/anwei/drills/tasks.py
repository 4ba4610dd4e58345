"""Thin tasks: the runner of an exercise files what is due and queues itself for the next inject; each minute a
safety net files what is due of every running exercise (a runner lost with its worker is thus replaced)."""

from crontask import cron
from django.tasks import task

from anwei.notifications.services import lock

from . import services


@task
def run_exercise(exercise_id: int) -> None:
    at = services.file_due(exercise_id)
    if at is not None:
        services.schedule(exercise_id, at)


@cron("* * * * *")  # type: ignore[untyped-decorator]  # crontask.cron has no type hints
@task
def file_due_injects() -> int | None:
    with lock("drills-file-due", seconds=60) as got:
        return services.file_all_due() if got else None
