from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from tests.matrix import AGENCY_WIDE, ROLE_HOLDERS, Case, api, everyone, page
from tests.personas import World

from anwei.directory.models import DutyKind, DutyShift
from anwei.plans import feeds, services
from anwei.plans.models import Evidence, Plan, Task

from .factories import START, make_plan

NOTE_B = "乙單位辦理情形：已查獲私劣酒三箱"


def setup_world(world: World) -> None:
    plan = make_plan(world, approve=True)
    services.update_task(actor=None, task=world.records["task_b"], status=Task.Status.IN_PROGRESS, note=NOTE_B)
    world.records["evidence_b"] = Evidence.objects.create(
        task=world.records["task_b"], file=ContentFile(b"evidence", name="matrix.txt"), name="乙單位佐證.txt"
    )
    world.records["plan_contact"] = services.add_contact(
        actor=None, plan=plan, name="沈科長", phones=[{"kind": "mobile", "number": "0982121209"}], reason="增列聯絡人"
    )
    world.records["feed_token_duty"] = feeds.reset(actor=world.users["duty"], feed=feeds.DUTY)
    # a live plan around now, starting long ago so that other apps' current plans stay the active one
    now = timezone.now()
    world.records["current_plan"] = Plan.objects.create(
        agency=world.agency,
        owning_unit=world.units["ethics"],
        title="測試年度維護計畫",
        period_start=now - timedelta(days=300),
        period_end=now + timedelta(days=300),
        status=Plan.Status.ACTIVE,
    )
    kind = DutyKind.objects.create(agency=world.agency, code="ethics", name="政風值勤")
    world.records["shift"] = DutyShift.objects.create(
        kind=kind, starts_at=START, ends_at=START + timedelta(hours=10), person=world.people["duty"]
    )


def _secret(world: World) -> str:
    return NOTE_B


def plan_url(suffix: str = "") -> object:
    return lambda w: f"/plans/{w.records['plan'].pk}/{suffix}"


ROLES_200 = everyone(200, ROLE_HOLDERS)
SEES_B = frozenset({*AGENCY_WIDE, "staff_b"})
MANAGERS = {"admin", "ethics"}
UNIT_UPDATERS_B = {"admin": 302, "ethics": 302, "staff_b": 302}

