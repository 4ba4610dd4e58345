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


# Mainland travel (赴陸) ----------------------------------------------------------------------------------------
RETURN = "return"  # 返臺通報表, once the ethics office files it upward
DECLARATION = "declaration"  # 赴陸申請／報備
DELEGATION = "delegation"  # 大陸人士來臺參訪
TRAVEL_EVENTS = (RETURN, DECLARATION, DELEGATION)


@dataclass(frozen=True)
class TravelFilingRule:
    """Filings of `event` (for declarations and return reports, of travellers in `categories`; "*" for any) go up
    as summaries: destination, category, dates, lateness, whether anyone probed or made contact — never the
    purpose, the places, what happened or the visitors' names. The traveller's name only where `send_name`."""

    event: str
    effective_from: date
    source: str
    categories: tuple[str, ...] = ("*",)
    send_name: bool = False
    effective_until: date | None = None

    def applies(self, *, event: str, category: str, on: date) -> bool:
        if on < self.effective_from or (self.effective_until is not None and on > self.effective_until):
            return False
        return self.event == event and ("*" in self.categories or category in self.categories)


TRAVEL_FILING_RULES: tuple[TravelFilingRule, ...] = (
    TravelFilingRule(RETURN, date(2019, 1, 1), "返臺通報表：政風機構於受理後7個工作日內陳報上級 (DOMAIN §4、§7)"),
    TravelFilingRule(
        DECLARATION,
        date(2024, 1, 1),
        "兩岸條例第9條第4項 涉密人員赴陸：經本機關轉內政部聯審，副知上級政風機構 [assumed]",
        categories=("sensitive",),
    ),
    TravelFilingRule(DELEGATION, date(2019, 1, 1), "大陸人士來臺參訪：接待情形陳報上級政風機構 [assumed]"),
)


def travel_rule(*, event: str, category: str = "", on: date) -> TravelFilingRule | None:
    """The rule in force on `on` that sends this travel filing up (the latest in force), or None: it stays home."""
    found = [r for r in TRAVEL_FILING_RULES if r.applies(event=event, category=category, on=on)]
    return max(found, key=lambda r: r.effective_from) if found else None


# The plan period's results report (執行成果報告) ---------------------------------------------------------------
@dataclass(frozen=True)
class ResultsRule:
    """The results report goes up with its figures; the document too (as `document_format`, at most `max_bytes`)
    unless it carries a marking in `document_withheld_when` — then the figures go alone and the document stays
    home (DOMAIN §7: classified content stays out of any exchange)."""

    effective_from: date
    source: str
    due_days: int = 14  # after the period ends: until then a to-do for the ethics office [assumed]
    document_format: str = "pdf"
    max_bytes: int = 2 * 1024 * 1024
    document_withheld_when: tuple[str, ...] = ("confidential",)


RESULTS_RULES: tuple[ResultsRule, ...] = (
    ResultsRule(date(2019, 1, 1), "春節期間安全維護工作執行成果報告：期滿後陳報上級政風機構 [assumed: 格式及期限未定]"),
)


def results_rule(on: date) -> ResultsRule | None:
    found = [r for r in RESULTS_RULES if r.effective_from <= on]
    return max(found, key=lambda r: r.effective_from) if found else None
