"""A plan document's lines → its outline: title, agency, period, sections, units, contacts, warnings.

`parse_plan` is pure (no database): the directory units to match are passed in. Problems that make the document
unusable as a plan (no title, no sections, no or an impossible period) are errors that name the line; everything
else (a weekday or "為期N日" that does not agree, numbering that skips, unknown units) is a warning."""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from anwei.core import rocdate

from .contacts import Contact, parse_contacts
from .outline import Item, build_outline, section_name
from .units import Directory, OrganisationMention, UnitMention, find_mentions

_TITLE_RE = re.compile(
    r"^(?P<agency>.*?)(?:民國)?(?P<year>[0-9０-９]{2,3}|[一二三四五六七八九十百〇零]{2,5})年度?(?P<rest>.*)$"
)
_PERIOD_HINT = re.compile(r"起|至|為期|期間")
_WEEKDAY_RE = re.compile(r"[(（](?:星期|週|周|禮拜)[一二三四五六日天][)）]")
CONTACT_SECTIONS = ("通信聯絡", "聯絡方式")


class PlanDocumentError(Exception):
    """The document cannot become a plan; `problems` are messages that name the line where there is one."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class Section:
    heading: str
    line: int
    items: list[Item]

    def to_dict(self) -> dict[str, object]:
        return {"heading": self.heading, "items": [item.to_dict() for item in self.items]}


@dataclass
class PlanOutline:
    title: str
    agency: str
    start: datetime
    end: datetime
    sections: list[Section]
    units: list[UnitMention]
    contacts: list[Contact]
    warnings: list[str] = field(default_factory=list)
    organisations: list[OrganisationMention] = field(default_factory=list)

    @property
    def days(self) -> int:
        return rocdate.period_days(self.start, self.end)

    def to_dict(self) -> dict[str, object]:
        return {
            "title": self.title,
            "agency": self.agency,
            "period": {
                "start": self.start.astimezone(rocdate.TAIPEI).isoformat(),
                "end": self.end.astimezone(rocdate.TAIPEI).isoformat(),
                "days": self.days,
            },
            "sections": [section.to_dict() for section in self.sections],
            "units": [unit.to_dict() for unit in self.units],
            "organisations": [organisation.to_dict() for organisation in self.organisations],
            "contacts": [contact.to_dict() for contact in self.contacts],
            "warnings": list(self.warnings),
        }


def parse_plan(
    lines: list[str], *, directory: Directory | None = None, directory_units: dict[str, int] | None = None
) -> PlanOutline:
    """The outline of a plan document; units and organisations are matched to `directory` (or to just the units
    `directory_units`, name → id) when one is given, and those not in it are warned about."""
    if directory is None and directory_units is not None:
        directory = Directory(units=directory_units)
    outline = build_outline(lines)
    problems: list[str] = []
    warnings = list(outline.warnings)
    title_lines = [text for _line, text in outline.preamble if _is_title_line(text)]
    if not title_lines:
        problems.append(_("The document has no title lines before its first numbered section."))
    if not outline.roots:
        problems.append(_("No numbered sections (一、 依據 …) were found: is this a plan?"))
    sections = [Section(heading=item.text, line=item.line, items=item.children) for item in outline.roots]
    agency = ""
    if title_lines:
        match = _TITLE_RE.match(unicodedata.normalize("NFKC", title_lines[0]).replace(" ", ""))
        agency = match.group("agency") if match else ""
        if not agency:
            warnings.append(
                _("line %(line)d: the title does not start with the agency's name.") % {"line": outline.preamble[0][0]}
            )
    period = _find_period(outline.roots, problems, warnings)
    if problems or period is None:
        raise PlanDocumentError(problems)
    task_texts = [
        (item.line, item.text)
        for section in sections
        if section_name(section.heading) not in CONTACT_SECTIONS
        for top in section.items
        for item in top.walk()
    ]
    mentions = find_mentions(task_texts, directory)
    if directory is not None:
        for unit in mentions.units:
            if not unit.known:
                warnings.append(
                    _("line %(line)d: the unit %(name)s is not in the directory.")
                    % {"line": unit.line, "name": unit.name}
                )
        for organisation in mentions.organisations:
            if organisation.organisation_id is None:
                warnings.append(
                    _("line %(line)d: the organisation %(name)s is not in the directory.")
                    % {"line": organisation.line, "name": organisation.name}
                )
    contact_lines = [
        item.text
        for section in sections
        if section_name(section.heading) in CONTACT_SECTIONS
        for top in section.items
        for item in top.walk()
    ]
    contacts = parse_contacts(contact_lines)
    if not contacts:
        warnings.append(_("No contacts (通信聯絡) were found."))
    return PlanOutline(
        title="".join(title_lines),
        agency=agency,
        start=period.start,
        end=period.end,
        sections=sections,
        units=mentions.units,
        contacts=contacts,
        warnings=warnings,
        organisations=mentions.organisations,
    )


_DATE_LINE = re.compile(
    r"^(?:中華)?(?:民國)?[0-9〇零一二三四五六七八九十百]+年[0-9〇零一二三四五六七八九十]+月(?:[0-9〇零一二三四五六七八九十]+日)?"
)


def _is_title_line(text: str) -> bool:
    """Not a date line (中華民國102年12月30日) or a document number (府政字第…號) under the title."""
    norm = rocdate.normalise(text)
    return not (_DATE_LINE.match(norm) and len(norm) <= 20) and not re.search(r"字第\w+號", norm)


def _find_period(roots: list[Item], problems: list[str], warnings: list[str]) -> rocdate.RocPeriod | None:
    """The first item that reads as a period sentence (a 民國 date … to … a date); its weekdays and 為期N日 are
    checked against the computed dates — a disagreement is a warning."""
    for item in (node for root in roots for node in root.walk()):
        text = item.text
        norm = rocdate.normalise(text)
        if not _PERIOD_HINT.search(norm) or len(re.findall(r"月[0-9〇零一二三四五六七八九十]+日", norm)) < 2:
            continue
        try:
            period = rocdate.parse_period(_WEEKDAY_RE.sub("", text))
        except rocdate.RocDateError as exc:
            problems.append(
                _("line %(line)d: the period cannot be read: %(error)s") % {"line": item.line, "error": exc}
            )
            return None
        _check_weekdays(item, period, warnings)
        if not period.days_agree:
            warnings.append(
                _("line %(line)d: the plan says 為期%(stated)d日 but the period is %(days)d days.")
                % {"line": item.line, "stated": period.stated_days, "days": period.days}
            )
        return period
    problems.append(_("No period sentence (e.g. 103年1月21日22時起至2月14日24時止) was found."))
    return None


def _check_weekdays(item: Item, period: rocdate.RocPeriod, warnings: list[str]) -> None:
    parts = re.split(r"至", item.text, maxsplit=1)
    moments = [(parts[0], period.start, False)] + ([(parts[1], period.end, True)] if len(parts) > 1 else [])
    for text, moment, is_end in moments:
        stated = _WEEKDAY_RE.search(text)
        if not stated:
            continue
        if is_end and re.search(r"24(?:時|點)", rocdate.normalise(text)):
            moment = moment - timedelta(microseconds=1)  # 2月14日24時 is written on the 14th
        local = moment.astimezone(rocdate.TAIPEI)
        name = stated.group(0)[-2]
        actual = rocdate.WEEKDAY_NAMES[local.weekday()]
        if name.replace("天", "日") != actual:
            warnings.append(
                _("line %(line)d: %(month)d月%(day)d日 is 星期%(actual)s, not 星期%(stated)s.")
                % {"line": item.line, "month": local.month, "day": local.day, "actual": actual, "stated": name}
            )
