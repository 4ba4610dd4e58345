"""Travel declarations: the rule by traveller category, working days over the holiday calendar, late flags,
exit approval, return reports opening a restricted incident, the upward-filing clock and reminders."""

from datetime import date
from typing import Any

import pytest
from django.http import Http404
from django.test import Client
from django.utils import translation

from anwei.audit.models import AuditEntry
from anwei.awareness import rules, services
from anwei.awareness.models import TravelDeclaration
from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.notifications.models import Notification
from anwei.officecalendar import workdays
from anwei.officecalendar.models import OfficeDay

pytestmark = pytest.mark.django_db


def test_seeded_calendar_has_the_2026_and_2027_holidays() -> None:
    days = set(OfficeDay.objects.values_list("day", flat=True))
    assert {date(2026, 2, 16), date(2026, 2, 20), date(2026, 9, 28), date(2026, 10, 26)} <= days
    assert {date(2027, 2, 9), date(2027, 4, 6), date(2027, 4, 30), date(2027, 12, 31)} <= days
    assert not workdays.is_working_day(date(2026, 9, 25))  # 中秋節 (Friday)
    assert workdays.is_working_day(date(2026, 9, 29))


def test_working_days_exclude_both_ends_weekends_and_holidays() -> None:
    # Mon 21 Sep 2026 → Wed 30 Sep: 22, 23, 24, 29 (25 中秋節, 28 教師節, 26–27 weekend)
    assert workdays.working_days_between(date(2026, 9, 21), date(2026, 9, 30)) == 4
    assert workdays.latest_filing_day(date(2026, 9, 30), 5) == date(2026, 9, 18)
    assert workdays.add_working_days(date(2026, 2, 13), 7) == date(2026, 3, 4)  # over Lunar New Year and 228 補假


def test_make_up_working_day_counts() -> None:
    OfficeDay.objects.create(day=date(2026, 9, 26), name="補行上班", is_workday=True)
    assert workdays.working_days_between(date(2026, 9, 21), date(2026, 9, 30)) == 5


def test_grade_10_officer_four_working_days_ahead_is_flagged_late(world: Any) -> None:
    person = world.people["staff_a"]
    person.grade = "第10職等"
    person.save()
    declaration = services.declare_travel(
        actor=world.users["staff_a"],
        traveller_id=person.pk,
        destination=rules.MAINLAND,
        places="上海",
        applied_on=date(2026, 9, 21),
        departs_on=date(2026, 9, 30),
        returns_on=date(2026, 10, 3),
    )
    assert declaration.category == rules.JUNIOR
    assert declaration.authority == rules.AUTHORITY_AGENCY
    assert (declaration.required_days, declaration.days_ahead, declaration.late) == (5, 4, True)
    assert declaration.rule_code == "mainland-junior-5wd"
    assert declaration.latest_filing_on == date(2026, 9, 18)
    assert declaration.exit_approval == TravelDeclaration.ExitApproval.NOT_NEEDED
    # due 7 working days after return on Sat 3 Oct: 5,6,7,8, (9 國慶補假), 12,13,14
    assert declaration.return_due_on == date(2026, 10, 14)
    with translation.override("zh-hant"):
        text = services.late_message(declaration)
    assert (
        "115年9月21日" in text and "115年9月30日" in text and "115年9月18日" in text and "mainland-junior-5wd" in text
    )
    ethics = Notification.objects.get(person=world.people["ethics"], key__endswith=":late")
    assert "115年9月18日" in ethics.body or "2026-09-18" in ethics.body
    # and the page shows the flag with 民國 dates
    page = _client(world, "staff_a").get(f"/awareness/travel/{declaration.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hant")
    body = page.content.decode()
    assert page.status_code == 200
    assert "115年9月21日" in body and "115年9月18日" in body and "mainland-junior-5wd" in body


def test_on_time_declaration_is_not_late(world: Any) -> None:
    d = services.declare_travel(
        actor=world.users["staff_a"],
        traveller_id=world.people["staff_a"].pk,
        destination=rules.MAINLAND,
        places="廈門",
        applied_on=date(2026, 9, 18),
        departs_on=date(2026, 9, 30),
        returns_on=date(2026, 10, 2),
    )
    assert d.days_ahead == 5 and not d.late


