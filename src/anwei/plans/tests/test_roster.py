"""The duty roster over a plan: generated shifts, who is on duty at the boundaries, gaps, the iCal feed."""

import itertools
from datetime import datetime, timedelta

import pytest

from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.core.rocdate import TAIPEI
from anwei.directory import services as directory
from anwei.directory.models import DutyShift
from anwei.plans import selectors, services
from anwei.plans.ical import calendar_for

from .factories import END, START, make_plan


def t(day: int, hour: int, minute: int = 0, second: int = 0, month: int = 1) -> datetime:
    return datetime(2014, month, day, hour, minute, second, tzinfo=TAIPEI)


@pytest.fixture
def rostered(world):
    plan = make_plan(world, approve=True)
    kind = directory.create_duty_kind(actor=None, agency=world.agency, code="ethics", name="政風值勤")
    people = [world.people["ethics"], world.people["duty"], world.people["staff_a"]]
    shifts = services.generate_roster(actor=world.users["ethics"], plan=plan, kind=kind, people=people)
    return plan, kind, people, shifts


def test_shifts_cover_the_period_day_and_night(rostered):
    plan, _kind, people, shifts = rostered
    assert shifts[0].starts_at == START and shifts[0].ends_at == t(22, 8)
    assert (shifts[1].starts_at, shifts[1].ends_at) == (t(22, 8), t(22, 20))
    assert shifts[-1].starts_at == t(14, 20, month=2) and shifts[-1].ends_at == END
    assert len(shifts) == 49  # 22:00 start: 1 short night + 24 days × 2 shifts
    assert all(a.ends_at == b.starts_at for a, b in itertools.pairwise(shifts))
    assert shifts[0].person == people[0] and shifts[0].substitute == people[1]
    assert shifts[3].person == people[0]
    assert selectors.roster_gaps(plan) == []


def test_on_duty_at_boundaries(world, rostered):
    _plan, _kind, people, shifts = rostered
    agency = world.agency
    assert selectors.on_duty(agency, "ethics", START - timedelta(seconds=1)).person is None
    assert selectors.on_duty(agency, "ethics", START).person == people[0]
    # across midnight the night shift goes on
    assert selectors.on_duty(agency, "ethics", t(21, 23, 59, 59)).person == people[0]
    assert selectors.on_duty(agency, "ethics", t(22, 0)).person == people[0]
    assert selectors.on_duty(agency, "ethics", t(22, 7, 59, 59)).person == people[0]
    # at the change the next shift is on duty
    assert selectors.on_duty(agency, "ethics", t(22, 8)).person == people[1]
    assert selectors.on_duty(agency, "ethics", t(22, 20)).person == people[2]
    # the last shift ends with the period (2月14日24時)
    last = shifts[-1]
    assert selectors.on_duty(agency, "ethics", END - timedelta(seconds=1)).person == last.person
    assert selectors.on_duty(agency, "ethics", END).person is None


def test_substitute_when_unavailable_and_gaps(world, rostered):
    plan, _kind, people, shifts = rostered
    shift = shifts[1]
    services.assign_shift(
        actor=world.users["ethics"], shift=shift, person=people[1], substitute=people[2], primary_unavailable=True
    )
    answer = selectors.on_duty(world.agency, "ethics", t(22, 9))
    assert answer.person == people[2] and answer.is_substitute
    services.assign_shift(actor=world.users["ethics"], shift=shift, person=None, substitute=None)
    DutyShift.objects.filter(pk=shifts[5].pk).delete()
    directory.create_duty_kind(actor=None, agency=world.agency, code="agency", name="機關值勤")
    gaps = selectors.roster_gaps(plan)
    assert [(g.kind.code, g.starts_at, g.ends_at) for g in gaps] == [
        ("agency", START, END),
        ("ethics", shift.starts_at, shift.ends_at),
        ("ethics", shifts[5].starts_at, shifts[5].ends_at),
    ]
    assert gaps[1].shift == shift and gaps[2].shift is None


def test_roster_rights(world, rostered):
    plan, kind, people, shifts = rostered
    with pytest.raises(BusinessRuleError):
        services.generate_roster(actor=world.users["ethics"], plan=plan, kind=kind, people=people)
    with pytest.raises(NotAllowed):
        services.assign_shift(actor=world.users["duty"], shift=shifts[0], person=people[1])
    with pytest.raises(BusinessRuleError):
        services.assign_shift(actor=world.users["ethics"], shift=shifts[0], person=people[1], substitute=people[1])
    services.write_handover(actor=world.users["duty"], shift=shifts[0], note="鑰匙已交接")
    shifts[0].refresh_from_db()
    assert shifts[0].handover_note == "鑰匙已交接"
    with pytest.raises(NotAllowed):
        services.write_handover(actor=world.users["staff_a"], shift=shifts[0], note="x")


def test_ical_feed(world, rostered):
    _plan, _kind, people, _shifts = rostered
    body = calendar_for(people[0])
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert body.count("BEGIN:VEVENT") == len(selectors.shifts_of(people[0]))
    assert "DTSTART:20140121T140000Z" in body and "DTEND:20140122T000000Z" in body
    assert "SUMMARY:政風值勤" in body
