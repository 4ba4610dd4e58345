"""Working-day arithmetic over the office calendar: Monday–Friday, minus days off (holidays, and closures in the
office's county), plus make-up working days. The only source of working days: every rule counts on this."""

from datetime import date, timedelta
from functools import cached_property

from django.conf import settings

from .models import Closure, OfficeDay


def years_without_holidays(first: date, last: date) -> list[int]:
    """The years from `first` to `last` for which no day at all is entered in the calendar: their working days can
    only be counted as plain Monday–Friday, so a count over them may be wrong."""
    low, high = min(first, last).year, max(first, last).year
    entered = {d.year for d in OfficeDay.objects.filter(day__year__gte=low, day__year__lte=high).dates("day", "year")}
    return [year for year in range(low, high + 1) if year not in entered]


class Calendar:
    """The calendar for a date range, loaded once. `missing_years` lists the range's years with nothing entered."""

    def __init__(self, start: date, end: date) -> None:
        rows = OfficeDay.objects.filter(day__gte=start - timedelta(days=60), day__lte=end + timedelta(days=60))
        self.off = {h.day for h in rows if not h.is_workday}
        self.on = {h.day for h in rows if h.is_workday}
        county = getattr(settings, "ANWEI_OFFICE_COUNTY", "")
        window = (start - timedelta(days=60), end + timedelta(days=60))
        closures = Closure.objects.filter(county=county, day__range=window) if county else Closure.objects.none()
        self.closed = set(closures.values_list("day", flat=True))
        self.start, self.end = start, end

    @cached_property
    def missing_years(self) -> list[int]:
        return years_without_holidays(self.start, self.end)

    def is_working_day(self, day: date) -> bool:
        if day in self.closed:
            return False
        if day in self.on:
            return True
        return day.weekday() < 5 and day not in self.off


def is_working_day(day: date) -> bool:
    return Calendar(day, day).is_working_day(day)


def working_days_between(first: date, last: date) -> int:
    """Working days strictly between `first` and `last` (neither end counted)."""
    if last <= first:
        return 0
    cal = Calendar(first, last)
    return sum(1 for n in range(1, (last - first).days) if cal.is_working_day(first + timedelta(days=n)))


def latest_filing_day(departs_on: date, working_days: int) -> date:
    """The last working day on which one can file and still leave `working_days` working days before departure
    (filings are received on working days [assumed]; a weekend filing is still judged by
    `working_days_between`)."""
    cal = Calendar(departs_on - timedelta(days=working_days * 3 + 40), departs_on)
    day, found = departs_on, 0
    while found < working_days:
        day -= timedelta(days=1)
        if cal.is_working_day(day):
            found += 1
    day -= timedelta(days=1)
    while not cal.is_working_day(day):
        day -= timedelta(days=1)
    return day


def add_working_days(start: date, working_days: int) -> date:
    """The `working_days`-th working day after `start` (the start day not counted)."""
    cal = Calendar(start, start + timedelta(days=working_days * 3 + 40))
    day, found = start, 0
    while found < working_days:
        day += timedelta(days=1)
        if cal.is_working_day(day):
            found += 1
    return day
