"""Demo awareness work: an anti-fraud briefing with phone sign-ins, an impersonation-fraud alert to all staff, a late
mainland-travel declaration, a trip awaiting exit approval, a returned trip, a random-check draw and a visiting
delegation."""

from datetime import timedelta

from django.utils import timezone

from anwei.accounts.actor import Actor
from anwei.directory.demo import DemoContext

from . import rules, services


def load(ctx: DemoContext) -> None:
    today = timezone.localdate()
    ethics = Actor.of(ctx.users["ethics"])
    units = ctx.units
    briefing = services.create_activity(
        actor=ethics,
        unit_id=units["ethics"].pk,
        topic="fraud",
        title="反詐騙暨公務機密維護宣導（處務會議）",
        held_on=today - timedelta(days=3),
        form="staff_meeting",
        audience_unit_ids=[units["construction"].pk, units["finance"].pk, units["rd"].pk],
        materials="法務部調查局反詐騙宣導簡報\nhttps://165.npa.gov.tw/",
    )
    for key in ("construction_chief", "construction_staff", "finance_staff", "it_staff"):
        services.sign_in(actor=ethics, activity_id=briefing.pk, person=ctx.people[key])
    services.create_activity(
        actor=ethics,
        unit_id=units["ethics"].pk,
        topic="mainland",
        title="赴陸風險宣導海報",
        held_on=today - timedelta(days=10),
        form="poster",
        attendee_count=120,
    )
    alert = services.create_activity(
        actor=ethics,
        unit_id=units["ethics"].pk,
        topic="fraud",
        title="新型假冒檢警詐騙手法提醒",
        held_on=today,
        form="alert",
        alert_body="近日有歹徒假冒檢察官來電，稱同仁涉及洗錢並要求監管帳戶。檢警不會以電話要求轉帳，請立即掛斷並撥打165查證。",
    )
    services.send_alert(actor=ethics, activity=alert)

    staff = Actor.of(ctx.users["staff"])
    services.declare_travel(
        actor=staff,
        traveller_id=ctx.people["it_staff"].pk,
        destination=rules.MAINLAND,
        places="上海市（探親）",
        purpose="探親",
        applied_on=today,
        departs_on=today + timedelta(days=4),
        returns_on=today + timedelta(days=9),
    )
    services.declare_travel(
        actor=ethics,
        traveller_id=ctx.people["it_chief"].pk,
        destination=rules.HONG_KONG,
        places="香港（旅遊）",
        applied_on=today,
        departs_on=today + timedelta(days=30),
        returns_on=today + timedelta(days=34),
    )
    returned = services.declare_travel(
        actor=staff,
        traveller_id=ctx.people["it_staff"].pk,
        destination=rules.MAINLAND,
        places="廈門市（旅遊）",
        applied_on=today - timedelta(days=40),
        departs_on=today - timedelta(days=25),
        returns_on=today - timedelta(days=20),
    )
    services.acknowledge_briefing(actor=staff, declaration_id=returned.pk)
    services.file_return_report(
        actor=staff, declaration_id=returned.pk, probed=False, contacted=False, filed_on=today - timedelta(days=18)
    )
    services.draw_random_check(actor=ethics, seed="demo-115")
    services.create_delegation(
        actor=ethics,
        unit_id=units["construction"].pk,
        title="大陸某省城市建設交流參訪團",
        starts_on=today + timedelta(days=14),
        ends_on=today + timedelta(days=16),
        host_ids=[ctx.people["construction_chief"].pk],
        itinerary="第1日：縣府簡報\n第2日：參觀建設工地\n第3日：離花",
        visitors="團長 王○○（某市住建局）\n團員 8 人",
    )
