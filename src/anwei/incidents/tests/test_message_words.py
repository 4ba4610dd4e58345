"""A report's message is written in the office's language with ROC dates, whatever language the filer reads in:
no English category names, no Western dates (issue 14, "Every word on screen is the user's")."""

from datetime import datetime
from typing import Any

import pytest
from django.utils import translation

from anwei.core.rocdate import TAIPEI
from anwei.incidents import services
from anwei.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_a_report_filed_in_english_is_told_in_chinese_with_roc_dates(roster: Any) -> None:
    with translation.override("en"):
        incident = services.file_report(
            actor=roster.users["staff_a"],
            agency=roster.agency,
            category="cyber",
            title="公文系統遭入侵",
            cyber_level=2,
            aware_at=datetime(2026, 12, 6, 9, 5, tzinfo=TAIPEI),
        )
    message = Notification.objects.filter(source_id=str(incident.pk)).first()
    assert message is not None
    assert message.subject == f"[{incident.reference}] 新通報: 資安事件 第2級 — 公文系統遭入侵"
    assert "知悉時間: 115年12月6日9時5分" in message.body
    assert "2026-12-06" not in message.body and "Cyber-security incident" not in message.body