def test_senior_and_sensitive_rules(world: Any) -> None:
    person = world.people["in_b"]
    person.grade = "簡任第11職等"
    person.save()
    d = services.declare_travel(
        actor=world.users["ethics"],
        traveller_id=person.pk,
        destination=rules.MAINLAND,
        places="北京",
        applied_on=date(2026, 11, 2),
        departs_on=date(2026, 11, 5),
        returns_on=date(2026, 11, 6),
    )
    assert (d.category, d.authority, d.required_days, d.late) == (rules.SENIOR, rules.AUTHORITY_MOI, 2, False)
    person.national_secret_duty_until = date(2024, 3, 1)  # within 3 years of the trip
    person.save()
    trip = {
        "actor": world.users["ethics"],
        "traveller_id": person.pk,
        "destination": rules.HONG_KONG,
        "places": "香港",
        "applied_on": date(2026, 11, 2),
        "departs_on": date(2026, 11, 5),
        "returns_on": date(2026, 11, 6),
    }
    with pytest.raises(BusinessRuleError) as refused:  # cannot be chosen away from "sensitive"
        services.declare_travel(**trip, category=rules.JUNIOR, category_reason="只是去玩")
    assert refused.value.field == "category"
    d2 = services.declare_travel(**trip)
    assert d2.category == d2.derived_category == rules.SENSITIVE and not d2.category_overridden
    assert d2.category == rules.SENSITIVE and d2.authority == rules.AUTHORITY_MOI_JOINT and d2.late
    assert d2.exit_approval == TravelDeclaration.ExitApproval.PENDING
    assert Notification.objects.filter(key=f"awareness:travel:{d2.pk}:exit", person=world.people["head"]).exists()
    with pytest.raises(Http404):  # not theirs to see: 404 alike for missing and not visible (page, API, service)
        services.decide_exit(actor=world.users["staff_a"], declaration_id=d2.pk, approve=True)
    services.decide_exit(actor=world.users["head"], declaration_id=d2.pk, approve=True)
    d2.refresh_from_db()
    assert d2.exit_approval == TravelDeclaration.ExitApproval.APPROVED
    person.national_secret_duty_until = date(2023, 11, 1)  # more than 3 years before departure
    person.save()
    assert not services.needs_exit_approval(person, date(2026, 11, 5))


def test_hong_kong_three_days(world: Any) -> None:
    d = services.declare_travel(
        actor=world.users["staff_a"],
        traveller_id=world.people["staff_a"].pk,
        destination=rules.MACAU,
        places="澳門",
        applied_on=date(2026, 11, 2),
        departs_on=date(2026, 11, 5),
        returns_on=date(2026, 11, 6),
    )
    assert (d.rule_code, d.days_ahead, d.late, d.latest_filing_on) == ("hkmo-junior-3d", 3, False, date(2026, 11, 2))


def test_hong_kong_meeting_with_specified_persons_needs_a_week(world: Any) -> None:
    d = services.declare_travel(
        actor=world.users["staff_a"],
        traveller_id=world.people["staff_a"].pk,
        destination=rules.HONG_KONG,
        places="香港",
        applied_on=date(2026, 11, 2),
        departs_on=date(2026, 11, 5),
        returns_on=date(2026, 11, 6),
        meets_specified_persons=True,
    )
    assert (d.rule_code, d.required_days, d.late, d.latest_filing_on) == (
        "hkmo-meeting-7d",
        7,
        True,
        date(2026, 10, 29),
    )
    with translation.override("en"):
        assert "3 days ahead" in services.late_message(d)


def test_staff_cannot_declare_for_someone_else(world: Any) -> None:
    with pytest.raises(NotAllowed):
        services.declare_travel(
            actor=world.users["staff_a"],
            traveller_id=world.people["in_b"].pk,
            destination=rules.MAINLAND,
            places="上海",
            departs_on=date(2027, 1, 20),
            returns_on=date(2027, 1, 22),
            applied_on=date(2027, 1, 4),
        )


def _client(world: Any, persona: str) -> Client:
    c = Client()
    c.force_login(world.users[persona])
    return c


