"""vCard 3.0 export of people and outside contacts."""

from collections.abc import Iterable

from .models import ExternalContact, Person


def _esc(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _card(name: str, org: str, title: str, phones: list[tuple[str, str]], email: str) -> str:
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"FN:{_esc(name)}", f"N:{_esc(name)};;;;"]
    if org:
        lines.append(f"ORG:{_esc(org)}")
    if title:
        lines.append(f"TITLE:{_esc(title)}")
    for kind, number in phones:
        if number:
            lines.append(f"TEL;TYPE={kind}:{_esc(number)}")
    if email:
        lines.append(f"EMAIL;TYPE=INTERNET:{_esc(email)}")
    lines.append("END:VCARD")
    return "\r\n".join(lines) + "\r\n"


def person_card(person: Person) -> str:
    office = person.office_phone + (f" ext. {person.extension}" if person.extension else "")
    org = person.agency.name + (f";{person.unit.name}" if person.unit is not None else "")
    phones = [("CELL", person.mobile), ("WORK", office.strip()), ("FAX", person.fax)]
    return _card(person.name, org, person.title, phones, person.email)


def contact_card(contact: ExternalContact) -> str:
    phones = [("WORK", contact.phone), ("CELL", contact.mobile)]
    return _card(contact.name, contact.organisation.name, contact.title, phones, contact.email)


def cards(items: Iterable[Person]) -> str:
    return "".join(person_card(p) for p in items)
