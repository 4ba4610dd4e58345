"""A plan period played through (issue 14, "Done when"): the seed plan's people and its 103 plan, a compressed period
cloned from it, and a real worker process (`python -m anwei worker --no-scheduler`) delivering to a real local SMTP
server — on which the Investigation Bureau station's mailbox does not exist (550) — while the police have a phone
number only. Filed in the period: a cyber level-3 report at night, a leak, a petition, an impersonation fraud, an
illicit-liquor report; a classified copy request and a take-out; a mainland trip declared by the custodian of a
national secret; an inspection with a failed item and a photo.

It checks that every body the rules name is reached or is a must-call for the person on duty (and that recording the
call through the API meets the clock and ends the must-call), that no clock escalates after it is met and no
escalation names a body that was reached, that each person's to-do list holds exactly their work, and that the daily
reports summed over the period and the results report count the same reports as were filed.

The world is played in a child process (`play()` below) sharing the worker's database: a file under tmp_path on
SQLite (the test process's in-memory database cannot be shared), the test database on PostgreSQL. The expected
values are written out here from the rules (shared/DOMAIN.md, incidents.rules and its migrations), never read from
the code under test."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

REFUSED = "investigation@outside.example"  # the station's mailbox does not exist: 550 at RCPT
MARK = "PLAN-PERIOD-FACTS:"


# --- the world, played in the child process -------------------------------------------------------------------


def _wait_for_worker(seconds: float = 120) -> None:
    """Until the worker has sent or given up every delivery, and has passed up each notification it gave up on
    (its `delivery_failed` signal, after its commit; the escalation row and its notice's deliveries are written in
    one transaction, so those e-mails are waited for too)."""
    from anwei.incidents.models import Escalation
    from anwei.notifications.models import Delivery

    def settled() -> bool:
        failed = Delivery.objects.filter(
            status="failed", notification__require_ack=True, notification__source_type="incidents.incident"
        ).values("notification_id")
        waiting = failed.exclude(notification_id__in=Escalation.objects.values("notification_id"))
        return not Delivery.objects.filter(status="pending").exists() and not waiting.exists()

    deadline = time.monotonic() + seconds
    while not settled():
        if time.monotonic() > deadline:
            left = list(Delivery.objects.filter(status="pending").values("pk", "channel", "address"))
            raise AssertionError(f"the worker left deliveries undone: {left}")
        time.sleep(0.2)


_TOKENS: dict[int, str] = {}


def _bearer(user: Any) -> dict[str, str]:
    """A personal API token of the user (what a phone app or script signs in with)."""
    from anwei.accounts import services as accounts

    if user.pk not in _TOKENS:
        _TOKENS[user.pk] = accounts.create_token(actor=None, user=user, name="plan period")[1]
    return {"HTTP_AUTHORIZATION": f"Bearer {_TOKENS[user.pk]}"}


def _todo(client: Any, user: Any) -> list[tuple[str, str]]:
    response = client.get("/api/v1/todo", **_bearer(user))
    assert response.status_code == 200, response.content
    data = response.json()
    items = data["items"] if isinstance(data, dict) else data
    return sorted((i["kind"], i["title"]) for i in items)


def _world() -> dict[str, Any]:
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from anwei.core.rocdate import TAIPEI
    from anwei.directory import demo
    from anwei.directory.models import DutyShift, ExternalContact, Unit
    from anwei.inspections import services as inspections
    from anwei.plans import demo as plans_demo
    from anwei.plans import services as plans

    ctx = demo.start()
    Unit.objects.filter(pk=ctx.units["finance"].pk).update(
        code="finance"
    )  # the liquor rule's unit (seed 執行重點（2）7)
    # the police desk has a phone number only
    ExternalContact.objects.filter(organisation=ctx.organisations["police"]).update(email="")
    spring = plans_demo.load_103_spring(ctx)  # the seed plan, carried out and closed
    inspections.install_standard_templates(actor=ctx.admin)
    now = timezone.now()
    today = now.astimezone(TAIPEI).date()
    start = datetime.combine(today - timedelta(days=2), time(8), tzinfo=TAIPEI)
    end = datetime.combine(today + timedelta(days=2), time(0), tzinfo=TAIPEI)
    plan = plans.clone_plan(actor=ctx.users["ethics"], plan=spring, years=today.year - 2014)
    plans.update_draft(actor=ctx.users["ethics"], plan=plan, period_start=start, period_end=end)
    plan = plans.approve_plan(actor=ctx.users["head"], plan=plan)
    plan = plans.activate_plan(actor=ctx.users["ethics"], plan=plan)
    # 蔡科員 holds the ethics-office duty over the whole period (沈科長 substitutes)
    DutyShift.objects.create(
        kind=ctx.duty_kinds["ethics"],
        starts_at=start - timedelta(days=1),
        ends_at=end + timedelta(days=1),
        person=ctx.people["tsai"],
        substitute=ctx.people["shen"],
    )
    return {"ctx": ctx, "plan": plan, "now": now, "today": today, "start": start, "end": end}


def play() -> None:
    from datetime import datetime, time, timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.utils import timezone

    from anwei.awareness import services as awareness
    from anwei.classified import custody
    from anwei.classified import services as classified
    from anwei.classified.rules import Level
    from anwei.core.rocdate import TAIPEI
    from anwei.directory.models import ExternalContact
    from anwei.incidents import clocks as clocks_
    from anwei.incidents import escalation, unit_tasks
    from anwei.incidents import services as incidents
    from anwei.incidents.models import Deadline, Escalation, Incident, IncidentTask
    from anwei.inspections import services as inspections
    from anwei.inspections.models import ChecklistTemplate
    from anwei.notifications.models import Delivery, Notification
    from anwei.reports import builders

    w = _world()
    ctx, plan, now, today = w["ctx"], w["plan"], w["now"], w["today"]
    users, units = ctx.users, ctx.units
    facts: dict[str, Any] = {}

    # --- the reports ---
    night = min(datetime.combine(today - timedelta(days=1), time(23, 40), tzinfo=TAIPEI), now - timedelta(hours=2))
    reports = {
        "cyber": incidents.file_report(
            actor=users["staff"],
            agency=ctx.agency,
            category="cyber",
            cyber_level=3,
            title="夜間公文系統主機遭植入惡意程式",
            unit=units["it"],
            occurred_at=night - timedelta(minutes=20),
            aware_at=night,
        ),
        "leak": incidents.file_report(
            actor=users["ethics"],
            agency=ctx.agency,
            category="leak",
            title="限閱簽陳影本疑似外流",
            unit=units["construction"],
            aware_at=now - timedelta(minutes=50),
        ),
        "petition": incidents.file_report(
            actor=users["supervisor"],
            agency=ctx.agency,
            category="petition",
            title="民眾聚集縣府前陳情",
            unit=units["construction"],
            aware_at=now - timedelta(minutes=40),
        ),
        "fraud": incidents.file_report(
            actor=users["duty"],
            agency=ctx.agency,
            category="fraud-impersonation",
            title="有人假冒財政處人員電話詐騙",
            unit=units["finance"],
            aware_at=now - timedelta(minutes=30),
        ),
        "liquor": incidents.file_report(
            actor=users["supervisor"],
            agency=ctx.agency,
            category="illicit-liquor",
            title="轄內雜貨店販售來路不明米酒",
            unit=units["construction"],
            aware_at=now - timedelta(minutes=20),
        ),
    }
    facts["refs"] = {k: r.reference for k, r in reports.items()}
    facts["filed"] = {k: r.category for k, r in reports.items()}
    facts["on_plan"] = sorted(k for k, r in reports.items() if r.plan_id == plan.pk)

    # --- the classified register: a copy request, a take-out, a custodian's mainland trip ---
    secret = classified.register_item(
        actor=users["staff"],
        unit=units["it"],
        title="機房實體安全配置圖",
        level=Level.SECRET,
        classified_on=today - timedelta(days=400),
        protection_until=today + timedelta(days=3650),
        classifying_authority="花蓮縣政府縣長",
        custodian=users["staff"],
        storage_location="行政暨研考處資訊科機密櫃 A",
    )
    custody.request(  # waits for the head's decision to the end
        actor=users["staff"],
        item=secret,
        kind="photocopy",
        purpose="提供安全維護會報參閱",
        copies=1,
        due_back=now + timedelta(days=2),
    )
    roster = classified.register_item(
        actor=users["supervisor"],
        unit=units["construction"],
        title="工地門禁管制名冊",
        level=Level.RESTRICTED,
        classified_on=today - timedelta(days=30),
        protection_until=today + timedelta(days=300),
        classifying_authority="建設處處長",
        custodian=users["supervisor"],
        storage_location="建設處機密櫃 1",
    )
    take_out = custody.request(
        actor=users["supervisor"],
        item=roster,
        kind="take_out",
        purpose="赴工地核對門禁",
        due_back=now + timedelta(days=1),
    )
    facts["items"] = {"secret": secret.reference_no, "roster": roster.reference_no}
    trip = awareness.declare_travel(
        actor=users["staff"],
        traveller_id=ctx.people["it_staff"].pk,
        destination="mainland",
        places="上海",
        departs_on=today + timedelta(days=40),
        returns_on=today + timedelta(days=44),
        purpose="探親",
    )
    facts["trip"] = {"category": trip.category, "exit_approval": trip.exit_approval}

    # --- an inspection: 財政處's locks, one item failed, a photo of it ---
    round_ = inspections.create_round(
        actor=users["ethics"],
        plan=plan,
        unit=units["ethics"],
        template=ChecklistTemplate.objects.get(code="holiday-lock"),
        title="春節連續假日公文上鎖檢查",
        starts_on=today,
        ends_on=today,
        inspectors=[users["duty"]],
        targets=[units["finance"]],
    )
    inspection = round_.inspections.get()
    items_ = list(round_.version.items.order_by("order"))
    answers: dict[int, dict[str, Any]] = {}
    for item in items_:
        if item.answer_type == "yes_no":
            answers[item.pk] = {"choice": "yes"}
        elif item.answer_type == "number":
            answers[item.pk] = {"number": "3"}
    first_yes_no = next(i for i in items_ if i.answer_type == "yes_no")
    answers[first_yes_no.pk] = {"choice": "no", "note": "公文櫃未上鎖"}
    inspections.save_answers(actor=users["duty"], inspection=inspection, answers=answers)
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
        b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    inspections.add_photo(
        actor=users["duty"],
        inspection=inspection,
        upload=SimpleUploadedFile("lock.png", png, content_type="image/png"),
        item=first_yes_no,
    )
    inspections.submit_inspection(actor=users["duty"], inspection=inspection)

    # --- the worker delivers (the station's e-mail is refused for good) ---
    _wait_for_worker()
    facts["deliveries"] = sorted(
        {(d.address, d.status) for d in Delivery.objects.filter(channel="email").exclude(address="")}
    )
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the test client's host, in this process only
    client = Client()
    personas = ["ethics", "director", "duty", "head", "supervisor", "staff", "pr", "finance", "auditor", "admin"]
    facts["todo_before"] = {name: _todo(client, users[name]) for name in personas}

    # the clocks at this moment, then the first sweep
    escalation.sweep(timezone.now())

    def clocks() -> dict[str, list[list[Any]]]:
        return {
            key: sorted(
                [d.code, d.body, d.met_how or "", bool(d.escalated_at), d.id]
                for d in Deadline.objects.filter(incident=r)
            )
            for key, r in reports.items()
        }

    facts["clocks_before_calls"] = clocks()

    # --- the person on duty makes the calls the to-do list asks for, through the API ---
    duty = _bearer(users["duty"])
    station_clock = Deadline.objects.get(incident=reports["cyber"], body="org:investigation")
    response = client.post(
        f"/api/v1/incidents/{reports['cyber'].pk}/contacts",
        {
            "clock": station_clock.pk,
            "channel": "phone",
            "person_reached": "值日官王先生",
            "reference": "調花-001",
        },
        content_type="application/json",
        **duty,
    )
    facts["contact_status"] = response.status_code
    # the police were named without a clock: the call is recorded for the body
    response = client.post(
        f"/api/v1/incidents/{reports['liquor'].pk}/contacts",
        {"body": "org:police", "channel": "phone", "person_reached": "值班員警", "reference": "花分-0042"},
        content_type="application/json",
        **duty,
    )
    facts["police_contact_status"] = response.status_code
    facts["reached"] = {
        key: {
            body: reach.how
            for body, reach in clocks_.reaches(r, clocks_.members(r), clocks_.notes_of(r), r.contacts.all()).items()
            if body
        }
        for key, r in reports.items()
    }
    detail = client.get(f"/api/v1/incidents/{reports['cyber'].pk}", **duty).json()
    facts["cyber_api_clocks"] = sorted(
        [c.get("body", ""), c.get("met_how") or "", bool(c.get("met_at"))]
        for c in detail.get("clocks", detail.get("deadlines", []))
    )

    # --- each one does their work ---
    head = users["head"]
    custody.decide(actor=head, req=take_out, approve=True, note="當日歸還")
    for task in IncidentTask.objects.filter(incident__in=reports.values(), unit__isnull=False):
        answerer = users["pr"] if task.unit_id == units["secretariat"].pk else users["finance"]
        unit_tasks.answer_task(
            actor=answerer, task_id=task.pk, answer="已辦理", done=task.unit_id == units["secretariat"].pk
        )
    for name in personas:
        user = users[name]
        for n in Notification.objects.filter(
            person=user.person, require_ack=True, acknowledged_at__isnull=True, source_type="incidents.incident"
        ):
            incident = Incident.objects.get(pk=n.source_id)
            if name in ("ethics", "director", "duty"):  # the ethics office acknowledges; the head does not
                incidents.acknowledge(actor=user, incident_id=incident.pk, notification_id=n.pk)
    facts["todo_after"] = {name: _todo(client, users[name]) for name in personas}

    # --- later sweeps: nothing met escalates ---
    for hours in (0, 2, 26, 72):
        escalation.sweep(timezone.now() + timedelta(hours=hours))
    facts["clocks_end"] = clocks()
    facts["bad_escalations"] = []
    for d in Deadline.objects.filter(incident__in=reports.values(), escalated_at__isnull=False, met_at__isnull=False):
        if d.escalated_at >= d.met_at:
            facts["bad_escalations"].append(f"{d.incident.reference} {d.code}@{d.body} escalated after it was met")
    # A body is reached, for the ladder, once someone of it has the report in hand — filed it, acknowledged it, was
    # called — or, for an outside body (which has no inbox here to acknowledge in), once its message went out. Who
    # belongs to which body is written out here (the seed's people), not read from the rules table.
    body_of_person = {
        ctx.people["shen"].pk: "ethics",
        ctx.people["ethics_director"].pk: "ethics",
        ctx.people["tsai"].pk: "ethics",
        ctx.people["head"].pk: "agency_head",
    }
    body_of_contact = {
        c.pk: f"org:{c.organisation.kind}" for c in ExternalContact.objects.select_related("organisation")
    }

    def body(n: Notification) -> str:
        return body_of_person.get(n.person_id, "") if n.person_id else body_of_contact.get(n.contact_id, "")

    for key, r in reports.items():
        routed = list(Notification.objects.filter(key=f"incident:{r.pk}:filed").prefetch_related("deliveries"))
        in_hand: dict[str, datetime] = {}

        def reached(b: str, at: datetime | None, in_hand: dict[str, datetime] = in_hand) -> None:
            if b and at is not None and (b not in in_hand or at < in_hand[b]):
                in_hand[b] = at

        reached(body_of_person.get(r.filed_by.person_id, ""), r.created_at)
        for n in routed:
            reached(body(n), n.acknowledged_at)
            if n.contact_id:
                for d in n.deliveries.all():
                    reached(body(n), d.sent_at if d.status == "sent" else None)
        for contact in r.contacts.all():
            reached(contact.body, contact.reached_at)
        for esc in Escalation.objects.filter(notification__in=routed).select_related("notification"):
            b = body(esc.notification)
            if b in in_hand and in_hand[b] <= esc.at:
                facts["bad_escalations"].append(f"{key}: the notice to {b} passed up though {b} had it in hand")
    facts["escalated_notices"] = sorted(
        {
            (esc.incident.reference, str(esc.notification.person or esc.notification.contact))
            for esc in Escalation.objects.filter(incident__in=reports.values()).select_related(
                "incident", "notification__person", "notification__contact"
            )
        }
    )
    facts["overdue_notices"] = sorted(
        Notification.objects.filter(key__contains=":overdue:").values_list("key", flat=True).distinct()
    )

    # --- the daily reports over the period and the results report ---
    from django.utils.translation import gettext

    def counts(report: Any) -> dict[str, int]:
        """The "New" column of the report's table of reports by category."""
        table = next((b for b in report.blocks if getattr(b, "caption", "") == gettext("Reports by category")), None)
        return {str(row[0]): int(row[1]) for row in table.rows[:-1]} if table is not None else {}

    daily: dict[str, int] = {}
    day = w["start"].astimezone(TAIPEI).date()
    while day <= w["end"].astimezone(TAIPEI).date():
        for name, n in counts(builders.daily_report(plan, day)).items():
            daily[name] = daily.get(name, 0) + n
        day += timedelta(days=1)
    facts["daily_counts"] = daily
    from anwei.officecalendar.workdays import Calendar

    first, last = w["start"].astimezone(TAIPEI).date(), today
    calendar = Calendar(first, last)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    facts["off_days_begun"] = len([d for d in days if not calendar.is_working_day(d)])
    facts["final_counts"] = counts(builders.final_report(plan))
    print(MARK + json.dumps(facts, ensure_ascii=False, default=str))


