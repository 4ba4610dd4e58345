"""What goes up, as dated data (like the routing rules of incidents): which reports the superior must be told of,
and by when the daily situation report is due after the cut-off."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.core.errors import BusinessRuleError
from anwei.incidents.rules import severity_rank


@dataclass(frozen=True)
class IncidentRule:
    """Reports of `category` ("*" for any) from `min_level` / `min_severity` go up as summaries."""

    category: str
    effective_from: date
    source: str
    min_level: int | None = None
    min_severity: str = ""
    effective_until: date | None = None

    def applies(self, *, category: str, cyber_level: int | None, severity: str, on: date) -> bool:
        if on < self.effective_from or (self.effective_until is not None and on > self.effective_until):
            return False
        if self.category not in ("*", category):
            return False
        if self.min_level is not None and (cyber_level is None or cyber_level < self.min_level):
            return False
        return not self.min_severity or severity_rank(severity) >= severity_rank(self.min_severity)


INCIDENT_RULES: tuple[IncidentRule, ...] = (
    IncidentRule("cyber", date(2019, 1, 1), "資通安全事件通報及應變辦法 第4條、第11條 (第三、四級)", min_level=3),
    IncidentRule("leak", date(2019, 1, 1), "政風機構維護公務機密作業要點 (洩密案件報告上級)"),
    IncidentRule("national-security", date(2019, 1, 1), "政風機構維護機關安全作業要點 (危害國家安全)"),
    IncidentRule("*", date(2019, 1, 1), "政風機構維護機關安全作業要點 (重大突發事件)", min_severity="major"),
)


@dataclass(frozen=True)
class SitrepRule:
    """The daily situation report is due `minutes_after_cutoff` after the day's cut-off (ANWEI_DAILY_CUTOFF)."""

    effective_from: date
    minutes_after_cutoff: int
    source: str


SITREP_RULES: tuple[SitrepRule, ...] = (
    SitrepRule(date(2019, 1, 1), 60, "春節期間安全維護工作每日狀況表 (截止後1小時內陳報)"),
)


def goes_up(*, category: str, cyber_level: int | None, severity: str, on: date) -> bool:
    return any(r.applies(category=category, cyber_level=cyber_level, severity=severity, on=on) for r in INCIDENT_RULES)


def cutoff_at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.fromisoformat(settings.ANWEI_DAILY_CUTOFF)))


def sitrep_due(day: date) -> datetime:
    """When the day's sitrep is due; a day before any rule had no sitrep due (refused, not a server error)."""
    in_force = [r for r in SITREP_RULES if r.effective_from <= day]
    if not in_force:
        raise BusinessRuleError(_("No situation report was due on that day."), field="date")
    rule = max(in_force, key=lambda r: r.effective_from)
    return cutoff_at(day) + timedelta(minutes=rule.minutes_after_cutoff)


def sitrep_day(now: datetime) -> date:
    """The day whose cut-off came last: the sitrep the board is waiting for."""
    local = timezone.localtime(now)
    return local.date() if local >= cutoff_at(local.date()) else local.date() - timedelta(days=1)