def _trip(world: Any) -> TravelDeclaration:
    return services.declare_travel(
        actor=world.users["staff_a"],
        traveller_id=world.people["staff_a"].pk,
        destination=rules.MAINLAND,
        places="深圳",
        applied_on=date(2026, 10, 1),
        departs_on=date(2026, 10, 19),
        returns_on=date(2026, 10, 23),
    )


def test_probed_yes_opens_a_restricted_incident_for_the_ethics_office(roster: Any) -> None:
    world = roster
    from anwei.incidents.models import Incident

    d = _trip(world)
    services.acknowledge_briefing(actor=world.users["staff_a"], declaration_id=d.pk)
    with pytest.raises(BusinessRuleError):
        services.file_return_report(actor=world.users["staff_a"], declaration_id=d.pk, probed=True, contacted=False)
    report = services.file_return_report(
        actor=world.users["staff_a"],
        declaration_id=d.pk,
        probed=True,
        contacted=False,
        details="對方詢問本處採購案承辦人員名單",
        filed_on=date(2026, 10, 26),
    )
    incident = Incident.objects.get(pk=report.incident_id)
    assert incident.category == "national-security" and incident.restricted
    assert report.incident_reference == incident.reference
    assert not report.late
    assert report.upward_due_on == date(2026, 11, 4)  # 7 working days after receipt on Mon 26 Oct
    # the ethics duty officer (on the roster now) and the ethics officers are notified; the note names no details
    duty_note = Notification.objects.get(person=world.people["duty"], source_id=str(incident.pk))
    assert "採購案" not in duty_note.subject + duty_note.body
    assert Notification.objects.filter(person=world.people["ethics"], source_id=str(incident.pk)).exists()
    # the ethics office sees it; staff (the traveller included) and the unit supervisor do not
    assert _client(world, "ethics").get(f"/incidents/{incident.pk}/").status_code == 200
    for persona in ("staff_a", "staff_b", "supervisor_a"):
        response = _client(world, persona).get(f"/incidents/{incident.pk}/")
        assert response.status_code == 404, persona
    # the answers are on the return report for the traveller and the ethics office only
    assert "採購案" in _client(world, "ethics").get(f"/awareness/travel/{d.pk}/").content.decode()
    assert "採購案" in _client(world, "staff_a").get(f"/awareness/travel/{d.pk}/").content.decode()
    supervisor_page = _client(world, "supervisor_a").get(f"/awareness/travel/{d.pk}/")
    assert supervisor_page.status_code == 200 and "採購案" not in supervisor_page.content.decode()
    # the audit log holds the return report, not what was said
    entry = AuditEntry.objects.filter(object_type="awareness.returnreport").get()
    assert "採購案" not in str(entry.changes) + entry.object_repr


def test_probed_no_opens_nothing_and_upward_filing(world: Any) -> None:
    d = _trip(world)
    report = services.file_return_report(
        actor=world.users["staff_a"], declaration_id=d.pk, probed=False, contacted=False, filed_on=date(2026, 11, 5)
    )
    assert report.incident_id is None and report.late  # due 4 Nov
    with pytest.raises(NotAllowed):
        services.file_upward(actor=world.users["supervisor_a"], declaration_id=report.declaration_id)
    services.file_upward(actor=world.users["ethics"], declaration_id=report.declaration_id, filed_on=date(2026, 11, 10))
    report.refresh_from_db()
    assert report.upward_filed_on == date(2026, 11, 10)


def test_reminders_go_to_the_traveller_then_the_ethics_office(world: Any) -> None:
    d = _trip(world)  # back Fri 23 Oct; due Wed 4 Nov (26 Oct 光復節補假 is a holiday)
    assert d.return_due_on == date(2026, 11, 4)
    assert services.remind_returns(date(2026, 10, 29)) == 0
    assert services.remind_returns(date(2026, 11, 2)) == 1  # 2 working days before: the traveller
    assert Notification.objects.filter(person=world.people["staff_a"], key__endswith=":traveller").count() == 1
    assert services.remind_returns(date(2026, 11, 3)) == 0  # once only
    assert services.remind_returns(date(2026, 11, 5)) >= 1  # overdue: the ethics office
    assert Notification.objects.filter(person=world.people["ethics"], key__endswith=":overdue").exists()
    report = services.file_return_report(
        actor=world.users["staff_a"], declaration_id=d.pk, probed=False, contacted=False, filed_on=date(2026, 11, 5)
    )
    assert report.upward_due_on == date(2026, 11, 16)
    services.remind_returns(date(2026, 11, 17))
    assert Notification.objects.filter(key=f"awareness:upward:{report.pk}:overdue").exists()


