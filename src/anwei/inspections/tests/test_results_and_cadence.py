"""Results and cadence: the round summary by severity, a target's history page, weekly rounds, the cadence page and
its reminders (ahead of the six-month date, then once more when overdue), the unit's staff answering, the findings
API with the leak flag, and the CSV downloads of the lists."""

import csv
import io
import json
import re
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.personas import World

from anwei.audit.models import AuditEntry
from anwei.core.csvstream import BOM
from anwei.core.errors import NotAllowed
from anwei.inspections import cadence, corrective, selectors, services
from anwei.inspections.models import ChecklistTemplate, CorrectiveAction, Inspection, Round
from anwei.notifications.models import Notification

from .test_flow import school_round

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _cells(html: str) -> list[list[str]]:
    """The body cells of the first table on a page, row by row, as text."""
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    assert body is not None
    rows = re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)] for r in rows]


def _csv(response: Any) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[1:])))


def _roc(day: date) -> str:
    """民國 date as the pages show it, written out here (ROC year = Gregorian year − 1911), not with core.rocdate."""
    return f"{day.year - 1911}年{day.month}月{day.day}日"


def _submit(inspector: Any, inspection: Inspection, failing: dict[int, str] | None = None) -> Inspection:
    answers: dict[int, dict[str, Any]] = {}
    for item in inspection.round.version.items.all():
        if item.answer_type == "yes_no":
            answers[item.pk] = {"choice": "yes"}
        elif item.answer_type == "number":
            answers[item.pk] = {"number": "5"}
    for pk, note in (failing or {}).items():
        answers[pk] = {"choice": "no", "note": note}
    services.save_answers(actor=inspector, inspection=inspection, answers=answers)
    return services.submit_inspection(actor=inspector, inspection=inspection)


def _confidentiality_done(world: World, setup: dict[str, Any]) -> Inspection:
    today = timezone.localdate()
    round_ = services.create_round(
        actor=world.users["ethics"],
        plan=setup["plan"],
        unit=world.units["ethics"],
        template=ChecklistTemplate.objects.get(code="confidentiality"),
        title="公務機密維護檢查",
        starts_on=today,
        ends_on=today,
        inspectors=[setup["inspector"]],
        targets=[world.units["a"]],
    )
    return _submit(setup["inspector"], round_.inspections.get())


def test_round_summary_counts_findings_by_severity(world: World, setup: dict[str, Any]) -> None:
    round_ = school_round(world, setup)
    services.add_targets(actor=world.users["ethics"], round_=round_, units=[world.units["a1"], world.units["b"]])
    items = list(round_.version.items.order_by("order"))
    high, medium, other_high = items[0], items[1], items[4]
    assert (high.severity, medium.severity, other_high.severity) == ("high", "medium", "high")
    inspector = setup["inspector"]
    _submit(inspector, round_.inspections.get(target=world.units["a1"]), {high.pk: "共用帳號", medium.pk: "密碼過短"})
    _submit(inspector, round_.inspections.get(target=world.units["b"]), {other_high.pk: "未鎖定螢幕"})
    corrective.answer_action(
        actor=world.users["staff_a"], action=CorrectiveAction.objects.get(finding__item=medium), response="已更換"
    )
    corrective.verify_action(actor=inspector, action=CorrectiveAction.objects.get(finding__item=medium), accept=True)
    summary = selectors.summary(round_)
    assert [(code, n) for code, _label, n in summary.by_severity] == [("high", 2), ("medium", 1), ("low", 0)]
    assert (summary.done, summary.total, summary.findings, summary.corrected, summary.open) == (2, 2, 3, 1, 2)
    page = _client(world.users["ethics"]).get(f"/inspections/rounds/{round_.pk}/").content.decode()
    assert "缺失：3（重大 2、一般 1、輕微 0）" in page
    assert "已改善：1 · 未結案：2" in page


