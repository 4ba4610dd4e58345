"""Permission-matrix cases for awareness pages and API operations."""

from datetime import date, timedelta

from django.utils import timezone
from tests.matrix import Case, api, everyone, page
from tests.personas import PERSONAS, World

from anwei.awareness import rules, services
from anwei.officecalendar.models import OfficeDay

SECRET = "對方詢問本處機密採購案XYZ"


def setup_world(world: World) -> None:
    ethics = world.users["ethics"]
    u = world.units
    world.records["activity"] = services.create_activity(
        actor=ethics,
        unit_id=u["ethics"].pk,
        topic="fraud",
        title="反詐騙宣導",
        held_on=date(2026, 11, 20),
        form="meeting",
    )
    alert = services.create_activity(
        actor=ethics,
        unit_id=u["ethics"].pk,
        topic="fraud",
        title="新型假冒檢察官詐騙",
        held_on=date(2026, 11, 20),
        form="alert",
        alert_body="請勿依來電指示轉帳。",
        audience_unit_ids=[u["b"].pk],
    )
    services.send_alert(actor=ethics, activity=alert)
    world.records["alert"] = alert
    today = timezone.localdate()
    own = services.declare_travel(
        actor=world.users["staff_a"],
        traveller_id=world.people["staff_a"].pk,
        destination=rules.MAINLAND,
        places="上海",
        applied_on=today - timedelta(days=30),
        departs_on=today - timedelta(days=20),
        returns_on=today - timedelta(days=15),
    )
    services.file_return_report(
        actor=world.users["staff_a"], declaration_id=own.pk, probed=False, contacted=False, details=SECRET
    )
    world.records["travel"] = own
    world.records["travel_open"] = services.declare_travel(
        actor=world.users["staff_a"],
        traveller_id=world.people["staff_a"].pk,
        destination=rules.HONG_KONG,
        places="香港",
        applied_on=today - timedelta(days=10),
        departs_on=today - timedelta(days=5),
        returns_on=today - timedelta(days=2),
    )
    secret_holder = world.people["in_b"]
    secret_holder.national_secret_duty = True
    secret_holder.save()
    world.records["travel_exit"] = services.declare_travel(
        actor=ethics,
        traveller_id=secret_holder.pk,
        destination=rules.MAINLAND,
        places="北京",
        departs_on=today + timedelta(days=40),
        returns_on=today + timedelta(days=45),
    )
    world.records["delegation"] = services.create_delegation(
        actor=ethics, unit_id=u["a"].pk, title="某省參訪團", starts_on=today, ends_on=today + timedelta(days=2)
    )
    world.records["holiday"] = OfficeDay.objects.create(day=date(2030, 1, 1), name="測試假日")


def _secret(world: World) -> str:
    return SECRET


def _pk(key: str, path: str) -> object:
    return lambda w: path.format(pk=w.records[key].pk)


ALL = everyone(200)
MANAGERS = {"admin": 200, "ethics": 200}
TRAVEL_VIEWERS = {"ethics": 200, "head": 200, "supervisor_a": 200, "staff_a": 200}
DELEGATION_VIEWERS = {"ethics": 200, "head": 200, "duty": 200, "supervisor_a": 200, "staff_a": 200}
FORBID_ALL = everyone(403)

