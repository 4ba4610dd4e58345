"""Demo data: a welcome notification in every demo user's inbox (one asks for acknowledgement) and the place where
the national cyber-incident contact's webhook would go (inactive: the demo never calls out)."""

from typing import Any

from . import services
from .models import ContactChannel


def load(ctx: Any) -> None:
    users = list(ctx.users.values())
    services.notify(
        people=users,
        subject="歡迎使用安維系統",
        body="通報、提醒與待確認事項會出現在這裡，並同時以電子郵件寄送。",
        key="demo:welcome",
        channels=["inapp"],
    )
    services.notify(
        people=users[:3],
        subject="春節安全維護計畫已啟動，請確認收到",
        body="請於今日下班前確認收到本通知；未確認者將依序陳報。",
        key="demo:plan-started",
        require_ack=True,
        channels=["inapp"],
    )
    cyber = ctx.organisations.get("cyber")
    contact = cyber.contacts.first() if cyber else None
    if contact is not None:
        ContactChannel.objects.create(
            contact=contact,
            channel=ContactChannel.Channel.WEBHOOK,
            address="https://cyber-contact.example/anwei/hook",
            secret="demo-secret-change-me",  # noqa: S106 - demo data, inactive
            active=False,
        )