def test_target_history_page_lists_each_inspection_of_the_unit(world: World, setup: dict[str, Any]) -> None:
    round_ = school_round(world, setup)
    services.add_targets(actor=world.users["ethics"], round_=round_, units=[world.units["a1"], world.units["b"]])
    items = list(round_.version.items.order_by("order"))
    _submit(setup["inspector"], round_.inspections.get(target=world.units["a1"]), {items[0].pk: "x", items[1].pk: "y"})
    lock = services.create_round(
        actor=world.users["ethics"],
        plan=setup["plan"],
        unit=world.units["ethics"],
        template=ChecklistTemplate.objects.get(code="holiday-lock"),
        title="下班公文上鎖檢查",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        inspectors=[setup["inspector"]],
        targets=[world.units["a1"]],
    )
    page = _client(world.users["head"]).get(f"/inspections/units/{world.units['a1'].pk}/history/").content.decode()
    assert "檢查歷程 — 工務科" in page
    day = _roc(timezone.localdate())
    rows = sorted(_cells(page), key=lambda r: r[2])
    assert rows == sorted(
        [
            [day, f"{round_.version}", "國民中小學電腦資訊機密維護檢查", "已完成", "2"],
            [day, f"{lock.version}", "下班公文上鎖檢查", "未開始", "0"],
        ],
        key=lambda r: r[2],
    )
    assert "財政處" not in "".join(c for r in rows for c in r)  # another unit's inspection is not in the history
    other = _client(world.users["head"]).get(f"/inspections/units/{world.units['ethics'].pk}/history/")
    assert _cells(other.content.decode()) == [["尚未檢查。"]]


def test_weekly_round_has_one_inspection_per_week(world: World, setup: dict[str, Any]) -> None:
    today = timezone.localdate()
    round_ = services.create_round(
        actor=world.users["ethics"],
        plan=setup["plan"],
        unit=world.units["ethics"],
        template=ChecklistTemplate.objects.get(code="holiday-lock"),
        title="每週公文上鎖檢查",
        starts_on=today,
        ends_on=today + timedelta(days=15),
        recurrence=Round.Recurrence.WEEKLY,
        inspectors=[setup["inspector"]],
        targets=[world.units["a"], world.units["b"]],
    )
    days = [today, today + timedelta(days=7), today + timedelta(days=14)]
    assert services.occurrences(round_) == days
    for unit in (world.units["a"], world.units["b"]):
        assert sorted(round_.inspections.filter(target=unit).values_list("due_on", flat=True)) == days
    # adding the same target again adds nothing
    assert services.add_targets(actor=world.users["ethics"], round_=round_, units=[world.units["a"]]) == 0


def _done_on(inspection: Inspection, day: date) -> None:
    """Move an inspection's submission to a fixed day (10:00 Taipei) so the expected dates can be written out."""
    at = timezone.make_aware(datetime.combine(day, time(10)))
    Inspection.objects.filter(pk=inspection.pk).update(submitted_at=at)


def test_cadence_page_shows_last_and_next_dates(world: World, setup: dict[str, Any]) -> None:
    # done 2026-08-31 (ROC 115): six months later there is no 31 February, so due 2027-02-28 (ROC 116)
    _done_on(_confidentiality_done(world, setup), date(2026, 8, 31))
    page = _client(world.users["ethics"]).get("/inspections/cadence/").content.decode()
    rows = {r[0]: r for r in _cells(page)}
    assert rows["建設處"][1] == "115年8月31日"
    assert rows["建設處"][2].startswith("116年2月28日")  # followed by the "due" badge once that day has passed
    assert rows["財政處"][1:] == ["—", "即日（尚未檢查） 期限"]
    assert "工務科" not in rows  # departments only
    assert f'href="/inspections/units/{world.units["a"].pk}/history/"' in page