CASES = [
    Case("awareness:index", "/awareness/", page(ALL)),
    Case("awareness:activities_csv", "/awareness/activities.csv", page(ALL)),
    Case("awareness:activity_new", "/awareness/activities/new/", page(MANAGERS)),
    Case(
        "awareness:activity_new",
        "/awareness/activities/new/",
        page({"admin": 302, "ethics": 302}),
        method="post",
        data=lambda w: {
            "title": "保密宣導",
            "topic": "secrecy",
            "form": "meeting",
            "held_on": "2026-11-25",
            "unit": w.units["a"].pk,
        },
        label="post",
    ),
    Case("awareness:activity", _pk("activity", "/awareness/activities/{pk}/"), page(ALL), default=404),  # type: ignore[arg-type]
    Case(
        "awareness:activity_sign_in",
        _pk("activity", "/awareness/activities/{pk}/sign-in/"),  # type: ignore[arg-type]
        page(everyone(302)),
        method="post",
    ),
    Case(
        "awareness:activity_alert",
        _pk("alert", "/awareness/activities/{pk}/alert/"),  # type: ignore[arg-type]
        page({**FORBID_ALL, "admin": 302, "ethics": 302}),
        method="post",
    ),
    Case(
        "awareness:alert_acknowledge",
        _pk("alert", "/awareness/activities/{pk}/acknowledge/"),  # type: ignore[arg-type]
        page({**FORBID_ALL, "staff_b": 302}),
        method="post",
    ),
    Case("awareness:statistics", "/awareness/statistics/", page(ALL)),
    Case("awareness:calendar", "/awareness/calendar/?year=2026", page(ALL)),
    Case(
        "awareness:calendar",
        "/awareness/calendar/",
        page({**FORBID_ALL, "admin": 302, "ethics": 302}),
        method="post",
        data={"day": "2030-02-01", "name": "測試", "is_workday": ""},
        label="post",
    ),
    Case(
        "awareness:calendar_delete",
        _pk("holiday", "/awareness/calendar/{pk}/delete/"),  # type: ignore[arg-type]
        page({**FORBID_ALL, "admin": 302, "ethics": 302}),
        method="post",
    ),
    Case("awareness:travel_list", "/awareness/travel/", page(ALL), secret=_secret),
    Case("awareness:travel_csv", "/awareness/travel.csv", page(ALL), secret=_secret),
    Case("awareness:travel_new", "/awareness/travel/new/", page(ALL)),
    Case(
        "awareness:travel",
        _pk("travel", "/awareness/travel/{pk}/"),  # type: ignore[arg-type]
        page(TRAVEL_VIEWERS),
        default=404,
        secret=_secret,
        may_see=frozenset({"ethics", "staff_a"}),
    ),
    Case(
        "awareness:travel_briefing",
        _pk("travel", "/awareness/travel/{pk}/briefing/"),  # type: ignore[arg-type]
        page({"staff_a": 302, "ethics": 403, "head": 403, "supervisor_a": 403}),
        default=404,
        method="post",
    ),
    Case(
        "awareness:travel_exit",
        _pk("travel_exit", "/awareness/travel/{pk}/exit/"),  # type: ignore[arg-type]
        page({"ethics": 302, "head": 302}),
        default=404,
        method="post",
        data={"decision": "approve"},
    ),
    Case(
        "awareness:travel_return",
        _pk("travel_open", "/awareness/travel/{pk}/return/"),  # type: ignore[arg-type]
        page({"staff_a": 200, "ethics": 403, "head": 403, "supervisor_a": 403}),
        default=404,
    ),
    Case(
        "awareness:travel_upward",
        _pk("travel", "/awareness/travel/{pk}/upward/"),  # type: ignore[arg-type]
        page({"ethics": 302, "head": 403, "supervisor_a": 403, "staff_a": 403}),
        default=404,
        method="post",
    ),
    Case("awareness:checks", "/awareness/checks/", page({**FORBID_ALL, "ethics": 200, "auditor": 200})),
    Case(
        "awareness:checks",
        "/awareness/checks/",
        page({**FORBID_ALL, "ethics": 302}),
        method="post",
        data={"seed": "matrix"},
        label="draw",
    ),
    Case("awareness:checks_csv", "/awareness/checks.csv", page({**FORBID_ALL, "ethics": 200, "auditor": 200})),
    Case(
        "awareness:delegations",
        "/awareness/delegations/",
        page({**FORBID_ALL, **{k: 200 for k in DELEGATION_VIEWERS}, "staff_b": 200}),
    ),
    Case(
        "awareness:delegations_csv",
        "/awareness/delegations.csv",
        page({**FORBID_ALL, **{k: 200 for k in DELEGATION_VIEWERS}, "staff_b": 200}),
    ),
    Case("awareness:delegation_new", "/awareness/delegations/new/", page({**FORBID_ALL, "ethics": 200, "admin": 200})),
    Case(
        "awareness:delegation",
        _pk("delegation", "/awareness/delegations/{pk}/"),  # type: ignore[arg-type]
        page(DELEGATION_VIEWERS),
        default=404,
    ),
    # API
    Case("GET /api/v1/awareness/activities", "/api/v1/awareness/activities", api(ALL)),
    Case(
        "POST /api/v1/awareness/activities",
        "/api/v1/awareness/activities",
        api({**FORBID_ALL, "admin": 201, "ethics": 201}),
        method="post",
        json=True,
        data=lambda w: {
            "unit_id": w.units["a"].pk,
            "title": "資安宣導",
            "topic": "cyber",
            "form": "email",
            "held_on": "2026-11-25",
        },
    ),
    Case(
        "POST /api/v1/awareness/activities/{activity_id}/attendance",
        _pk("activity", "/api/v1/awareness/activities/{pk}/attendance"),  # type: ignore[arg-type]
        api(everyone(201)),
        method="post",
        json=True,
    ),
    Case("GET /api/v1/awareness/statistics", "/api/v1/awareness/statistics", api(ALL)),
    Case("GET /api/v1/awareness/travel", "/api/v1/awareness/travel", api(ALL), secret=_secret),
    Case(
        "GET /api/v1/awareness/travel/{declaration_id}",
        _pk("travel", "/api/v1/awareness/travel/{pk}"),  # type: ignore[arg-type]
        api(TRAVEL_VIEWERS),
        default=404,
        secret=_secret,
    ),
    Case(
        "POST /api/v1/awareness/travel",
        "/api/v1/awareness/travel",
        api(everyone(201)),
        method="post",
        json=True,
        data={"destination": "mainland", "places": "廈門", "departs_on": "2027-03-15", "returns_on": "2027-03-18"},
    ),
    Case(
        "POST /api/v1/awareness/travel/{declaration_id}/return",
        _pk("travel_open", "/api/v1/awareness/travel/{pk}/return"),  # type: ignore[arg-type]
        api({"staff_a": 201, "ethics": 403, "head": 403, "supervisor_a": 403}),
        default=404,
        method="post",
        json=True,
        data={"probed": False, "contacted": False},
    ),
    Case(
        "POST /api/v1/awareness/travel/{declaration_id}/briefing",
        _pk("travel", "/api/v1/awareness/travel/{pk}/briefing"),  # type: ignore[arg-type]
        api({"staff_a": 200, "ethics": 403, "head": 403, "supervisor_a": 403}),
        default=404,
        method="post",
        json=True,
    ),
    Case(
        "POST /api/v1/awareness/travel/{declaration_id}/exit",
        _pk("travel_exit", "/api/v1/awareness/travel/{pk}/exit"),  # type: ignore[arg-type]
        api({"ethics": 200, "head": 200}),
        default=404,
        method="post",
        json=True,
        data={"approve": True},
    ),
    Case(
        "POST /api/v1/awareness/travel/{declaration_id}/upward",
        _pk("travel", "/api/v1/awareness/travel/{pk}/upward"),  # type: ignore[arg-type]
        api({"ethics": 200, "head": 403, "supervisor_a": 403, "staff_a": 403}),
        default=404,
        method="post",
        json=True,
    ),
    Case(
        "GET /api/v1/awareness/checks", "/api/v1/awareness/checks", api({**FORBID_ALL, "ethics": 200, "auditor": 200})
    ),
    Case(
        "POST /api/v1/awareness/checks",
        "/api/v1/awareness/checks",
        api({**FORBID_ALL, "ethics": 201}),
        method="post",
        json=True,
        data={"seed": "matrix"},
    ),
    Case("GET /api/v1/awareness/holidays", "/api/v1/awareness/holidays?year=2026", api(ALL)),
    Case(
        "POST /api/v1/awareness/holidays",
        "/api/v1/awareness/holidays",
        api({**FORBID_ALL, **MANAGERS}),
        method="post",
        json=True,
        data={"day": "2030-02-01", "name": "測試", "is_workday": False},
    ),
    Case(
        "DELETE /api/v1/awareness/holidays/{day}",
        "/api/v1/awareness/holidays/2030-01-01",
        api({**FORBID_ALL, "admin": 204, "ethics": 204}),
        method="delete",
    ),
    Case("GET /api/v1/awareness/delegations", "/api/v1/awareness/delegations", api(ALL)),
    Case(
        "POST /api/v1/awareness/delegations",
        "/api/v1/awareness/delegations",
        api({**FORBID_ALL, "admin": 201, "ethics": 201}),
        method="post",
        json=True,
        data=lambda w: {
            "unit_id": w.units["a"].pk,
            "title": "某市文化交流團",
            "starts_on": "2027-03-01",
            "ends_on": "2027-03-03",
            "host_ids": [w.people["staff_a"].pk],
        },
    ),
    Case(
        "POST /api/v1/awareness/delegations/{delegation_id}/anomalies",
        _pk("delegation", "/api/v1/awareness/delegations/{pk}/anomalies"),  # type: ignore[arg-type]
        api({k: 201 for k in DELEGATION_VIEWERS}),
        default=404,
        method="post",
        json=True,
        data={"description": "團員脫隊前往管制區"},
    ),
]

assert set(PERSONAS) >= set(TRAVEL_VIEWERS)
