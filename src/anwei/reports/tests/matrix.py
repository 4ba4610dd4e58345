from datetime import timedelta

from django.utils import timezone
from tests.matrix import ROLE_HOLDERS, Case, everyone, page, restricted_text
from tests.personas import World

from anwei.plans import feeds
from anwei.plans.models import Plan
from anwei.reports.models import ExportJob

READERS = {"admin": 200, "ethics": 200, "head": 200, "auditor": 200}


def setup_world(world: World) -> None:
    now = timezone.now()
    plan = Plan.objects.create(
        agency=world.agency,
        owning_unit=world.units["ethics"],
        title="測試春安計畫",
        period_start=now - timedelta(days=3),
        period_end=now + timedelta(days=3),
        status=Plan.Status.ACTIVE,
    )
    world.records["report_plan"] = plan
    world.records["reports_feed"] = feeds.reset(actor=world.users["staff_a"], feed=feeds.REPORTS_CALENDAR)
    world.records["reports_feed_reset"] = feeds.reset(actor=world.users["staff_b"], feed=feeds.REPORTS_CALENDAR)
    feeds.reset(actor=world.users["staff_b"], feed=feeds.REPORTS_CALENDAR)  # the first link is dead
    world.records["ethics_job"] = ExportJob.objects.create(
        kind="final",
        format="pdf",
        params={"plan": plan.pk},
        agency=world.agency,
        requested_by=world.users["ethics"],
        filename=restricted_text(world, "政風處自行匯出的成果報告.pdf", may_see={"ethics"}),
    )


def _plan(w: World) -> int:
    return w.records["report_plan"].pk


CASES = [
    Case("reports:index", "/reports/", page({**everyone(403, ROLE_HOLDERS), **READERS})),
    Case("reports:exports_csv", "/reports/exports.csv", page({**everyone(403, ROLE_HOLDERS), **READERS})),
    Case("reports:calendar", "/reports/calendar.ics", page(everyone(200))),
    Case(
        "reports:calendar_link",
        "/reports/calendar/",
        page(everyone(200)),
        secret=lambda w: w.records["reports_feed"],
        may_see=frozenset({"staff_a"}),
    ),
    # the secret link: no session needed, for its own user's calendar only
    Case(
        "reports:calendar_feed",
        lambda w: f"/reports/calendar/{w.records['reports_feed']}/anwei.ics",
        everyone(200, [*ROLE_HOLDERS, "outsider", "anonymous"]),
        label="own token",
    ),
    Case(
        "reports:calendar_feed",
        lambda w: f"/reports/calendar/{w.records['reports_feed_reset']}/anwei.ics",
        {},
        default=404,
        label="a link since reset",
    ),
    Case("reports:final", lambda w: f"/reports/plans/{_plan(w)}/final/", page(READERS), default=404),
    Case("reports:daily", lambda w: f"/reports/plans/{_plan(w)}/daily/", page(READERS), default=404),
    Case(
        "reports:export",
        lambda w: f"/reports/plans/{_plan(w)}/final/export/",
        page(dict.fromkeys(READERS, 302)),
        default=404,
        method="post",
        data={"format": "odt"},
    ),
    Case(
        "reports:letter",
        lambda w: f"/reports/plans/{_plan(w)}/final/letter/letter/",
        page(READERS),
        default=404,
    ),
    Case(
        "reports:job",
        lambda w: f"/reports/exports/{w.records['ethics_job'].pk}/",
        page({"ethics": 200}),
        default=404,
        label="someone else's export",
    ),
    Case(
        "reports:download",
        lambda w: f"/reports/exports/{w.records['ethics_job'].pk}/download/",
        page({"ethics": 302}),
        default=404,
        label="not ready yet",
    ),
]