def test_random_check_is_reproducible_and_audited(world: Any) -> None:
    from anwei.directory.models import Person

    for n in range(120):
        Person.objects.create(agency=world.agency, unit=world.units["b"], name=f"員{n}", grade=f"第{n % 10 + 1}職等")
    Person.objects.create(agency=world.agency, unit=world.units["b"], name="高階", grade="第12職等")
    Person.objects.create(
        agency=world.agency, unit=world.units["b"], name="機密", grade="第5職等", national_secret_duty=True
    )
    ungraded = Person.objects.create(agency=world.agency, unit=world.units["b"], name="未填職等者", grade="")
    draw = services.draw_random_check(actor=world.users["ethics"], seed="115-spring")
    assert len(draw.eligible) == 120 and len(draw.selected) == 2
    # staff with no grade are not silently dropped: they are listed as left out, with the reason, on the draw
    assert ungraded.pk not in draw.eligible
    assert {"id": ungraded.pk, "name": "未填職等者", "reason": "no_grade"} in draw.excluded
    assert world.people["staff_a"].pk in {row["id"] for row in draw.excluded}  # the personas have no grade either
    assert not {p.pk for p in Person.objects.filter(name__in=["高階", "機密"])} & {r["id"] for r in draw.excluded}
    again = services.draw_selection(draw.eligible, "115-spring", draw.rate)
    assert again == draw.selected
    entry = AuditEntry.objects.get(object_type="awareness.randomcheckdraw")
    assert entry.changes["seed"] == "115-spring" and entry.changes["selected"] == draw.selected
    assert [ungraded.pk, "no_grade"] in entry.changes["excluded"]
    page = _client(world, "ethics").get("/awareness/checks/").content.decode()
    assert "未填職等者 — 人事資料未登錄職等" in page
    with pytest.raises(NotAllowed):
        services.draw_random_check(actor=world.users["auditor"])


def test_delegation_anomaly_becomes_a_mainland_visitor_incident(roster: Any) -> None:
    world = roster
    from anwei.incidents.models import Incident

    delegation = services.create_delegation(
        actor=world.users["ethics"],
        unit_id=world.units["a"].pk,
        title="某省經貿交流團",
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 3),
        host_ids=[world.people["staff_a"].pk],
    )
    anomaly = services.report_anomaly(
        actor=world.users["staff_a"], delegation_id=delegation.pk, description="團員脫隊拍攝機房"
    )
    incident = Incident.objects.get(pk=anomaly.incident_id)
    assert incident.category == "mainland-visitor" and incident.unit == world.units["a"]
    # routed to the investigation authority (調查處站) and the ethics office
    assert Notification.objects.filter(source_id=str(incident.pk), contact__organisation__kind="investigation").exists()
    assert Notification.objects.filter(source_id=str(incident.pk), person=world.people["ethics"]).exists()
    with pytest.raises(Http404):  # not theirs to see: 404 alike for missing and not visible (page, API, service)
        services.report_anomaly(actor=world.users["staff_b"], delegation_id=delegation.pk, description="x")


def test_return_form_yes_on_the_page_opens_the_incident(roster: Any) -> None:
    world = roster
    from anwei.incidents.models import Incident

    d = _trip(world)
    c = _client(world, "staff_a")
    assert c.get(f"/awareness/travel/{d.pk}/return/").status_code == 200
    response = c.post(f"/awareness/travel/{d.pk}/return/", {"probed": "yes", "contacted": "no", "details": ""})
    assert response.status_code == 200 and "請說明經過情形" in response.content.decode()
    response = c.post(
        f"/awareness/travel/{d.pk}/return/", {"probed": "yes", "contacted": "no", "details": "有人詢問單位組織"}
    )
    assert response.status_code == 302
    incident = Incident.objects.get(category="national-security")
    assert incident.restricted and d.return_report.incident_id == incident.pk
    assert Notification.objects.filter(person=world.people["duty"], source_id=str(incident.pk)).exists()
