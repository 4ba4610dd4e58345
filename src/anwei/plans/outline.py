"""Reading an imported document's outline (the JSON shape of `import-plan --json`) into what a plan is made of:
which section is which (依據, 目的, 任務, 執行, 協調配合, 通信聯絡), which units a task's wording names, and
which of them are asked to cooperate (協請…)."""

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from anwei.core.errors import BusinessRuleError
from anwei.directory.models import Person, Unit

from .importer.units import VOCABULARY

SECTION_KEYS = {
    "basis": ("依據",),
    "purpose": ("目的",),
    "missions": ("任務",),
    "execution": ("執行",),
    "coordination": ("協調配合", "協調"),
    "contacts": ("通信聯絡", "聯絡"),
}
PERIOD_ITEM = re.compile(r"^\s*(工作期間|執行期間|實施期間)")
FOCUS_ITEM = re.compile(r"^\s*執行重點")
COOPERATE = "協請"
SCHOOLS = next(pattern for _side, kind, pattern in VOCABULARY if kind == "schools")
RECURRENCE_WORDS = [("holidays", ("連續假日", "連續假期")), ("daily", ("每日", "每天")), ("weekly", ("每週",))]


@dataclass
class MappedOutline:
    title: str
    period_start: datetime
    period_end: datetime
    basis: list[str] = field(default_factory=list)
    purpose: str = ""
    missions: list[str] = field(default_factory=list)
    coordination: str = ""
    tasks: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)


def _section_key(heading: str) -> str | None:
    clean = re.sub(r"\s+", "", heading or "")
    for key, words in SECTION_KEYS.items():
        if any(w in clean for w in words):
            return key
    return None


def _texts(items: list[dict[str, Any]]) -> list[str]:
    """Item wording flattened in reading order (children after their parent)."""
    out: list[str] = []
    for item in items:
        text = str(item.get("text") or "").strip()
        if text:
            out.append(text)
        out.extend(_texts(item.get("children") or []))
    return out


def _lines(items: list[dict[str, Any]]) -> list[str]:
    out: list[str] = []
    for item in items:
        number = str(item.get("number") or "").strip()
        text = str(item.get("text") or "").strip()
        out.append(f"{number} {text}".strip())
        out.extend(_lines(item.get("children") or []))
    return [line for line in out if line]


def _moment(value: Any, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except (TypeError, ValueError) as exc:
        raise BusinessRuleError(_("The outline has no valid period %s.") % name, field="period") from exc
    if moment.tzinfo is None:
        raise BusinessRuleError(_("The outline's period has no time zone."), field="period")
    return moment


def read(outline: dict[str, Any]) -> MappedOutline:
    period = outline.get("period") or {}
    mapped = MappedOutline(
        title=str(outline.get("title") or "").strip(),
        period_start=_moment(period.get("start"), "start"),
        period_end=_moment(period.get("end"), "end"),
    )
    for contact in outline.get("contacts") or []:
        mapped.contacts.append(
            {
                "name": str(contact.get("name") or "").strip(),
                "title": str(contact.get("title") or "").strip(),
                "phones": list(contact.get("phones") or []),
            }
        )
    for section in outline.get("sections") or []:
        key = _section_key(str(section.get("heading") or ""))
        items = list(section.get("items") or [])
        paragraph = str(section.get("text") or "").strip()
        if key == "basis":
            mapped.basis = _texts(items) or ([paragraph] if paragraph else [])
        elif key == "purpose":
            mapped.purpose = "\n".join(([paragraph] if paragraph else []) + _texts(items))
        elif key == "missions":
            mapped.missions = _texts(items) or ([paragraph] if paragraph else [])
        elif key == "coordination":
            mapped.coordination = "\n".join(([paragraph] if paragraph else []) + _lines(items))
        elif key == "execution":
            for item in items:
                text = str(item.get("text") or "")
                if PERIOD_ITEM.match(text):
                    continue
                if FOCUS_ITEM.match(text) and item.get("children"):
                    mapped.tasks.extend(item["children"])  # the 執行重點 groups become the top of the tree
                else:
                    mapped.tasks.append(item)
    return mapped


def units_in(text: str, units: list[Unit], owner: Unit) -> tuple[list[Unit], list[Unit]]:
    """(responsible, cooperating) units named in a task's wording. A unit named after 協請 is asked to cooperate
    and the owning unit stays responsible; "本處" is the owning unit; the county's schools (縣屬國民中、小學) are
    the agency's school units; a task naming no unit is the owner's."""
    found: list[tuple[int, Unit]] = []
    taken: list[tuple[int, int]] = []
    for unit in sorted(units, key=lambda u: -len(u.name)):
        if len(unit.name) < 2 or unit.parent_id is None:
            continue
        for match in re.finditer(re.escape(unit.name), text):
            span = match.span()
            if any(a <= span[0] < b for a, b in taken):
                continue
            taken.append(span)
            found.append((span[0], unit))
            break
    group = SCHOOLS.search(text)  # 縣屬國民中、小學: every school unit of the agency
    if group is not None:
        named = {unit.pk for _start, unit in found}
        found += [(group.start(), u) for u in units if u.kind == Unit.Kind.SCHOOL and u.pk not in named]
    responsible: list[Unit] = []
    cooperating: list[Unit] = []
    ask = text.find(COOPERATE)
    for start, unit in sorted(found, key=lambda f: f[0]):
        if unit == owner:
            continue
        if ask >= 0 and start > ask:
            cooperating.append(unit)
        else:
            responsible.append(unit)
    if not responsible:
        responsible = [owner]
    return responsible, cooperating


def recurrence_in(text: str) -> str:
    for value, words in RECURRENCE_WORDS:
        if any(w in text for w in words):
            return value
    return ""


def person_named(name: str, people: list[Person]) -> Person | None:
    """The agency's person with exactly this name (the plan writes e.g. 沈科長)."""
    matches = [p for p in people if name and p.name == name]
    return matches[0] if len(matches) == 1 else None
