from datetime import timedelta

from django.utils import timezone
from tests.matrix import ALL_PERSONAS, ROLE_HOLDERS, Case, api, everyone, page
from tests.personas import World

from anwei.directory.models import Agency
from anwei.plans.models import Plan
from anwei.upward import rules, services
from anwei.upward.models import Link, RollupIncident, RollupResults, RollupSitrep, RollupTravel

# roll-up scope: a role allowing upward.rollup on the agency's top unit covers its subordinate agencies
ROLLUP = {"admin": 200, "ethics": 200, "head": 200, "auditor": 200, "duty": 200}
ROLLUP_TITLE = "下級機關主機遭植入勒索軟體"


def setup_world(world: World) -> None:
    sub = Agency.objects.create(code="matrix-sub", name="測試鄉公所", superior=world.agency)
    services.create_link(actor=None, agency_code=sub.code, name="測試鄉公所政風室")
    now = timezone.now()
    RollupIncident.objects.create(
        agency=sub,
        reference="115-0001",
        category="cyber",
        cyber_level=3,
        status="open",
        title=ROLLUP_TITLE,
        aware_at=now - timedelta(hours=1),
    )
    RollupSitrep.objects.create(agency=sub, day=rules.sitrep_day(now), filed_at=now, zero_report=True)
    RollupTravel.objects.create(
        agency=sub, event="return", source_id=1, destination="mainland", starts_on=now.date(), ends_on=now.date()
    )
    world.records["rollup_results"] = RollupResults.objects.create(
        agency=sub,
        plan_ref=1,
        plan_title="測試春安計畫",
        period_start=now - timedelta(days=10),
        period_end=now - timedelta(days=1),
        figures={"incidents": {"cyber": {"new": 1, "open": 1, "closed": 0}}},
        document=b"%PDF-1.7 matrix",
        document_format="pdf",
    )
    world.records["upward_plan"] = Plan.objects.create(
        agency=world.agency,
        owning_unit=world.units["ethics"],
        title="已結束的春安計畫",
        period_start=now - timedelta(days=10),
        period_end=now - timedelta(days=1),
    )


def _title(w: World) -> str:
    return ROLLUP_TITLE


SEERS = frozenset(ROLLUP)
CASES = [
    Case(
        "upward:board",
        "/upward/",
        page({**everyone(403, ROLE_HOLDERS), **ROLLUP, "ethics_other": 200, "auditor_a1": 403}),
        secret=_title,
        may_see=SEERS,
    ),
    # only a signed filing is accepted: a session is no substitute for the link's signature
    Case("upward:receive", "/upward/receive/", everyone(401, ALL_PERSONAS), method="post"),
    Case(
        "GET /api/v1/rollup/incidents",
        "/api/v1/rollup/incidents",
        api({**everyone(403, ROLE_HOLDERS), **everyone(403, ["outsider"]), **ROLLUP, "ethics_other": 200}),
        secret=_title,
        may_see=SEERS,
    ),
    Case(
        "GET /api/v1/rollup/sitreps",
        "/api/v1/rollup/sitreps",
        api({**everyone(403, ROLE_HOLDERS), **everyone(403, ["outsider"]), **ROLLUP, "ethics_other": 200}),
        secret=lambda w: "matrix-sub",
        may_see=SEERS,
    ),
]


def _period(w: World) -> str:
    start = timezone.localdate() - timedelta(days=10)
    return f"?from={start.isoformat()}&to={(start + timedelta(days=9)).isoformat()}"


ROLLUP_PAGE = page({**everyone(403, ROLE_HOLDERS), **ROLLUP, "ethics_other": 200, "auditor_a1": 403})
CASES += [
    Case("upward:links", "/upward/links/", page({**everyone(403, ROLE_HOLDERS), "admin": 200, "ethics_other": 403})),
    Case(
        "upward:revoke_link",
        lambda w: f"/upward/links/{Link.objects.get(agency__code='matrix-sub').pk}/revoke/",
        page({**everyone(403, ROLE_HOLDERS), "admin": 302, "ethics_other": 403}),
        method="post",
    ),
    Case("upward:combined", lambda w: f"/upward/results/combined.pdf{_period(w)}", ROLLUP_PAGE, label="pdf"),
    Case("upward:combined", lambda w: f"/upward/results/combined.ods{_period(w)}", ROLLUP_PAGE, label="ods"),
    Case(
        "upward:results_document",
        lambda w: f"/upward/results/{w.records['rollup_results'].pk}/document/",
        page({**everyone(403, ROLE_HOLDERS), **ROLLUP, "ethics_other": 404, "auditor_a1": 403}),
    ),
    # the subordinate's side: its ethics office (and admin) files the period's results report upward
    Case(
        "upward:file_results",
        lambda w: f"/upward/results/file/{w.records['upward_plan'].pk}/",
        page({"admin": 200, "ethics": 200, "head": 403, "auditor": 403}),
        default=404,
    ),
    Case(
        "GET /api/v1/rollup/results",
        "/api/v1/rollup/results",
        api({**everyone(403, ROLE_HOLDERS), **everyone(403, ["outsider"]), **ROLLUP, "ethics_other": 200}),
        secret=lambda w: "matrix-sub",
        may_see=SEERS,
    ),
    Case(
        "GET /api/v1/rollup/travel",
        "/api/v1/rollup/travel",
        api({**everyone(403, ROLE_HOLDERS), **everyone(403, ["outsider"]), **ROLLUP, "ethics_other": 200}),
    ),
]
