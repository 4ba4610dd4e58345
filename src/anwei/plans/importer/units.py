"""Units a plan's tasks name (本府建設處, 協請行政暨研考處, 本縣教育網路中心 …), matched to the directory.

Two passes: every directory unit whose name appears in the text (longest first, so 政風處行政科 is not also
counted as 政風處), then phrases that look like a unit of the agency (after 本府/本縣/協請/請/由, ending in
處/局/中心/室/科…) and are not in the directory — those are listed as unknown."""

import re
from dataclasses import dataclass

_SUFFIX = r"(?:中心|處|局|室|科|課|所|隊|館)"
_CANDIDATE_RE = re.compile(
    rf"(?:本府|本縣|本市|協請|請|由)(?:本府|本縣|本市)?(?P<name>[\u4e00-\u9fff]{{1,8}}?{_SUFFIX})(?![理置分罰長員])"
)
# phrases that end like a unit but start with a verb or are not units of the agency
_NOT_A_UNIT = re.compile(r"^(?:會同|協助|加強|依|確實|注意|遵循|於|將|立即|即|各|該|相關|本|其他|任何)")


@dataclass(frozen=True)
class UnitMention:
    name: str
    unit_id: int | None  # the directory unit, or None when unknown
    line: int

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "unit": self.unit_id}


def find_units(texts: list[tuple[int, str]], directory: dict[str, int]) -> list[UnitMention]:
    """`texts`: (line, text) of the task items; `directory`: unit name → id of the agency's units."""
    found: dict[str, UnitMention] = {}
    names = sorted(directory, key=len, reverse=True)
    for line, text in texts:
        rest = text
        for name in names:
            if name and name in rest:
                found.setdefault(name, UnitMention(name=name, unit_id=directory[name], line=line))
                rest = rest.replace(name, "\u3000")
        for match in _CANDIDATE_RE.finditer(rest):
            name = match.group("name")
            if _NOT_A_UNIT.match(name):
                continue
            found.setdefault(name, UnitMention(name=name, unit_id=directory.get(name), line=line))
    return list(found.values())
