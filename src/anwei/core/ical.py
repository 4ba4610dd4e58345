"""iCalendar (RFC 5545) feeds: duty shifts, deadlines and inspection dates in people's own calendar programs."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.utils import timezone


@dataclass(frozen=True)
class Event:
    uid: str
    start: datetime | date  # a date makes an all-day event
    summary: str
    end: datetime | date | None = None
    description: str = ""


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _moment(name: str, value: datetime | date) -> str:
    if isinstance(value, datetime):
        return f"{name}:{value.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}"
    return f"{name};VALUE=DATE:{value.strftime('%Y%m%d')}"


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded (continuation lines start with a space)."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > 75:
            out.append(current)
            current = " " + char
        else:
            current += char
    out.append(current)
    return "\r\n".join(out)


def calendar(name: str, events: Iterable[Event]) -> str:
    stamp = timezone.now().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Anwei//Anwei//ZH", "CALSCALE:GREGORIAN"]
    lines.append(f"X-WR-CALNAME:{_escape(name)}")
    for event in events:
        end = event.end or (event.start + timedelta(days=1) if not isinstance(event.start, datetime) else event.start)
        lines += ["BEGIN:VEVENT", f"UID:{event.uid}@anwei", f"DTSTAMP:{stamp}"]
        lines += [_moment("DTSTART", event.start), _moment("DTEND", end), f"SUMMARY:{_escape(event.summary)}"]
        if event.description:
            lines.append(f"DESCRIPTION:{_escape(event.description)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)
