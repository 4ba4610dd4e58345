"""What a report covers: a plan and a time window within it. The apps' report sections (`report_sections.py`)
take a `Window`; the reports app on top builds the windows and assembles the sections (reports.builders)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from anwei.core import rocdate

from .models import Plan


@dataclass(frozen=True)
class Window:
    """What a report covers: a plan and a time window within it."""

    plan: Plan
    start: datetime
    end: datetime
    # Who the report is made for: a user (their display name), the names of its readers as text, or None.
    viewer: Any = None

    @property
    def days(self) -> list[date]:
        first = rocdate.local(self.start).date()
        last = rocdate.local(self.end - timedelta(microseconds=1)).date()
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]
