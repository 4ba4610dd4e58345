"""The user's one calendar (report deadlines, inspections to carry out, corrective actions due, duty shifts): a
download for the signed-in user, and a secret link a calendar program subscribes to without signing in."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from anwei.audit.models import AuditEntry
from anwei.directory.models import DutyKind, DutyShift
from anwei.incidents.services import file_report
from anwei.inspections import services as inspections
from anwei.inspections.models import ChecklistTemplate, CorrectiveAction, Inspection
from anwei.plans import feeds
from anwei.plans.models import Plan

LINK_PAGE = "/reports/calendar/"


def _link(token: str) -> str:
    return f"/reports/calendar/{token}/anwei.ics"


def _events(feed: str) -> dict[str, str]:
    """UID → SUMMARY of every event (folded lines unfolded)."""
    text = feed.replace("\r\n ", "")
    out = {}
    for block in text.split("BEGIN:VEVENT")[1:]:
        fields = dict(line.split(":", 1) for line in block.split("\r\n") if ":" in line)
        out[fields["UID"].removesuffix("@anwei")] = fields["SUMMARY"]
    return out


def test_a_calendar_program_cannot_sign_in_so_the_download_is_for_a_session_only(world: Any) -> None:
    response = Client().get("/reports/calendar.ics")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_user_makes_a_secret_link_that_works_without_a_session_and_resets_it(world: Any, client_for: Any) -> None:
    incident = file_report(
        actor=world.users["staff_a"], agency=world.agency, category="cyber", title="網站遭置換", cyber_level=3
    )
    staff = client_for("staff_a")
    page = staff.get(LINK_PAGE).content.decode()
    assert "/anwei.ics" not in page and 'action="/plans/feeds/reports.calendar/reset/"' in page
    response = staff.post(f"/plans/feeds/{feeds.REPORTS_CALENDAR}/reset/", {"next": LINK_PAGE})
    assert response.status_code == 302 and response["Location"] == LINK_PAGE
    token = feeds.link_token(world.users["staff_a"], feeds.REPORTS_CALENDAR)
    assert token and f"http://testserver{_link(token)}" in staff.get(LINK_PAGE).content.decode()

    feed = Client().get(_link(token))  # a calendar program: no session, no second factor
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    assert feed["Cache-Control"] == "private, no-store"
    events = _events(feed.content.decode())
    deadlines = incident.deadlines.filter(due_at__isnull=False)
    assert set(events) == {f"incident-deadline-{d.pk}" for d in deadlines} and len(events) >= 2
    assert "網站遭置換" not in feed.content.decode()  # reference numbers only

    assert Client().get(_link(token[:-2] + "xx")).status_code == 404  # forged
    staff.post(f"/plans/feeds/{feeds.REPORTS_CALENDAR}/reset/", {"next": LINK_PAGE})
    assert Client().get(_link(token)).status_code == 404  # the old link is dead at once
    new = feeds.link_token(world.users["staff_a"], feeds.REPORTS_CALENDAR)
    assert new != token and Client().get(_link(new)).status_code == 200
    assert feeds.user_for(new, feeds.DUTY) is None  # a reports link opens no other feed
    made = AuditEntry.objects.filter(object_type="plans.feedkey", actor=world.users["staff_a"])
    assert [e.changes["link"] for e in made.order_by("seq")] == ["made", "reset"]


def _round(world: Any, inspector: Any) -> Any:
    inspections.install_standard_templates(actor=None)
    now = timezone.now()
    plan = Plan.objects.create(
        agency=world.agency,
        owning_unit=world.units["ethics"],
        title="春安計畫",
        period_start=now - timedelta(days=2),
        period_end=now + timedelta(days=30),
        status=Plan.Status.ACTIVE,
    )
    today = timezone.localdate()
    return inspections.create_round(
        actor=world.users["ethics"],
        plan=plan,
        unit=world.units["ethics"],
        template=ChecklistTemplate.objects.get(code="school-computer"),
        title="電腦資訊機密維護檢查",
        starts_on=today,
        ends_on=today + timedelta(days=3),
        inspectors=[inspector],
        targets=[world.units["a"], world.units["b"]],
    )


def _inspect_with_one_failure(inspector: Any, inspection: Inspection) -> None:
    answers: dict[int, dict[str, Any]] = {}
    items = list(inspection.round.version.items.all())
    for item in items:
        if item.answer_type == "yes_no":
            answers[item.pk] = {"choice": "yes"}
        elif item.answer_type == "number":
            answers[item.pk] = {"number": "3"}
    failing = next(item for item in items if item.answer_type == "yes_no")
    answers[failing.pk] = {"choice": "no", "note": "共用帳號"}
    inspections.save_answers(actor=inspector, inspection=inspection, answers=answers)
    inspections.submit_inspection(actor=inspector, inspection=inspection)


@pytest.mark.parametrize("how", ["subscribed", "downloaded"])
def test_the_calendar_has_inspections_to_do_corrective_actions_due_and_shifts(
    world: Any, client_for: Any, how: str
) -> None:
    duty = world.users["duty"]
    round_ = _round(world, duty)
    in_a, in_b = (round_.inspections.get(target=world.units[u]) for u in ("a", "b"))
    _inspect_with_one_failure(duty, in_a)
    action = CorrectiveAction.objects.get(unit=world.units["a"])
    kind = DutyKind.objects.create(agency=world.agency, code="ethics", name="政風值勤")
    soon = timezone.now() + timedelta(days=1)
    shift = DutyShift.objects.create(kind=kind, starts_at=soon, ends_at=soon + timedelta(hours=10), person=duty.person)

    def calendar_of(persona: str) -> dict[str, str]:
        if how == "downloaded":
            return _events(client_for(persona).get("/reports/calendar.ics").content.decode())
        token = feeds.reset(actor=world.users[persona], feed=feeds.REPORTS_CALENDAR)
        return _events(Client().get(_link(token)).content.decode())

    inspector = calendar_of("duty")
    assert f"inspection-{in_b.pk}" in inspector and f"inspection-{in_a.pk}" not in inspector  # done: off the list
    assert inspector[f"inspection-{in_b.pk}"] == f"檢查：{round_.title} — {in_b.target}"
    assert inspector[f"shift-{shift.pk}-person-{duty.person.pk}"] == "政風值勤"  # the roster, in the same feed
    unit_a = calendar_of("supervisor_a")
    assert unit_a[f"corrective-action-{action.pk}"] == f"改善事項到期：{world.units['a'].name}"
    assert not any(uid.startswith("inspection-") for uid in unit_a)  # not named to inspect
    unit_b = calendar_of("staff_b")
    assert not any(uid.startswith(("inspection-", "corrective-action-")) for uid in unit_b)  # another unit's
    action.status = CorrectiveAction.Status.CLOSED
    action.save(update_fields=["status"])
    assert f"corrective-action-{action.pk}" not in calendar_of("supervisor_a")  # closed: off the calendar
