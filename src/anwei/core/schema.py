"""API field types. Pydantic would read a number as a Unix time for a date; the API documents ISO 8601 text, so
anything else is a 422."""

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator

from .text import single_line


def _iso_text(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not value[:4].isdigit() or "-" not in value:
        raise ValueError("use ISO 8601, e.g. 2026-11-25 or 2026-11-25T08:00:00+08:00")
    return value


def _single_line(value: Any) -> Any:
    return single_line(value) if isinstance(value, str) else value


IsoDate = Annotated[date, BeforeValidator(_iso_text)]
# A one-line text field (a title, a name, a place): control characters and line breaks become a space.
SingleLine = Annotated[str, BeforeValidator(_single_line)]
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_text)]
