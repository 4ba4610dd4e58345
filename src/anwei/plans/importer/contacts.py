"""The contacts of a plan's 通信聯絡 section: people (name, title, mobile) and the office's own lines.

本府政風處行政科沈科長0982121209、蔡科員0989522247。  → 沈 (政風處行政科科長), 蔡 (政風處行政科科員), mobiles
本府政風處專線：（03）8222944、8222156。               → 政風處: two office lines, area code 03 carried over
本府政風處內線：（03）8227171轉315。                   → office line with extension 315
本府政風處傳真：（03）8222605。                        → fax
"""

import re
import unicodedata
from dataclasses import dataclass, field

TITLES = (
    "主任秘書",
    "專門委員",
    "副處長",
    "副局長",
    "副主任",
    "處長",
    "局長",
    "主任",
    "科長",
    "課長",
    "組長",
    "股長",
    "隊長",
    "秘書",
    "專員",
    "視察",
    "科員",
    "課員",
    "技正",
    "技士",
    "辦事員",
    "書記",
    "助理員",
    "約僱人員",
    "承辦人",
)
_UNIT_END = "處局室科課組股隊所站中心"
_PHONE = r"(?:[(（]\s*0\d{1,3}\s*[)）]\s*|0\d{1,3}-)?\d{3,4}-?\d{3,4}"
_MOBILE = r"09\d{2}-?\d{3}-?\d{3}"
_EXT = r"(?:\s*(?:轉|分機|#|ext\.?)\s*(?P<ext>\d{1,6}))?"
_PERSON_RE = re.compile(
    rf"(?P<org>[^、，,。；;：:\s]*?[{_UNIT_END}])?"
    rf"(?P<name>[^\W\d_{_UNIT_END}、，。；：]{{1,3}}?)\s*(?P<title>{'|'.join(TITLES)})\s*[：:]?\s*"
    rf"(?:手機|行動電話|電話)?\s*[：:]?\s*(?P<number>{_MOBILE}|{_PHONE}){_EXT}"
)
_NUMBER_RE = re.compile(
    rf"(?P<mobile>{_MOBILE})|(?:[(（]\s*(?P<area>0\d{{1,3}})\s*[)）]\s*|(?P<area2>0\d{{1,3}})-)?"
    rf"(?P<local>\d{{3,4}}-?\d{{3,4}}){_EXT}"
)
_KIND_WORDS = (("fax", ("傳真",)), ("mobile", ("手機", "行動")), ("office", ("專線", "內線", "電話", "總機", "分機")))


@dataclass
class Phone:
    kind: str  # "mobile" | "office" | "fax"
    number: str
    ext: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"kind": self.kind, "number": self.number, "ext": self.ext}


@dataclass
class Contact:
    name: str
    title: str
    phones: list[Phone] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "title": self.title, "phones": [p.to_dict() for p in self.phones]}


def _clean_org(org: str) -> str:
    return re.sub(r"^(?:本府|本縣|本市|本署|本局|本部)", "", org or "")


def _digits(number: str) -> str:
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", number))


def _office_number(area: str | None, local: str) -> str:
    local = _digits(local)
    return f"{area}-{local}" if area else local


def parse_contacts(lines: list[str]) -> list[Contact]:
    """Contacts from the lines of the 通信聯絡 section, in order; the same person or office is merged."""
    contacts: dict[tuple[str, str], Contact] = {}
    for raw in lines:
        line = unicodedata.normalize("NFKC", raw).replace("\u3000", " ")
        people = list(_PERSON_RE.finditer(line))
        if people:
            org = ""
            for index, match in enumerate(people):
                org = _clean_org(match.group("org")) or org
                number = match.group("number")
                kind = "mobile" if re.fullmatch(_MOBILE, number) else "office"
                phone = Phone(kind=kind, number=_mobile_or_office(number), ext=match.group("ext"))
                contact = contacts.setdefault(
                    (match.group("name"), org + match.group("title")),
                    Contact(name=match.group("name"), title=org + match.group("title")),
                )
                contact.phones.append(phone)
                end = people[index + 1].start() if index + 1 < len(people) else len(line)
                _add_numbers(contact, line[match.end() : end], default_kind="office")
            continue
        numbers = list(_NUMBER_RE.finditer(line))
        if not numbers:
            continue
        label = line[: numbers[0].start()].strip(" ：:")
        name = label
        for _kind, words in _KIND_WORDS:
            for word in words:
                name = name.split(word)[0]
        name = _clean_org(name.strip(" ：:")) or label
        contact = contacts.setdefault((name, ""), Contact(name=name, title=""))
        _add_numbers(contact, line, default_kind="office")
    return list(contacts.values())


def _add_numbers(contact: Contact, text: str, *, default_kind: str) -> None:
    """Every number in `text`; its kind from the words before it (傳真, 手機, 專線 …), an area code carried on
    to the numbers after it (（03）8222944、8222156)."""
    area = None
    kind = default_kind
    position = 0
    for match in _NUMBER_RE.finditer(text):
        before = text[position : match.start()]
        kind = next((k for k, words in _KIND_WORDS if any(w in before for w in words)), kind)
        position = match.end()
        if match.group("mobile"):
            contact.phones.append(Phone(kind="mobile", number=_digits(match.group("mobile"))))
            continue
        area = match.group("area") or match.group("area2") or area
        contact.phones.append(
            Phone(
                kind=kind if kind != "mobile" else "office",
                number=_office_number(area, match.group("local")),
                ext=match.group("ext"),
            )
        )


def _mobile_or_office(number: str) -> str:
    if re.fullmatch(_MOBILE, number):
        return _digits(number)
    match = re.fullmatch(r"[(（]\s*(0\d{1,3})\s*[)）]\s*(.+)|(0\d{1,3})-(.+)", number)
    if match:
        return _office_number(match.group(1) or match.group(3), match.group(2) or match.group(4))
    return _digits(number)
