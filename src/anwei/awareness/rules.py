"""Travel, return and random-check rules as dated data (DOMAIN §3, §4). A declaration is judged by the rule in force
on the day it is filed; amend by adding a row with a later `effective_from`, never by editing an old one."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from django.utils.translation import gettext_lazy as _

MAINLAND = "mainland"
HONG_KONG = "hong_kong"
MACAU = "macau"

SENSITIVE = "sensitive"  # 兩岸條例第9條第4項 security-sensitive persons (incl. those handling national secrets)
SENIOR = "senior"  # 簡任第11職等以上、警監三階以上, not handling secrets
JUNIOR = "junior"  # 第10職等以下, not handling secrets

CATEGORY_NAMES = {
    SENSITIVE: _("Security-sensitive person (兩岸條例第9條第4項)"),
    SENIOR: _("Senior official (簡任第11職等以上／警監三階以上)"),
    JUNIOR: _("Grade 10 and below (第10職等以下)"),
}
DESTINATION_NAMES = {MAINLAND: _("Mainland China"), HONG_KONG: _("Hong Kong"), MACAU: _("Macau")}

AUTHORITY_MOI_JOINT = "moi_joint"
AUTHORITY_MOI = "moi"
AUTHORITY_AGENCY = "agency"
AUTHORITY_NAMES = {
    AUTHORITY_MOI_JOINT: _("Ministry of the Interior joint review (內政部聯審), via own agency"),
    AUTHORITY_MOI: _("Ministry of the Interior (內政部), via own agency"),
    AUTHORITY_AGENCY: _("Own agency (本機關)"),
}

TRAVEL_2024 = "DOMAIN §4 — 臺灣地區公務員及特定身分人員進入大陸地區許可辦法 (2024–2025 texts)"
HK_MACAU = "DOMAIN §4 — 香港澳門關係條例 / 公務員赴港澳報備 [practice]"


@dataclass(frozen=True)
class TravelRule:
    """Who applies where, and how early. `working_days` excludes the application day, the departure day and
    holidays; a rule with `calendar_days` counts plain days instead."""

    code: str
    destinations: tuple[str, ...]
    category: str
    authority: str
    working_days: int
    calendar_days: bool
    effective_from: date
    source: str
    assumed: bool = False

    @property
    def description(self) -> str:
        unit = _("days") if self.calendar_days else _("working days")
        return f"{self.code}: ≥ {self.working_days} {unit} ({self.source})"


TRAVEL_RULES: list[TravelRule] = [
    TravelRule(
        "mainland-sensitive-7wd", (MAINLAND,), SENSITIVE, AUTHORITY_MOI_JOINT, 7, False, date(2024, 1, 1), TRAVEL_2024
    ),
    TravelRule("mainland-senior-2wd", (MAINLAND,), SENIOR, AUTHORITY_MOI, 2, False, date(2024, 1, 1), TRAVEL_2024),
    TravelRule("mainland-junior-5wd", (MAINLAND,), JUNIOR, AUTHORITY_AGENCY, 5, False, date(2024, 1, 1), TRAVEL_2024),
    # Hong Kong / Macau: notify 3 days before leaving; security-sensitive persons as for the mainland [assumed].
    TravelRule(
        "hkmo-sensitive-7wd",
        (HONG_KONG, MACAU),
        SENSITIVE,
        AUTHORITY_MOI_JOINT,
        7,
        False,
        date(2024, 1, 1),
        HK_MACAU,
        True,
    ),
    TravelRule("hkmo-senior-3d", (HONG_KONG, MACAU), SENIOR, AUTHORITY_AGENCY, 3, True, date(2024, 1, 1), HK_MACAU),
    TravelRule("hkmo-junior-3d", (HONG_KONG, MACAU), JUNIOR, AUTHORITY_AGENCY, 3, True, date(2024, 1, 1), HK_MACAU),
]

# Hong Kong / Macau with a planned meeting with specified persons (特定人士): notify 1 week (7 days) before.
HK_MACAU_MEETING = [
    TravelRule(
        "hkmo-meeting-7d",
        (HONG_KONG, MACAU),
        "*",
        AUTHORITY_AGENCY,
        7,
        True,
        date(2024, 1, 1),
        HK_MACAU + " — 會晤特定人士",
    )
]


@dataclass(frozen=True)
class DeadlineRule:
    code: str
    working_days: int
    effective_from: date
    source: str


# 返臺通報表 filed with the ethics unit within 7 working days of return; the ethics unit files it upward within 7.
RETURN_REPORT = [DeadlineRule("return-report-7wd", 7, date(2024, 1, 1), TRAVEL_2024 + " — 返臺通報")]
UPWARD_FILING = [DeadlineRule("upward-filing-7wd", 7, date(2024, 1, 1), TRAVEL_2024 + " — 政風機構陳報")]

# People who handled national secrets need exit approval during the duty and for 3 years after (國家機密保護法 第26條).
EXIT_APPROVAL_YEARS = [(date(2003, 10, 1), 3, "DOMAIN §3 — 國家機密保護法 第26條 (extendable once, to 6)")]

# Random checks of junior staff: about 2 % [practice].
RANDOM_CHECK_RATE = [(date(2024, 1, 1), 0.02, "DOMAIN §4 — 政風機構抽查約2% [practice]")]

# Reminders before a return report falls due (traveller) and once it is overdue (ethics office) [assumed].
REMIND_TRAVELLER_WORKING_DAYS_BEFORE = 2


# How far up an application goes. A category chosen instead of the directory's must apply at least as high up.
AUTHORITY_RANK = {AUTHORITY_AGENCY: 0, AUTHORITY_MOI: 1, AUTHORITY_MOI_JOINT: 2}


def _notice_at_least(a: TravelRule, b: TravelRule) -> bool:
    """Rule `a` asks for at least as much notice as rule `b` (n working days are never fewer than n days)."""
    if a.calendar_days and not b.calendar_days:
        return False
    return a.working_days >= b.working_days


def is_stricter(chosen: TravelRule, derived: TravelRule) -> bool:
    """The chosen category's rule asks at least as much as the directory's on both counts (the authority applied
    to and the notice) and more on one: a traveller may pick such a category, never a laxer or a different one."""
    up, down = AUTHORITY_RANK[chosen.authority], AUTHORITY_RANK[derived.authority]
    if up < down or not _notice_at_least(chosen, derived):
        return False
    return up > down or not _notice_at_least(derived, chosen)


class _Dated(Protocol):
    @property
    def effective_from(self) -> date: ...


def _in_force[R: _Dated](rows: Sequence[R], on: date) -> R:
    """The row in force on `on`: the latest one whose `effective_from` has come."""
    current = [r for r in rows if r.effective_from <= on]
    if not current:
        raise LookupError(f"no rule in force on {on}")
    return max(current, key=lambda r: r.effective_from)


def _value_in_force[V](rows: Sequence[tuple[date, V, str]], on: date) -> V:
    """The value of the (effective from, value, source) row in force on `on`."""
    current = [r for r in rows if r[0] <= on]
    if not current:
        raise LookupError(f"no rule in force on {on}")
    return max(current, key=lambda r: r[0])[1]


def travel_rule(destination: str, category: str, on: date, *, meeting: bool = False) -> TravelRule:
    """The rule for this trip; a Hong Kong/Macau trip with a planned meeting with specified persons takes the stricter
    of the category's rule and the meeting rule."""
    rows = [r for r in TRAVEL_RULES if destination in r.destinations and r.category == category]
    rule = _in_force(rows, on)
    if meeting and destination in (HONG_KONG, MACAU):
        extra = _in_force(HK_MACAU_MEETING, on)
        if extra.calendar_days and rule.calendar_days and extra.working_days > rule.working_days:
            return extra
    return rule


def by_code(code: str) -> TravelRule | None:
    return next((r for r in [*TRAVEL_RULES, *HK_MACAU_MEETING] if r.code == code), None)


def return_report_rule(on: date) -> DeadlineRule:
    return _in_force(RETURN_REPORT, on)


def upward_filing_rule(on: date) -> DeadlineRule:
    return _in_force(UPWARD_FILING, on)


def exit_approval_years(on: date) -> int:
    return _value_in_force(EXIT_APPROVAL_YEARS, on)


def random_check_rate(on: date) -> float:
    return _value_in_force(RANDOM_CHECK_RATE, on)
