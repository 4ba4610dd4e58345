"""Issue 21: vCards without flaws. Each card is read back with a vCard library (vobject): the organisation and its
unit as two components of ORG, names and numbers as they are in the directory, whatever commas, semicolons,
backslashes and line breaks they hold; long Chinese lines folded without breaking a character."""

from typing import Any

import pytest
import vobject
from django.core.management import call_command

from anwei.directory import vcard
from anwei.directory.models import Agency, ExternalContact, Person, Unit

pytestmark = pytest.mark.django_db


def _read(text: str) -> list[Any]:
    cards = list(vobject.readComponents(text))
    assert all(card.version.value == "4.0" for card in cards)
    return cards


def _numbers(card: Any) -> list[str]:
    return sorted(tel.value for tel in card.contents.get("tel", []))


def test_every_demo_contact_reads_back_with_its_organisation_names_and_numbers() -> None:
    call_command("demo", verbosity=0)
    people = list(Person.objects.select_related("agency", "unit"))
    contacts = list(ExternalContact.objects.select_related("organisation"))
    assert people and contacts
    for person in people:
        (card,) = _read(vcard.person_card(person))
        assert card.fn.value == person.name
        assert card.n.value.family == person.name
        assert card.org.value == [person.agency.name, *([person.unit.name] if person.unit else [])]
        office = person.office_phone + (f" ext. {person.extension}" if person.extension else "")
        assert _numbers(card) == sorted(n for n in (person.mobile, office, person.fax) if n)
    for contact in contacts:
        (card,) = _read(vcard.contact_card(contact))
        assert (card.fn.value, card.org.value) == (contact.name, [contact.organisation.name])
        assert _numbers(card) == sorted(n for n in (contact.phone, contact.mobile) if n)
    assert len(_read(vcard.cards(people))) == len(people)


def test_commas_semicolons_backslashes_and_line_breaks_survive(world: Any) -> None:
    agency = Agency.objects.create(code="odd", name="花蓮縣政府;政風處, 北區\\分處")
    unit = Unit.objects.create(agency=agency, name="第一科,第二股;值班")
    person = Person.objects.create(
        agency=agency,
        unit=unit,
        name="王,小明;\\",
        title="科長\n兼任發言人",
        mobile="0912-000,111",
        office_phone="(03)8227171",
        extension="315",
        email="wang@example.org",
    )
    text = vcard.person_card(person)
    assert "ORG:花蓮縣政府\\;政風處\\, 北區\\\\分處;第一科\\,第二股\\;值班\r\n" in text.replace("\r\n ", "")  # unfolded
    (card,) = _read(text)
    assert card.org.value == ["花蓮縣政府;政風處, 北區\\分處", "第一科,第二股;值班"]
    assert card.fn.value == "王,小明;\\" and card.n.value.family == "王,小明;\\"
    assert card.title.value == "科長\n兼任發言人"
    assert _numbers(card) == ["(03)8227171 ext. 315", "0912-000,111"]
    assert card.email.value == "wang@example.org"


def test_long_lines_are_folded_at_75_octets_between_characters(world: Any) -> None:
    name = "行政院國家資通安全會報技術服務中心資安事件通報應變窗口暨跨部會協調聯繫平臺"
    agency = Agency.objects.create(code="long", name=name)
    person = Person.objects.create(agency=agency, name="陳大文")
    text = vcard.person_card(person)
    lines = text.split("\r\n")
    assert max(len(line.encode()) for line in lines) <= 75
    assert any(line.startswith(" ") for line in lines)
    (card,) = _read(text)
    assert card.org.value == [name]
