"""Rates written in settings as "COUNT/PERIOD": `30/10min`, `5/s`, `100/h`, `1000/d` (or `off`)."""

import re
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*$")


@dataclass(frozen=True)
class Rate:
    count: int
    period: timedelta


def parse(text: str, *, setting: str = "") -> Rate | None:
    """The rate, or None for `off` (no limit)."""
    if text.strip().lower() in ("off", "none", ""):
        return None
    match = _RATE.match(text.lower())
    if match is None or match.group(3) not in _UNITS or int(match.group(1)) < 1:
        raise ImproperlyConfigured(f"{setting or 'rate'}: write COUNT/PERIOD such as 30/10min, not {text!r}")
    count, multiple, unit = int(match.group(1)), int(match.group(2) or 1), match.group(3)
    return Rate(count=count, period=timedelta(seconds=multiple * _UNITS[unit]))
