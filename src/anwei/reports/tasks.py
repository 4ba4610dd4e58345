"""Thin tasks: build an export; each morning build and send the daily situation report of every active plan."""

from crontask import cron
from django.conf import settings
from django.tasks import task

from . import daily
from .models import ExportJob
from .services import run

_hour, _minute = (int(part) for part in settings.ANWEI_DAILY_CUTOFF.split(":"))


@task
def run_export(job_id: str) -> str:
    job = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).first()
    return run(job).status if job else "skipped"


@cron(f"{(_minute + 5) % 60} {_hour + (_minute + 5) // 60} * * *")
@task
def send_daily_reports() -> int:
    return daily.send_all()
