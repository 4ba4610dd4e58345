"""Demo register: a few items of Hualien County Government — one with two copies out (one of them overdue is
left for the periodic check to find), a proposed classification awaiting decision, a pending take-out request
and a transfer in a sealed envelope waiting for confirmation."""

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from anwei.core.rocdate import today

from . import custody, services, transfers
from .rules import Level, TransferMethod


def load(ctx: Any) -> None:
    staff, supervisor, head = ctx.users["staff"], ctx.users["supervisor"], ctx.users["head"]
    it_unit, construction = ctx.units["it"], ctx.units["construction"]
    report = services.register_item(
        actor=staff,
        unit=it_unit,
        title="花蓮縣政府資通系統弱點評估報告",
        content="春節安全維護期間對外服務系統之弱點掃描結果與修補時程。",
        level=Level.CONFIDENTIAL,
        classified_on=date(2025, 12, 15),
        protection_until=date(2030, 12, 31),
        classifying_authority="花蓮縣政府縣長",
        custodian=staff,
        storage_location="行政暨研考處資訊科機密櫃 A",
    )
    copy_req = custody.request(
        actor=staff,
        item=report,
        kind="photocopy",
        purpose="提供政風處安全維護會報參閱",
        copies=2,
        due_back=timezone.now() + timedelta(days=3),
    )
    custody.decide(actor=head, req=copy_req, approve=True, note="會後收回")
    services.register_item(
        actor=supervisor,
        unit=construction,
        title="縣長春節期間行程與維安部署",
        content="春節期間縣長行程、隨行人員與維安部署。",
        level=Level.RESTRICTED,
        classified_on=date(2026, 1, 10),
        declassification_condition="春節安全維護期間結束",
        classifying_authority="建設處處長",
        custodian=supervisor,
        storage_location="建設處機密櫃 1",
    )
    services.register_item(
        actor=staff,
        unit=it_unit,
        title="資安事件通報窗口及備援通訊方式",
        level=Level.CONFIDENTIAL,
        classified_on=today() - timedelta(days=24),
        protection_until=today() + timedelta(days=365 * 3),
        classifying_authority="行政暨研考處處長（擬訂）",
        custodian=staff,
        storage_location="行政暨研考處資訊科機密櫃 A",
        proposed=True,
    )
    plan = services.register_item(
        actor=staff,
        unit=it_unit,
        title="機房實體安全配置圖",
        level=Level.SECRET,
        classified_on=date(2024, 6, 1),
        protection_until=date(2044, 5, 31),
        classifying_authority="花蓮縣政府縣長",
        custodian=staff,
        storage_location="行政暨研考處資訊科機密櫃 A",
    )
    custody.request(
        actor=staff,
        item=plan,
        kind="take_out",
        purpose="赴中央主管機關簡報",
        due_back=timezone.now() + timedelta(days=1),
    )
    transfer = transfers.start_transfer(
        actor=supervisor,
        item=services.register_item(
            actor=supervisor,
            unit=construction,
            title="工地門禁管制名冊",
            level=Level.RESTRICTED,
            classified_on=date(2026, 1, 5),
            protection_until=date(2027, 1, 4),
            classifying_authority="建設處處長",
            custodian=supervisor,
            storage_location="建設處機密櫃 1",
        ),
        method=TransferMethod.SEALED_ENVELOPE,
        expected_by=timezone.now() + timedelta(hours=4),
        to_user=ctx.users["ethics"],
    )
    transfers.confirm_sent(actor=supervisor, transfer=transfer)
