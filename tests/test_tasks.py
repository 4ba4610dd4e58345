"""Every app's tasks module loads as the worker's scheduler loads it, and every periodic job in the source is
registered with it (a schedule crontask refuses, such as a numeric day of week, stopped `anwei run` at start)."""

import inspect
import re

from crontask import scheduler

from anwei.core.registry import modules

CRON_JOB = re.compile(r"^@cron\(.*\)[^\n]*\n(?:@\w+.*\n)*def (\w+)", re.MULTILINE)


def test_every_periodic_job_in_the_source_is_scheduled() -> None:
    loaded = modules("tasks")  # raises if a schedule is refused
    in_source = {name for module in loaded for name in CRON_JOB.findall(inspect.getsource(module))}
    assert len(loaded) >= 8 and len(in_source) >= 10
    assert in_source <= {job.name for job in scheduler.get_jobs()}
