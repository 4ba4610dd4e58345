from crontask import cron
from django.tasks import task

from . import services


@cron("5 0 * * *")
@task
def daily_checkpoint() -> str:
    cp = services.checkpoint()
    return f"{cp.day.isoformat()} #{cp.seq}"