@pytest.mark.parametrize(
    ("done", "due"),
    [
        (date(2026, 8, 31), date(2027, 2, 28)),  # no 31 February
        (date(2027, 8, 31), date(2028, 2, 29)),  # leap year
        (date(2026, 3, 31), date(2026, 9, 30)),  # no 31 September
        (date(2026, 7, 15), date(2027, 1, 15)),  # across the year
        (date(2026, 12, 31), date(2027, 6, 30)),
        (date(2026, 1, 1), date(2026, 7, 1)),
    ],
)
def test_cadence_next_due_six_calendar_months_later(world: World, setup: dict[str, Any], done: date, due: date) -> None:
    _done_on(_confidentiality_done(world, setup), done)
    rows = {r.unit.pk: r for r in selectors.cadence(world.users["ethics"], today=done)}
    assert (rows[world.units["a"].pk].last_done, rows[world.units["a"].pk].next_due) == (done, due)
    assert not rows[world.units["a"].pk].overdue
    later = {r.unit.pk: r for r in selectors.cadence(world.users["ethics"], today=due + timedelta(days=1))}
    assert later[world.units["a"].pk].overdue


def _cadence_notes(world: World) -> Any:
    return Notification.objects.filter(
        key__startswith=f"inspections-cadence-{world.units['a'].pk}-", person=world.people["ethics"]
    )


def test_cadence_reminds_ahead_of_the_six_month_date_then_once_when_overdue(
    world: World, setup: dict[str, Any]
) -> None:
    _done_on(_confidentiality_done(world, setup), date(2026, 8, 31))
    due = date(2027, 2, 28)  # six months after 2026-08-31, written out

    def at(day: Any) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(9)))

    cadence.remind_due(at(due - timedelta(days=31)))  # not yet within 30 days
    assert not _cadence_notes(world).exists()
    cadence.remind_due(at(due - timedelta(days=29)))  # within 30 days: reminded
    assert _cadence_notes(world).count() == 1
    cadence.remind_due(at(due - timedelta(days=10)))  # once
    assert _cadence_notes(world).count() == 1
    cadence.remind_due(at(due + timedelta(days=1)))  # overdue: reminded again
    notes = list(_cadence_notes(world).order_by("pk"))
    assert len(notes) == 2 and "overdue" in notes[1].subject and "overdue" not in notes[0].subject
    cadence.remind_due(at(due + timedelta(days=8)))  # and once only
    assert _cadence_notes(world).count() == 2
    assert AuditEntry.objects.filter(object_type="directory.unit", actor_label="reminders").exists()


