"""Reads of the office calendar: a year's days, the differences a file would make, the imports and closures."""

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from .dgpa import CalendarFile, Entry
from .models import CalendarImport, Closure, OfficeDay


@dataclass(frozen=True)
class Difference:
    """One day a file changes: `before` is the calendar in force (None: not entered), `after` the file's."""

    before: Entry | None
    after: Entry | None

    @property
    def day(self) -> date:
        # the ignore below: one of the two entries is always set (a change has a before or an after)
        return (self.after or self.before).day  # type: ignore[union-attr]

    @property
    def kind(self) -> str:
        if self.before is None:
            return "added"
        return "removed" if self.after is None else "changed"


def year_days(year: int) -> QuerySet[OfficeDay]:
    return OfficeDay.objects.filter(day__year=year)


def differences(calendar_file: CalendarFile) -> list[Difference]:
    """What importing the file would change in the calendar in force, day by day (for the years the file covers)."""
    current = {
        row.day: Entry(row.day, row.name, row.is_workday)
        for row in OfficeDay.objects.filter(day__year__in=calendar_file.years)
    }
    coming = {entry.day: entry for entry in calendar_file.entries}
    out = []
    for day in sorted(set(current) | set(coming)):
        before, after = current.get(day), coming.get(day)
        if before != after:
            out.append(Difference(before, after))
    return out


def imports() -> QuerySet[CalendarImport]:
    return CalendarImport.objects.select_related("imported_by")


def closures(year: int | None = None) -> QuerySet[Closure]:
    qs = Closure.objects.all()
    return qs.filter(day__year=year) if year else qs
