"""The days a recurring task is to be done on (its occurrences), from the plan's period:

- daily during the period: every calendar day the period touches (103年1月21日22時 to 2月14日24時 gives 25 days,
  the first one two hours long);
- daily during the holidays: the days of the period that are not working days in the office calendar
  (the office calendar: weekends and days off, less make-up working days);
- weekly during the period: seven-day stretches from the period's start, the last one cut at its end.

Each occurrence is due when its day (or week) ends, or when the period ends if that is sooner; one not reported by
then is overdue."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from anwei.core.rocdate import TAIPEI, local

if TYPE_CHECKING:
    from .models import Task


@dataclass(frozen=True)
class Occurrence:
    day: date
    starts_at: datetime
    due_at: datetime


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=TAIPEI)


def _days(start: datetime, end: datetime) -> list[date]:
    first, last = local(start).date(), local(end - timedelta(microseconds=1)).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _daily(start: datetime, end: datetime, keep: Callable[[date], bool]) -> list[Occurrence]:
    return [
        Occurrence(day, max(_midnight(day), start), min(_midnight(day + timedelta(days=1)), end))
        for day in _days(start, end)
        if keep(day)
    ]


def _weekly(start: datetime, end: datetime) -> list[Occurrence]:
    out = []
    begins = start
    while begins < end:
        out.append(Occurrence(local(begins).date(), begins, min(begins + timedelta(days=7), end)))
        begins += timedelta(days=7)
    return out


def _off_days(start: datetime, end: datetime) -> Callable[[date], bool]:
    from anwei.officecalendar.workdays import Calendar  # the office calendar (read only)

    days = _days(start, end)
    calendar = Calendar(days[0], days[-1])
    return lambda day: not calendar.is_working_day(day)


def occurrences(recurrence: str, start: datetime, end: datetime) -> list[Occurrence]:
    """The occurrences of a task recurring as `recurrence` (Task.Recurrence) over the period [start, end)."""
    if end <= start:
        return []
    if recurrence == "daily":
        return _daily(start, end, lambda _day: True)
    if recurrence == "holidays":
        return _daily(start, end, _off_days(start, end))
    if recurrence == "weekly":
        return _weekly(start, end)
    return []


def of_task(task: "Task") -> list[Occurrence]:
    return occurrences(task.recurrence, task.plan.period_start, task.plan.period_end)


def on_day(task: "Task", day: date) -> Occurrence | None:
    return next((o for o in of_task(task) if o.day == day), None)
