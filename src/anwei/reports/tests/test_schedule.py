"""The morning round runs five minutes after the daily cut-off, in local time, and follows the setting."""

import os
import subprocess
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from crontask import scheduler
from django.conf import settings

from anwei.reports import tasks

TAIPEI = ZoneInfo("Asia/Taipei")


def _fields(trigger: object) -> dict[str, str]:
    return {f.name: str(f) for f in trigger.fields}  # type: ignore[attr-defined]


def test_the_registered_schedule_is_five_minutes_after_the_configured_cutoff() -> None:
    job = next(j for j in scheduler.get_jobs() if j.name == tasks.send_daily_reports.name)
    hour, minute = (int(p) for p in settings.ANWEI_DAILY_CUTOFF.split(":"))
    fields = _fields(job.trigger)
    assert (int(fields["hour"]), int(fields["minute"])) == divmod(hour * 60 + minute + 5, 60)
    assert fields["day"] == fields["day_of_week"] == "*"
    assert str(job.trigger.timezone) == settings.TIME_ZONE == "Asia/Taipei"


@pytest.mark.parametrize(
    ("cutoff", "line"), [("08:00", "5 8 * * *"), ("07:57", "2 8 * * *"), ("23:58", "3 0 * * *"), ("00:00", "5 0 * * *")]
)
def test_morning_schedule(cutoff: str, line: str) -> None:
    assert tasks.morning_schedule(cutoff) == line


def test_a_round_just_past_midnight_reports_the_day_before() -> None:
    assert tasks.report_day(datetime(2026, 2, 1, 0, 3, tzinfo=TAIPEI)).isoformat() == "2026-01-31"
    assert tasks.report_day(datetime(2026, 2, 1, 8, 5, tzinfo=TAIPEI)).isoformat() == "2026-02-01"


def test_the_worker_started_with_another_cutoff_schedules_for_it() -> None:
    """The schedule is read when the worker starts (a changed setting takes a restart): a fresh process with
    ANWEI_DAILY_CUTOFF=06:30 registers the round at 06:35."""
    code = (
        "import django; django.setup()\n"
        "from anwei.reports import tasks\n"
        "from crontask import scheduler\n"
        "job = next(j for j in scheduler.get_jobs() if j.name == 'send_daily_reports')\n"
        "print({f.name: str(f) for f in job.trigger.fields})\n"
    )
    env = {**os.environ, "ANWEI_DAILY_CUTOFF": "06:30", "DJANGO_SETTINGS_MODULE": "anwei.settings"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, check=True)
    assert "'hour': '6'" in out.stdout and "'minute': '35'" in out.stdout, out.stdout + out.stderr
