from datetime import timedelta

from django.utils import timezone
from tests.matrix import ROLE_HOLDERS, Case, everyone, page
from tests.personas import World

from anwei.drills.models import Exercise, Inject
from anwei.plans.models import Plan

VIEWERS = {"admin": 200, "ethics": 200, "head": 200, "auditor": 200}
RUNNERS = {"admin": 302, "ethics": 302}
# a drill is the agency's: those who may see it but not run it are refused, others (a second agency) see nothing
REFUSED = {"head": 403, "auditor": 403}


def setup_world(world: World) -> None:
    now = timezone.now()
    plan = Plan.objects.create(
        agency=world.agency,
        owning_unit=world.units["ethics"],
        title="測試演練計畫",
        period_start=now - timedelta(days=3),
        period_end=now + timedelta(days=3),
        status=Plan.Status.ACTIVE,
    )
    world.records["drill_plan"] = plan

    def exercise(status: str) -> Exercise:
        e = Exercise.objects.create(plan=plan, agency=world.agency, name=f"演練 {status}", status=status)
        Inject.objects.create(
            exercise=e, offset_minutes=0, category="theft", text="演練：公務電腦失竊", unit=world.units["a"]
        )
        return e

    world.records["drill_draft"] = exercise(Exercise.Status.DRAFT)
    world.records["drill_running"] = exercise(Exercise.Status.RUNNING)
    world.records["drill_stopped"] = exercise(Exercise.Status.STOPPED)


def _pk(key: str):  # type: ignore[no-untyped-def]
    return lambda w: w.records[key].pk


CASES = [
    Case("drills:index", "/drills/", page({**everyone(403, ROLE_HOLDERS), **VIEWERS})),
    Case("drills:new", "/drills/new/", page({**everyone(403, ROLE_HOLDERS), "admin": 200, "ethics": 200})),
    Case(
        "drills:new",
        "/drills/new/",
        page({**everyone(403, ROLE_HOLDERS), **RUNNERS}),
        method="post",
        data=lambda w: {
            "plan": w.records["drill_plan"].pk,
            "name": "新演練",
            "speed": 60,
            "script": "offset,category,level,unit,text,filer,details\n0,theft,,建設處,演練：失竊,,\n",
        },
        label="save",
    ),
    Case(
        "drills:detail",
        lambda w: f"/drills/{_pk('drill_draft')(w)}/",
        page({**VIEWERS, "ethics_other": 404}),
        default=404,
    ),
    Case("drills:status", lambda w: f"/drills/{_pk('drill_running')(w)}/status/", page(VIEWERS), default=404),
    Case(
        "drills:start",
        lambda w: f"/drills/{_pk('drill_draft')(w)}/start/",
        page({**RUNNERS, **REFUSED, "ethics_other": 404}),
        default=404,
        method="post",
        data={"speed": 60},
    ),
    Case(
        "drills:add_inject",
        lambda w: f"/drills/{_pk('drill_draft')(w)}/injects/",
        page({**RUNNERS, **REFUSED}),
        default=404,
        method="post",
        data={"offset": 5, "category": "theft", "text": "演練：另一台電腦失竊", "unit": "財政處"},
    ),
    Case(
        "drills:stop",
        lambda w: f"/drills/{_pk('drill_running')(w)}/stop/",
        page({**RUNNERS, **REFUSED}),
        default=404,
        method="post",
    ),
    Case(
        "drills:delete",
        lambda w: f"/drills/{_pk('drill_stopped')(w)}/delete/",
        page({**RUNNERS, **REFUSED}),
        default=404,
        method="post",
    ),
    Case("drills:report", lambda w: f"/drills/{_pk('drill_stopped')(w)}/report.odt", page(VIEWERS), default=404),
]
