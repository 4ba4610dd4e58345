"""Reading 行政院人事行政總處's office-calendar open data (data.gov.tw dataset 14718, 政府行政機關辦公日曆表).

One CSV per ROC year, columns `西元日期,星期,是否放假,備註`: the date as YYYYMMDD, the weekday (一…日), 2 for a day
off and 0 for a working day, and a note (the holiday's name, 補行上班日, …). Files come in UTF-8 with a BOM or in
Big5 (cp950). Every day of the year is listed; the calendar keeps only the days that differ from plain Monday–Friday
and the weekend days off that have a name (e.g. 和平紀念日 on a Saturday), as it did when the days were typed in.
Cross-check (not a source): the `taiwan-holidays` package reads the same dataset."""

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

COLUMNS = ("西元日期", "星期", "是否放假", "備註")
DAY_OFF, WORKING_DAY = "2", "0"


class CalendarFileError(ValueError):
    """The file is not a DGPA office calendar; the message says why, in the user's words."""


@dataclass(frozen=True)
class Entry:
    """A day the calendar keeps: a day off, or a working day on a weekend."""

    day: date
    name: str
    is_workday: bool


@dataclass
class CalendarFile:
    entries: list[Entry]
    years: list[int]
    encoding: str
    sha256: str
    days_listed: int = 0
    skipped: list[str] = field(default_factory=list)


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp950"), "cp950"
    except UnicodeDecodeError:
        raise CalendarFileError(_("The file is neither UTF-8 nor Big5 (cp950) text.")) from None


def _parse_day(text: str) -> date:
    text = text.strip()
    if "/" in text or "-" in text:
        y, m, d = (int(part) for part in text.replace("-", "/").split("/"))
        return date(y, m, d)
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def read(data: bytes) -> CalendarFile:
    """The days of a DGPA calendar file; CalendarFileError when it is not one."""
    text, encoding = _decode(data)
    rows = csv.reader(io.StringIO(text))
    header = [cell.strip().lstrip("\ufeff") for cell in next(rows, [])]
    if tuple(header[:4]) != COLUMNS:
        raise CalendarFileError(_("The first line must be the columns %(columns)s.") % {"columns": ",".join(COLUMNS)})
    entries: list[Entry] = []
    seen: set[date] = set()
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            day = _parse_day(row[0])
            flag = row[2].strip()
        except (ValueError, IndexError):
            raise CalendarFileError(_("Line %(line)s: the date cannot be read.") % {"line": number}) from None
        if flag not in (DAY_OFF, WORKING_DAY):
            raise CalendarFileError(
                _("Line %(line)s: 是否放假 must be 2 (day off) or 0 (working day).") % {"line": number}
            )
        if day in seen:
            raise CalendarFileError(_("Line %(line)s: the date is listed twice.") % {"line": number})
        seen.add(day)
        note = (row[3] if len(row) > 3 else "").strip()
        weekend = day.weekday() >= 5
        if flag == DAY_OFF and (not weekend or note):
            entries.append(Entry(day, note or _("Day off"), False))
        elif flag == WORKING_DAY and weekend:
            entries.append(Entry(day, note or _("Make-up working day"), True))
    if not seen:
        raise CalendarFileError(_("The file lists no days."))
    return CalendarFile(
        entries=entries,
        years=sorted({d.year for d in seen}),
        encoding=encoding,
        sha256=hashlib.sha256(data).hexdigest(),
        days_listed=len(seen),
    )