CASES = [
    Case("plans:list", "/plans/", page(everyone(200))),
    Case("plans:list_csv", "/plans/plans.csv", page(everyone(200))),
    Case("plans:new", "/plans/new/", page({"admin": 200, "ethics": 200})),
    Case(
        "plans:new",
        "/plans/new/",
        page({"admin": 302, "ethics": 302}),
        method="post",
        data=lambda w: {
            "title": "新計畫",
            "owning_unit": w.units["ethics"].pk,
            "period_start": "2027-01-20T08:00",
            "period_end": "2027-02-10T00:00",
        },
        label="post",
    ),
    Case("plans:detail", plan_url(), page(ROLES_200), default=404, secret=_secret),
    Case("plans:tasks_csv", plan_url("tasks.csv"), page(ROLES_200), default=404, secret=_secret),
    Case(
        "plans:status",
        plan_url("status/"),
        page({**everyone(403, ROLE_HOLDERS), "admin": 302, "ethics": 302}),
        default=404,
        method="post",
        data={"to": "activate"},
        label="activate",
    ),
    Case(
        "plans:status",
        plan_url("status/"),
        page({**everyone(403, ROLE_HOLDERS), "head": 302}),
        default=404,
        method="post",
        data={"to": "approve"},
        label="approve",
    ),
    Case("plans:dashboard", plan_url("dashboard/"), page(ROLES_200), default=404, secret=_secret, may_see=SEES_B),
    Case(
        "plans:recent_updates",
        plan_url("dashboard/updates/"),
        page(ROLES_200),
        default=404,
        secret=_secret,
        may_see=SEES_B,
    ),
    Case(
        "plans:amend",
        plan_url("amend/"),
        page({**everyone(403, ROLE_HOLDERS), "admin": 200, "ethics": 200}),
        default=404,
    ),
    Case(
        "plans:amend",
        plan_url("amend/"),
        page({**everyone(403, ROLE_HOLDERS), "admin": 302, "ethics": 302}),
        default=404,
        method="post",
        data=lambda w: {
            "reason": "修正",
            "title": "修正後計畫",
            "period_start": "2014-01-21T22:00",
            "period_end": "2014-02-15T00:00",
            **{f"task_{t.pk}": t.text for t in w.records["plan"].tasks.all()},
        },
        label="post",
    ),
    Case("plans:versions", plan_url("versions/"), page(ROLES_200), default=404, secret=_secret, may_see=SEES_B),
    Case("plans:versions_csv", plan_url("versions.csv"), page(ROLES_200), default=404),
    Case(
        "plans:clone",
        plan_url("clone/"),
        page({**everyone(403, ROLE_HOLDERS), "admin": 302, "ethics": 302}),
        default=404,
        method="post",
    ),
    Case("plans:roster", plan_url("roster/"), page(ROLES_200), default=404),
    Case(
        "plans:roster",
        plan_url("roster/"),
        page({**everyone(403, ROLE_HOLDERS), "admin": 302, "ethics": 302}),
        default=404,
        method="post",
        data=lambda w: {
            "kind": DutyKind.objects.create(agency=w.agency, code="agency", name="機關值勤").pk,
            "change_hours": "8,20",
        },
        label="generate",
    ),
    Case("plans:contacts", plan_url("contacts/"), page(ROLES_200), default=404),
    Case("plans:contacts_csv", plan_url("contacts.csv"), page(ROLES_200), default=404),
    Case("plans:roster_csv", plan_url("roster.csv"), page(ROLES_200), default=404),
    Case(
        "plans:contact_edit",
        lambda w: f"/plans/contacts/{w.records['plan_contact'].pk}/",
        page({**everyone(403, ROLE_HOLDERS), "admin": 200, "ethics": 200}),
        default=404,
    ),
    Case(
        "plans:contact_edit",
        lambda w: f"/plans/contacts/{w.records['plan_contact'].pk}/",
        page({**everyone(403, ROLE_HOLDERS), "admin": 302, "ethics": 302}),
        default=404,
        method="post",
        data={"name": "沈科長", "mobile": "0982121210", "reason": "手機號碼異動"},
        label="post",
    ),
    Case(
        "plans:contact_remove",
        lambda w: f"/plans/contacts/{w.records['plan_contact'].pk}/remove/",
        page({**everyone(403, ROLE_HOLDERS), "admin": 302, "ethics": 302}),
        default=404,
        method="post",
        data={"remove-reason": "人員調動"},
    ),
    Case(
        "plans:contacts",
        plan_url("contacts/"),
        page({**everyone(403, ROLE_HOLDERS), "admin": 302, "ethics": 302}),
        default=404,
        method="post",
        data={"name": "值日官", "office": "(03)8323000", "reason": "增列聯絡人"},
        label="add",
    ),
    Case("plans:contact_sheet", plan_url("contacts/sheet/"), page(ROLES_200), default=404),
    Case(
        "plans:task",
        lambda w: f"/plans/tasks/{w.records['task_b'].pk}/",
        page(everyone(200, SEES_B)),
        default=404,
        secret=_secret,
        may_see=SEES_B,
        label="unit B",
    ),
    Case(
        "plans:task",
        lambda w: f"/plans/tasks/{w.records['task_a'].pk}/",
        page({**everyone(200, AGENCY_WIDE), "supervisor_a": 200, "staff_a": 200}),
        default=404,
        label="unit A",
    ),
    Case(
        "plans:task",
        lambda w: f"/plans/tasks/{w.records['task_b'].pk}/",
        page({**everyone(403, SEES_B), **UNIT_UPDATERS_B}),
        default=404,
        method="post",
        data={"status": "done", "note": "完成"},
        label="update unit B",
    ),
    Case(
        "plans:evidence",
        lambda w: f"/plans/evidence/{w.records['evidence_b'].pk}/",
        page(everyone(200, SEES_B)),
        default=404,
    ),
    Case(
        "plans:shift",
        lambda w: f"/plans/shifts/{w.records['shift'].pk}/",
        page({**everyone(403, ROLE_HOLDERS), "admin": 200, "ethics": 200, "duty": 200}),
        default=404,
    ),
    Case(
        "plans:shift",
        lambda w: f"/plans/shifts/{w.records['shift'].pk}/",
        page({**everyone(403, ROLE_HOLDERS), "admin": 302, "ethics": 302, "duty": 302}),
        default=404,
        method="post",
        data={"handover_note": "交接：門禁卡兩張"},
        label="handover",
    ),
    Case(
        "plans:person_calendar",
        lambda w: f"/plans/people/{w.people['duty'].pk}/duty.ics",
        page(ROLES_200),
        default=404,
    ),
    Case(
        "plans:my_calendar",
        lambda w: f"/plans/people/{w.people['duty'].pk}/calendar/",
        page({**everyone(403, ROLE_HOLDERS), "duty": 200}),
        default=404,
        secret=lambda w: w.records["feed_token_duty"],
        may_see=frozenset({"duty"}),
    ),
    # the secret link: no session needed (anonymous included), and only for its own person
    Case(
        "plans:person_feed",
        lambda w: f"/plans/people/{w.people['duty'].pk}/feed/{w.records['feed_token_duty']}/duty.ics",
        everyone(200, [*ROLE_HOLDERS, "outsider", "anonymous"]),
        label="own token",
    ),
    Case(
        "plans:person_feed",
        lambda w: f"/plans/people/{w.people['ethics'].pk}/feed/{w.records['feed_token_duty']}/duty.ics",
        {},
        default=404,
        label="another person's token",
    ),
    Case(
        "plans:feed_reset",
        "/plans/feeds/plans.duty/reset/",
        page(everyone(302)),
        method="post",
        data={"next": "/plans/"},
    ),
    # API
    Case("GET /api/v1/plans/plans", "/api/v1/plans/plans", api(everyone(200))),
    Case(
        "GET /api/v1/plans/plans/active",
        "/api/v1/plans/plans/active",
        api({**ROLES_200, "outsider": 404}),
    ),
    Case(
        "GET /api/v1/plans/plans/{plan_id}",
        lambda w: f"/api/v1/plans/plans/{w.records['plan'].pk}",
        api(ROLES_200),
        default=404,
    ),
    Case(
        "GET /api/v1/plans/plans/{plan_id}/tasks",
        lambda w: f"/api/v1/plans/plans/{w.records['plan'].pk}/tasks",
        api(ROLES_200),
        default=404,
    ),
    Case(
        "GET /api/v1/plans/tasks/{task_id}",
        lambda w: f"/api/v1/plans/tasks/{w.records['task_b'].pk}",
        api(everyone(200, SEES_B)),
        default=404,
    ),
    Case(
        "POST /api/v1/plans/tasks/{task_id}/progress",
        lambda w: f"/api/v1/plans/tasks/{w.records['task_b'].pk}/progress",
        api({**everyone(403, SEES_B), "admin": 201, "ethics": 201, "staff_b": 201}),
        default=404,
        method="post",
        json=True,
        data={"status": "done", "note": "完成"},
    ),
    Case(
        "GET /api/v1/plans/plans/{plan_id}/contacts",
        lambda w: f"/api/v1/plans/plans/{w.records['plan'].pk}/contacts",
        api(ROLES_200),
        default=404,
    ),
    Case(
        "GET /api/v1/plans/plans/{plan_id}/roster",
        lambda w: f"/api/v1/plans/plans/{w.records['plan'].pk}/roster",
        api(ROLES_200),
        default=404,
    ),
    Case(
        "GET /api/v1/plans/duty/{kind_code}/now",
        "/api/v1/plans/duty/ethics/now?at=2014-01-22T01:00:00%2B08:00",
        api({**ROLES_200, "outsider": 403}),
    ),
]

# the plan-import pages (branch plans-import)
from .matrix_import import IMPORT_CASES  # noqa: E402

CASES += IMPORT_CASES
