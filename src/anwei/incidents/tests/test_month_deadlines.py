"""Deadlines counted in calendar months (the investigation report: one month after recovery): expected moments
written out by hand, month ends and a leap year included."""

from datetime import datetime

import pytest

from anwei.core.rocdate import TAIPEI
from anwei.incidents.routing import add_months


@pytest.mark.parametrize(
    ("start", "months", "due"),
    [
        (datetime(2026, 1, 31, 10, 30, tzinfo=TAIPEI), 1, datetime(2026, 2, 28, 10, 30, tzinfo=TAIPEI)),
        (datetime(2028, 1, 31, 23, 0, tzinfo=TAIPEI), 1, datetime(2028, 2, 29, 23, 0, tzinfo=TAIPEI)),
        (datetime(2026, 3, 31, 8, 0, tzinfo=TAIPEI), 1, datetime(2026, 4, 30, 8, 0, tzinfo=TAIPEI)),
        (datetime(2026, 12, 15, 17, 0, tzinfo=TAIPEI), 1, datetime(2027, 1, 15, 17, 0, tzinfo=TAIPEI)),
        (datetime(2026, 8, 31, 9, 0, tzinfo=TAIPEI), 6, datetime(2027, 2, 28, 9, 0, tzinfo=TAIPEI)),
    ],
)
def test_calendar_months_keep_the_local_time_and_stop_at_the_months_end(
    start: datetime, months: int, due: datetime
) -> None:
    assert add_months(start, months) == due
