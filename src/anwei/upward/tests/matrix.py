from datetime import timedelta

from django.utils import timezone
from tests.matrix import ALL_PERSONAS, ROLE_HOLDERS, Case, api, everyone, page
from tests.personas import World

from anwei.directory.models import Agency
from anwei.upward import rules, services
from anwei.upward.models import RollupIncident, RollupSitrep

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
