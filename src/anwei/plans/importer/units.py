"""Who a plan's text names, matched to the directory: the agency's own units and people (本府建設處,
協請行政暨研考處, 縣屬國民中、小學, 機關首長, 值勤人員) and the outside organisations it works with (地區警方,
調查處站, 國家資通安全會報…).

In each text, in this order (each phrase found is blanked out so that it is not found twice):
1. the names of the agency's units and organisations in the directory (longest first, so 政風處行政科 is not also
   counted as 政風處);
2. the phrases of VOCABULARY: groups of units (the county's schools → the directory's school units), the agency's
   own roles (機關首長 → the agency's top unit; 值勤人員 → the duty roster, no unit), and the kinds of outside
   organisation (matched to the agency's organisation of that kind);
3. phrases that look like a unit of the agency (after 本府/本縣/協請/請/由, ending in 處/局/中心/室/科…).
Units and organisations that are not in the directory are listed as unknown."""

import re
from dataclasses import dataclass, field

_SUFFIX = r"(?:中心|處|局|室|科|課|所|隊|館)"
_CANDIDATE_RE = re.compile(
    rf"(?:本府|本縣|本市|協請|請|由)(?:本府|本縣|本市)?(?P<name>[\u4e00-\u9fff]{{1,8}}?{_SUFFIX})(?![理置分罰長員])"
)
# phrases that end like a unit but start with a verb or are not units of the agency
_NOT_A_UNIT = re.compile(r"^(?:會同|協助|加強|依|確實|注意|遵循|於|將|立即|即|各|該|相關|本|其他|任何)")

# (side, kind, pattern): side "unit" for the agency's own units and roles, "organisation" for outside bodies (kind
# is then directory.Organisation.Kind)
VOCABULARY: list[tuple[str, str, re.Pattern[str]]] = [
    ("unit", "schools", re.compile(r"縣(?:屬|立)(?:各)?(?:國民中、?小學|國民?中小學|學校)|所屬(?:各級)?學校")),
    ("unit", "head", re.compile(r"機關首長")),
    ("unit", "duty", re.compile(r"值勤人員")),
    ("organisation", "investigation", re.compile(r"(?:地區)?調查(?:處站|機關|局|站|處(?![理分]))")),
    ("organisation", "police", re.compile(r"(?:地區|轄區)?(?:警察(?:單位|機關|分局|局)|警方)")),
    ("organisation", "cyber", re.compile(r"(?:行政院)?國家資通安全(?:會報|通報應變窗口|通報窗口)")),
    ("organisation", "superior", re.compile(r"(?:法務部)?廉政署")),
]
_BLANK = "\u3000"


@dataclass(frozen=True)
class Directory:
    """What mentions are matched to: the agency's units (name → id), its school units, its top unit (the agency
    head answers for it) and its outside organisations as (id, name, kind)."""

    units: dict[str, int] = field(default_factory=dict)
    schools: tuple[int, ...] = ()
    top_unit: int | None = None
    organisations: tuple[tuple[int, str, str], ...] = ()

    def organisation_of_kind(self, kind: str) -> int | None:
        return next((pk for pk, _name, k in self.organisations if k == kind), None)


@dataclass(frozen=True)
class UnitMention:
    """A unit of the agency the text names. `kind`: "unit", "schools" (a group of units: `unit_ids`), "head" (機關
    首長: the agency's top unit) or "duty" (值勤人員: whoever is on the roster, no unit)."""

    name: str
    unit_id: int | None  # the directory unit, or None when unknown
    line: int
    kind: str = "unit"
    unit_ids: tuple[int, ...] = ()

    @property
    def known(self) -> bool:
        return self.kind == "duty" or self.unit_id is not None or bool(self.unit_ids)

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"name": self.name, "unit": self.unit_id, "kind": self.kind}
        if self.kind == "schools":
            data["units"] = list(self.unit_ids)
        return data


@dataclass(frozen=True)
class OrganisationMention:
    """An outside organisation the text names; `kind` is directory.Organisation.Kind."""

    name: str
    kind: str
    organisation_id: int | None
    line: int

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "kind": self.kind, "organisation": self.organisation_id}


@dataclass
class Mentions:
    units: list[UnitMention]
    organisations: list[OrganisationMention]


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + _BLANK * (end - start) + text[end:]


def _unit_of_kind(kind: str, name: str, line: int, directory: Directory) -> UnitMention:
    if kind == "schools":
        return UnitMention(name, None, line, kind, directory.schools)
    if kind == "head":
        return UnitMention(name, directory.top_unit, line, kind)
    return UnitMention(name, None, line, kind)


def find_mentions(texts: list[tuple[int, str]], directory: Directory | None = None) -> Mentions:
    """`texts`: (line, text) of the items that say what is to be done and by whom."""
    directory = directory or Directory()
    units: dict[str, UnitMention] = {}
    organisations: dict[str, OrganisationMention] = {}
    named = [(name, "unit", pk, "") for name, pk in directory.units.items()]
    named += [(name, "organisation", pk, kind) for pk, name, kind in directory.organisations]
    named.sort(key=lambda item: len(item[0]), reverse=True)
    for line, text in texts:
        rest = text
        for name, side, pk, kind in named:
            if name and name in rest:
                if side == "unit":
                    units.setdefault(name, UnitMention(name=name, unit_id=pk, line=line))
                else:
                    organisations.setdefault(name, OrganisationMention(name, kind, pk, line))
                rest = rest.replace(name, _BLANK * len(name))
        for side, kind, pattern in VOCABULARY:
            for match in list(pattern.finditer(rest)):
                name = match.group(0)
                if side == "unit":
                    units.setdefault(name, _unit_of_kind(kind, name, line, directory))
                else:
                    organisations.setdefault(
                        name, OrganisationMention(name, kind, directory.organisation_of_kind(kind), line)
                    )
                rest = _blank(rest, *match.span())
        for match in _CANDIDATE_RE.finditer(rest):
            name = match.group("name")
            if _NOT_A_UNIT.match(name):
                continue
            units.setdefault(name, UnitMention(name=name, unit_id=directory.units.get(name), line=line))
    return Mentions(units=list(units.values()), organisations=list(organisations.values()))


def find_units(texts: list[tuple[int, str]], directory: dict[str, int]) -> list[UnitMention]:
    """The units only, matched to `directory` (unit name → id)."""
    return find_mentions(texts, Directory(units=directory)).units