def test_the_units_staff_see_and_answer_but_never_close(world: World, setup: dict[str, Any]) -> None:
    round_ = school_round(world, setup)
    services.add_targets(actor=world.users["ethics"], round_=round_, units=[world.units["a1"]])
    first = round_.version.items.order_by("order").first()
    assert first is not None
    _submit(setup["inspector"], round_.inspections.get(), {first.pk: "共用帳號"})
    action = CorrectiveAction.objects.get()
    staff = _client(world.users["staff_a"])  # a role on 建設處, which 工務科 belongs to
    assert staff.get(f"/inspections/actions/{action.pk}/").status_code == 200
    assert action in selectors.actions(world.users["staff_a"])
    assert _client(world.users["staff_b"]).get(f"/inspections/actions/{action.pk}/").status_code == 404
    response = staff.post(f"/inspections/actions/{action.pk}/answer/", {"response": "已取消共用帳號"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.answered_by) == ("answered", world.users["staff_a"])
    assert staff.post(f"/inspections/actions/{action.pk}/verify/", {"decision": "close"}).status_code == 403
    with pytest.raises(NotAllowed):
        corrective.verify_action(actor=world.users["staff_a"], action=action, accept=True)
    with pytest.raises(NotAllowed):
        corrective.set_leak_suspected(actor=world.users["staff_a"], finding=action.finding, suspected=True)


def test_findings_api_and_the_leak_flag_open_a_linked_leak_incident(world: World, setup: dict[str, Any]) -> None:
    from anwei.incidents.models import Incident

    round_ = school_round(world, setup)
    services.add_targets(actor=world.users["ethics"], round_=round_, units=[world.units["a1"], world.units["b"]])
    items = list(round_.version.items.order_by("order"))
    _submit(setup["inspector"], round_.inspections.get(target=world.units["a1"]), {items[0].pk: "密碼貼螢幕"})
    _submit(setup["inspector"], round_.inspections.get(target=world.units["b"]), {items[1].pk: "密碼過短"})
    mine = _client(world.users["supervisor_a"]).get("/api/v1/inspections/findings").json()["items"]
    assert [(f["unit_name"], f["severity"], f["suggests_leak"]) for f in mine] == [("工務科", "high", False)]
    finding_id = mine[0]["id"]
    assert mine[0]["action_status"] == "open" and "密碼貼螢幕" in mine[0]["description"]
    ethics = _client(world.users["ethics"])
    assert len(ethics.get("/api/v1/inspections/findings").json()["items"]) == 2
    assert len(ethics.get("/api/v1/inspections/findings?severity=medium").json()["items"]) == 1
    assert (
        _client(world.users["supervisor_a"])
        .post(f"/api/v1/inspections/findings/{finding_id}/leak", json.dumps({"suspected": True}), "application/json")
        .status_code
        == 403
    )
    response = ethics.post(
        f"/api/v1/inspections/findings/{finding_id}/leak", json.dumps({"suspected": True}), "application/json"
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["suggests_leak"] is True and data["leak_report_id"]
    incident = Incident.objects.get(pk=data["leak_report_id"])
    assert incident.category == "leak" and incident.unit == world.units["a1"]
    assert (incident.source_type, incident.source_id) == ("inspections.finding", str(finding_id))
    # marking again files no second report
    ethics.post(f"/api/v1/inspections/findings/{finding_id}/leak", json.dumps({"suspected": True}), "application/json")
    assert Incident.objects.filter(category="leak").count() == 1
    got = _client(world.users["staff_a"]).get(f"/api/v1/inspections/findings/{finding_id}").json()
    assert got["leak_report_id"] == incident.pk


def test_lists_download_as_audited_csv(world: World, setup: dict[str, Any]) -> None:
    round_ = school_round(world, setup)
    services.add_targets(actor=world.users["ethics"], round_=round_, units=[world.units["a1"], world.units["b"]])
    first = round_.version.items.order_by("order").first()
    assert first is not None
    _submit(setup["inspector"], round_.inspections.get(target=world.units["a1"]), {first.pk: "=密碼貼螢幕"})
    ethics = _client(world.users["ethics"])

    rounds = _csv(ethics.get("/inspections/rounds.csv"))
    assert rounds[1][0] == "國民中小學電腦資訊機密維護檢查" and rounds[1][-2:] == ["1", "2"]

    actions = _csv(_client(world.users["staff_a"]).get("/inspections/actions.csv?status=open"))
    assert len(actions) == 2 and actions[1][:3] == ["工務科", first.question, "重大"]
    assert "=密碼貼螢幕" not in "".join(actions[1])  # the inspector's note stays on the page
    assert _csv(_client(world.users["staff_a"]).get("/inspections/actions.csv?status=closed")) == [actions[0]]

    history = _csv(ethics.get(f"/inspections/units/{world.units['a1'].pk}/history.csv"))
    assert history[1][2:] == ["國民中小學電腦資訊機密維護檢查", "已完成", history[1][4], "1"] and history[1][4]
    assert (
        _client(world.users["staff_a"]).get(f"/inspections/units/{world.units['a1'].pk}/history.csv").status_code == 403
    )

    exports = AuditEntry.objects.filter(action="export")
    assert {(e.object_type, e.actor_id) for e in exports} == {
        ("inspections.round", world.users["ethics"].pk),
        ("inspections.correctiveaction", world.users["staff_a"].pk),
        ("inspections.inspection", world.users["ethics"].pk),
    }
    assert exports.filter(object_type="inspections.correctiveaction").count() == 2
    assert exports.get(object_type="inspections.inspection").changes == {"target": world.units["a1"].pk}
