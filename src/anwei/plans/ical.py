"""A person's duty shifts as an iCalendar feed (RFC 5545), so the roster shows up in their phone's calendar."""

from datetime import UTC, datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.directory.models import DutyShift, Person

from .selectors import shifts_of


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


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


def _event(shift: DutyShift, person: Person, stamp: str) -> list[str]:
    substitute = _("substitute")
    summary = shift.kind.name if shift.person_id == person.pk else f"{shift.kind.name}（{substitute}）"
    description = shift.handover_note
    lines = [
        "BEGIN:VEVENT",
        f"UID:shift-{shift.pk}-person-{person.pk}@anwei",
        f"DTSTAMP:{stamp}",
        f"DTSTART:{_utc(shift.starts_at)}",
        f"DTEND:{_utc(shift.ends_at)}",
        f"SUMMARY:{_escape(summary)}",
    ]
    if description:
        lines.append(f"DESCRIPTION:{_escape(description)}")
    lines.append("END:VEVENT")
    return lines


def calendar_for(person: Person) -> str:
    stamp = _utc(timezone.now())
    name = _("duty roster")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//Anwei//{getattr(settings, 'ANWEI_SITE_NAME', 'Anwei')}//ZH",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(person.name)} {_escape(name)}",
    ]
    for shift in shifts_of(person):
        lines.extend(_event(shift, person, stamp))
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)
