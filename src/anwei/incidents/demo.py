"""Demo reports: a level-2 cyber incident in the IT section, an impersonation fraud (with the press-release task for
the public-relations unit) and a restricted suspected leak — attached to the active demo plan when there is one."""

from datetime import timedelta

from django.utils import timezone

from anwei.accounts.actor import Actor
from anwei.directory.demo import DemoContext
from anwei.directory.models import DutyShift, Unit
from anwei.directory.selectors import on_duty

from . import services


def load(ctx: DemoContext) -> None:
    now = timezone.now()
    # The routing rules give the press release to the unit coded "pr": the secretariat handles public relations.
    Unit.objects.filter(pk=ctx.units["secretariat"].pk, code="").update(code="pr")
    # …and the illicit-liquor check to the unit coded "finance" (財政處, seed plan 執行重點（2）7).
    if "finance" in ctx.units:
        Unit.objects.filter(pk=ctx.units["finance"].pk, code="").update(code="finance")
    kind = ctx.duty_kinds.get("ethics")
    if kind is not None and on_duty(ctx.agency, "ethics", now).shift is None:
        DutyShift.objects.create(
            kind=kind,
            starts_at=now - timedelta(hours=12),
            ends_at=now + timedelta(days=7),
            person=ctx.people["tsai"],
            substitute=ctx.people["shen"],
        )
    staff, ethics = Actor.of(ctx.users["staff"]), Actor.of(ctx.users["ethics"])
    cyber = services.file_report(
        actor=staff,
        agency=ctx.agency,
        category="cyber",
        title="公文系統主機疑遭入侵",
        description="資訊科監控發現公文系統主機有異常登入紀錄，已先中斷對外連線。",
        cyber_level=2,
        aware_at=now - timedelta(hours=3),
        occurred_at=now - timedelta(hours=4),
        location="行政暨研考處資訊科機房",
        measures_taken="中斷對外連線、保全系統日誌",
        support_needed="請技術服務中心協助鑑識",
    )
    services.add_note(actor=ethics, incident_id=cyber.pk, text="已電話聯繫調查站值日官。")
    services.file_report(
        actor=ethics,
        agency=ctx.agency,
        category="fraud-impersonation",
        title="民眾反映有人假冒本府人員電話詐騙",
        description="民眾來電表示接獲自稱本府財政處人員之電話，要求匯款。",
        unit=ctx.units["finance"],
        aware_at=now - timedelta(minutes=40),
    )
    services.file_report(
        actor=ethics,
        agency=ctx.agency,
        category="leak",
        title="簽陳影本疑似外流",
        description="限閱簽陳影本出現在外部通訊群組。",
        unit=ctx.units["construction"],
        aware_at=now - timedelta(hours=1),
    )
