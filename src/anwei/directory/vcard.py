"""vCard 4.0 (RFC 6350) export of people and outside contacts.

Text values are escaped as RFC 6350 §3.4 says: backslash, comma and semicolon each behind a backslash, a line break
as \\n. A compound value (N, ORG) is its components escaped one by one and joined with a bare semicolon, so an
agency and its unit are two components of ORG (phones show "花蓮縣政府, 政風處"), while a semicolon or comma inside
a name stays part of that name. Lines longer than 75 octets are folded (§3.2) without splitting a character."""

from collections.abc import Iterable, Sequence

from .models import ExternalContact, Person

FOLD_AT = 75  # octets in a line, the line break not counted


def escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\n", "\\n")
    )


def compound(components: Sequence[str]) -> str:
    return ";".join(escape(c) for c in components)


def fold(line: str) -> str:
    """A content line folded into lines of at most 75 octets; each continuation starts with one space."""
    out: list[str] = []
    current, size, limit = "", 0, FOLD_AT
    for ch in line:
        width = len(ch.encode())
        if size + width > limit:
            out.append(current)
            current, size, limit = "", 0, FOLD_AT - 1  # the leading space of a continuation counts
        current += ch
        size += width
    out.append(current)
    return "\r\n ".join(out)


def _card(name: str, org: Sequence[str], title: str, phones: list[tuple[str, str]], email: str) -> str:
    lines = [
        "BEGIN:VCARD",
        "VERSION:4.0",
        "KIND:individual",
        f"FN:{escape(name)}",
        f"N:{compound([name, '', '', '', ''])}",
    ]
    org = [part for part in org if part]
    if org:
        lines.append(f"ORG:{compound(org)}")
    if title:
        lines.append(f"TITLE:{escape(title)}")
    for kind, number in phones:
        if number:
            lines.append(f"TEL;TYPE={kind}:{escape(number)}")
    if email:
        lines.append(f"EMAIL;TYPE=work:{escape(email)}")
    lines.append("END:VCARD")
    return "".join(fold(line) + "\r\n" for line in lines)


def person_card(person: Person) -> str:
    office = person.office_phone + (f" ext. {person.extension}" if person.extension else "")
    org = [person.agency.name, person.unit.name if person.unit is not None else ""]
    phones = [("cell", person.mobile), ("work,voice", office.strip()), ("work,fax", person.fax)]
    return _card(person.name, org, person.title, phones, person.email)


def contact_card(contact: ExternalContact) -> str:
    phones = [("work,voice", contact.phone), ("cell", contact.mobile)]
    return _card(contact.name, [contact.organisation.name], contact.title, phones, contact.email)


def cards(items: Iterable[Person]) -> str:
    return "".join(person_card(p) for p in items)