# --- the test ---------------------------------------------------------------------------------------------------


def _database(tmp_path: Path) -> Iterator[str]:
    """A database of the period's own, migrated by the child processes: a file on SQLite, a new database on PostgreSQL
    (dropped afterwards) — never the test database, whose later tests must not find the period's committed rows
    (the audit head, which only grows, could not be rolled back under them)."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'period.sqlite3'}"
        return
    import psycopg

    s = connection.settings_dict
    host, port = s["HOST"] or "127.0.0.1", s["PORT"] or 5432
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    name = f"anwei_period_{uuid.uuid4().hex[:10]}"
    admin = psycopg.connect(
        host=host, port=port, user=s["USER"], password=s["PASSWORD"] or None, dbname="postgres", autocommit=True
    )
    admin.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    try:
        yield f"postgres://{auth}@{host}:{port}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
        admin.close()


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "anwei", *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def facts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from anwei.notifications.tests.servers import start_smtp

    tmp_path = tmp_path_factory.mktemp("period")
    database = _database(tmp_path)
    url = next(database)
    controller, smtp = start_smtp(refuse={REFUSED})
    env = {
        **os.environ,
        "ANWEI_VAR_DIR": str(tmp_path),
        "DATABASE_URL": url,
        "ANWEI_TESTING": "true",
        "ANWEI_WORKER_INTERVAL": "0.1",
        "ANWEI_EMAIL_HOST": smtp.host,
        "ANWEI_EMAIL_PORT": str(smtp.port),
        "ANWEI_LOCAL_MAILBOX": "false",
        "ANWEI_DELIVERY_SWEEP_GRACE": "0",
    }
    worker = None
    try:
        done = _run(env, "migrate", "-v0")
        assert done.returncode == 0, done.stderr
        worker = subprocess.Popen(
            [sys.executable, "-m", "anwei", "worker", "--no-scheduler"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        played = _run(env, "shell", "-v", "0", "-c", "from tests.test_plan_period import play; play()")
        assert played.returncode == 0, played.stderr[-6000:]
    finally:
        if worker is not None and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
        controller.stop()
        database.close()  # drops the PostgreSQL database
    line = next(x for x in played.stdout.splitlines() if x.startswith(MARK))
    out: dict[str, Any] = json.loads(line[len(MARK) :])
    out["refused"] = list(smtp.recorder.refused)
    out["accepted"] = sorted({str(m["To"]) for m in smtp.messages})
    return out


# --- what the rules say (written out, not read from the code) ---------------------------------------------------

# The bodies each report's rules name and how each is reached here. Cyber level 3 (資通安全事件通報及應變辦法 第11條,
# seed 執行重點（1）8): the ethics office (陳報政風機構, 1 h), the national cyber-incident process and the
# Investigation Bureau station (1 h each), the agency head (level 3–4). A leak and a petition: the ethics office and
# the agency head. An impersonation fraud: the ethics office (the press release is a task). Illicit liquor (seed
# 執行重點（2）7): the ethics office and the police. Filed by the ethics officer or the duty officer, the ethics office
# is reached at filing; the unit supervisor filing is his unit's supervisor reached. In-app messages go out at once;
# the cyber contact's e-mail is accepted; the station's is refused (550) and the police have no e-mail: both are
# reached by the duty officer's phone call.
REACHED = {
    "cyber": {"ethics": "sent", "agency_head": "sent", "org:cyber": "sent", "org:investigation": "phone"},
    "leak": {"ethics": "filed", "agency_head": "sent"},
    "petition": {"ethics": "sent", "agency_head": "sent", "unit": "filed"},
    "fraud": {"ethics": "filed"},
    "liquor": {"ethics": "sent", "org:police": "phone", "unit": "filed"},
}
# The clocks (notify/report deadlines that name a body) and how each ends up met.
CLOCKS = {
    "cyber": {("report", "ethics"): "sent", ("notify", "org:cyber"): "sent", ("notify", "org:investigation"): "phone"},
    "leak": {("report", "ethics"): "filed"},
    "petition": {("report", "ethics"): "sent"},
    "fraud": {("report", "ethics"): "filed"},
    "liquor": {("report", "ethics"): "sent"},
}
# The cyber report was known at night and filed in the morning: its station clock (1 h) was overdue and not met when
# the first sweep ran, so it escalated once — before the call met it. Its recovery clock (36 h) runs out in the later
# sweeps. Nothing else escalates.
ESCALATED = {("cyber", "notify", "org:investigation"), ("cyber", "recovery", "")}
CATEGORY_NAMES = {"資安事件": 1, "洩密或疑似洩密": 1, "集體陳情請願抗議": 1, "假冒公務員詐騙": 1, "私劣酒": 1}

# The plan's own recurring task reports (each day off of the period so far) of the units people belong to: the IT
# section (staff, and the administrator, whose person sits in it), the secretariat (pr), the ethics department
# (its director). The auditor belongs to the ethics department but may not report on tasks: nothing.
IT_TASK = "協請行政暨研考處加強委外廠商之監督"
PR_TASK = "密切注意近期及春節連續假期前後"
ETHICS_TASK = "春節連續假日期間應注意公文妥善放置"


def _expected_todo(facts: dict[str, Any], after: bool) -> dict[str, list[tuple[str, str]]]:
    r, item = facts["refs"], facts["items"]
    new = lambda key: ("acknowledge", f"[{r[key]}] 新通報")  # noqa: E731
    days = facts["off_days_begun"]
    exit_approval = ("acknowledge", "待核出境許可：李承辦")  # a national-secret custodian's trip: exit approval
    calls = [("must_call", f"去電調查處站：{r['cyber']}"), ("must_call", f"去電警察機關：{r['liquor']}")]
    if not after:
        # each person named by a report's rules acknowledges it, never the one who filed it
        return {
            "ethics": [
                new("cyber"),
                ("acknowledge", f"[{r['cyber']}] 逐級陳報"),  # the station's refused e-mail passed up at once
                new("petition"),
                new("fraud"),
                new("liquor"),
                exit_approval,
                *calls,
            ],
            "director": [
                new("cyber"),
                ("acknowledge", f"[{r['cyber']}] 逐級陳報"),
                new("leak"),
                new("petition"),
                new("fraud"),
                new("liquor"),
                exit_approval,
                *calls,
                *[("report_due", ETHICS_TASK)] * days,
            ],
            "duty": [new("cyber"), new("leak"), new("petition"), new("liquor"), *calls],
            "head": [
                new("cyber"),
                new("leak"),
                new("petition"),
                exit_approval,
                ("approve", f"張處長申請攜出：{item['roster']}"),  # the requester's own supervisor is himself
                ("approve", f"李承辦申請影印：{item['secret']}"),  # no supervisor with an account above IT
            ],
            "supervisor": [],
            "staff": [("report_due", IT_TASK)] * days,
            "pr": [
                ("task", f"發布新聞稿澄清 (press release)（通報 {r['fraud']}，秘書處）"),
                *[("report_due", PR_TASK)] * days,
            ],
            "finance": [
                ("corrective_action", "回復財政處的缺失改善措施"),
                ("task", f"查緝來路不明、可疑的米酒與洋酒 (check for illicit liquor)（通報 {r['liquor']}"),
            ],
            "auditor": [],
            "admin": [("report_due", IT_TASK)] * days,
        }
    # after the calls were recorded, the ethics office acknowledged, the head approved the take-out, the
    # secretariat finished its press release and the finance department answered (not done) its liquor check
    return {
        "ethics": [exit_approval],
        "director": [exit_approval, *[("report_due", ETHICS_TASK)] * days],
        "duty": [],
        "head": [
            new("cyber"),
            ("acknowledge", f"[{r['cyber']}] 逾期：通報（調查處站）"),  # the station's clock ran out at night
            new("leak"),
            new("petition"),
            exit_approval,
            ("approve", f"李承辦申請影印：{item['secret']}"),
        ],
        "supervisor": [("return_due", f"歸還攜出之{item['roster']}")],
        "staff": [("report_due", IT_TASK)] * days,
        "pr": [("report_due", PR_TASK)] * days,
        "finance": [
            ("corrective_action", "回復財政處的缺失改善措施"),
            ("task", f"查緝來路不明、可疑的米酒與洋酒 (check for illicit liquor)（通報 {r['liquor']}"),
        ],
        "auditor": [],
        "admin": [("report_due", IT_TASK)] * days,
    }


def _match(actual: list[list[str]], expected: list[tuple[str, str]]) -> list[str]:
    """Pair each item with one expected (kind, title part); what is left over on either side is wrong."""
    left = list(expected)
    extra = []
    for kind, title in actual:
        hit = next((e for e in left if e[0] == kind and e[1] in title), None)
        if hit is None:
            extra.append(f"unexpected {kind}: {title}")
        else:
            left.remove(hit)
    return extra + [f"missing {kind}: {title}" for kind, title in left]


def test_every_body_the_rules_name_is_reached_or_a_must_call_until_the_call_is_recorded(facts: dict[str, Any]) -> None:
    assert facts["filed"] == {
        "cyber": "cyber",
        "leak": "leak",
        "petition": "petition",
        "fraud": "fraud-impersonation",
        "liquor": "illicit-liquor",
    }
    # the worker sent every e-mail but the refused one, and tried that one once (550 is final)
    assert facts["refused"] == [REFUSED]
    assert ["investigation@outside.example", "failed"] in facts["deliveries"]
    assert {a for a, status in facts["deliveries"] if status != "sent"} == {REFUSED}
    assert "cyber@outside.example" in facts["accepted"] and "police@outside.example" not in facts["accepted"]
    # before the calls: the two bodies nothing could reach are must-calls for the person on duty (and the ethics
    # office) — checked in the to-do lists below; the station's clock is open
    before = {k: {(c, b): how for c, b, how, _esc, _id in v if b} for k, v in facts["clocks_before_calls"].items()}
    assert before["cyber"][("notify", "org:investigation")] == ""
    # the calls, recorded through the API, meet the station's clock and reach the police
    assert facts["contact_status"] == 201 and facts["police_contact_status"] == 201
    assert facts["reached"] == REACHED
    end = {k: {(c, b): how for c, b, how, _esc, _id in v if b} for k, v in facts["clocks_end"].items()}
    assert end == CLOCKS
    assert ["org:investigation", "phone", True] in facts["cyber_api_clocks"]


def test_no_clock_escalates_after_it_is_met_and_no_escalation_names_a_body_reached(facts: dict[str, Any]) -> None:
    assert facts["bad_escalations"] == []
    escalated = {(k, c, b) for k, v in facts["clocks_end"].items() for c, b, _how, esc, _id in v if esc}
    assert escalated == ESCALATED
    # outside bodies reached (the cyber contact's e-mail went out; the station and the police called) are never
    # passed up the ladder as "not acknowledged"
    outside = [who for _ref, who in facts["escalated_notices"] if "國家資通安全" in who or "調查站" in who]
    assert outside == ["值日官（法務部調查局花蓮縣調查站）"]  # the refused e-mail, at once — before the call


def test_every_persons_to_do_list_holds_exactly_their_work(facts: dict[str, Any]) -> None:
    for after in (False, True):
        expected = _expected_todo(facts, after)
        actual = facts["todo_after" if after else "todo_before"]
        assert set(actual) == set(expected)
        wrong = {name: _match(actual[name], expected[name]) for name in expected}
        assert not any(wrong.values()), ("after" if after else "before", {k: v for k, v in wrong.items() if v})


def test_the_daily_reports_and_the_results_report_count_the_reports_filed(facts: dict[str, Any]) -> None:
    assert sorted(facts["on_plan"]) == sorted(facts["filed"])  # every report belongs to the period's plan
    assert facts["final_counts"] == CATEGORY_NAMES
    assert facts["daily_counts"] == CATEGORY_NAMES


def test_the_traveller_holding_a_national_secret_is_security_sensitive(facts: dict[str, Any]) -> None:
    # 李承辦 is 第7職等 with no national-secret duty in the directory, but keeps a 極機密 item in the register
    assert facts["trip"] == {"category": "sensitive", "exit_approval": "pending"}
