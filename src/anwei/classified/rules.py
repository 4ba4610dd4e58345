"""The legal rules the register enforces, as dated data citing their source (shared/DOMAIN.md §3).

A rule set applies from `effective_from`; `rules_on(day)` picks the one in force on a day, so an item classified
in 2014 is judged by the 2014 rules and a new one by today's. When the law changes, add a new `RuleSet` below
(never edit an old one)."""

from dataclasses import dataclass, field
from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """機密等級, highest first. 絕對機密/極機密/機密 are national secrets (國家機密); 密 is 一般公務機密."""

    TOP_SECRET = "top_secret", _("絕對機密 (top secret)")
    SECRET = "secret", _("極機密 (secret)")
    CONFIDENTIAL = "confidential", _("機密 (confidential)")
    RESTRICTED = "restricted", _("密 (official secret, 一般公務機密)")


# Higher number = higher level.
RANK = {Level.TOP_SECRET: 4, Level.SECRET: 3, Level.CONFIDENTIAL: 2, Level.RESTRICTED: 1}
MARK = {Level.TOP_SECRET: "絕對機密", Level.SECRET: "極機密", Level.CONFIDENTIAL: "機密", Level.RESTRICTED: "密"}
NATIONAL_SECRET_LEVELS = frozenset({Level.TOP_SECRET, Level.SECRET, Level.CONFIDENTIAL})


class TransferMethod(models.TextChoices):
    """How an item travels (DOMAIN §3: inside the agency / outside it)."""

    HAND_CARRIED = "hand_carried", _("Hand-carried by the case officer (承辦人親送)")
    SEALED_ENVELOPE = "sealed_envelope", _("Sealed envelope (密封信封)")
    LOCKED_BOX = "locked_box", _("Locked box (加鎖公文箱)")
    DOUBLE_ENVELOPE_COURIER = "double_envelope_courier", _("Double envelope, designated person (雙封套專人遞送)")
    DOUBLE_ENVELOPE_REGISTERED = "double_envelope_registered", _("Double envelope, double-registered mail (雙掛號)")
    SEALED_ORDINARY = "sealed_ordinary", _("Sealed, ordinary delivery (密封普通遞送)")
    ENCRYPTED_ELECTRONIC = "encrypted_electronic", _("Encrypted electronic transmission (加密傳輸)")


@dataclass(frozen=True)
class LevelRule:
    max_years: int | None  # None: no statutory maximum (set by the agency)
    may_copy: bool
    internal_methods: tuple[str, ...]
    external_methods: tuple[str, ...]


@dataclass(frozen=True)
class RuleSet:
    effective_from: date
    source: str
    levels: dict[str, LevelRule]
    decision_days: int  # a proposed classification must be decided within this many days
    decision_reminder_days: int  # remind the deciding official this many days before the deadline
    citations: dict[str, str] = field(default_factory=dict)

    def level(self, level: str) -> LevelRule:
        return self.levels[level]


M = TransferMethod
_NATIONAL_SECRETS_ACT_2003 = RuleSet(
    effective_from=date(2003, 10, 1),
    source="國家機密保護法（92年2月6日公布，92年10月1日施行；112年12月27日修正）及其施行細則；文書處理手冊",
    levels={
        Level.TOP_SECRET: LevelRule(30, False, (M.HAND_CARRIED,), (M.DOUBLE_ENVELOPE_COURIER,)),
        Level.SECRET: LevelRule(20, True, (M.HAND_CARRIED,), (M.DOUBLE_ENVELOPE_COURIER,)),
        Level.CONFIDENTIAL: LevelRule(
            10,
            True,
            (M.HAND_CARRIED, M.SEALED_ENVELOPE, M.LOCKED_BOX),
            (M.DOUBLE_ENVELOPE_COURIER, M.DOUBLE_ENVELOPE_REGISTERED, M.ENCRYPTED_ELECTRONIC),
        ),
        # 一般公務機密: no statutory maximum period [assumed: the agency sets it]
        Level.RESTRICTED: LevelRule(
            None,
            True,
            (M.HAND_CARRIED, M.SEALED_ENVELOPE, M.LOCKED_BOX),
            (
                M.SEALED_ORDINARY,
                M.DOUBLE_ENVELOPE_COURIER,
                M.DOUBLE_ENVELOPE_REGISTERED,
                M.ENCRYPTED_ELECTRONIC,
            ),
        ),
    },
    decision_days=30,
    decision_reminder_days=7,
    citations={
        "decision": "國家機密保護法第6條",
        "max_period": "國家機密保護法第11條第2項",
        "condition_falls_due": "國家機密保護法第11條第4項",
        "need_to_know": "國家機密保護法第14條",
        "destruction": "國家機密保護法第15條第2項",
        "no_copy": "國家機密保護法第15條第3項",
        "combine": "國家機密保護法第17條",
        "copies": "國家機密保護法第18條",
        "transfer": "國家機密保護法第15條第1項；國家機密保護法施行細則；文書處理手冊",
    },
)

RULE_SETS: list[RuleSet] = [_NATIONAL_SECRETS_ACT_2003]


def rules_on(day: date) -> RuleSet:
    """The rule set in force on `day` (the earliest one for days before every rule set)."""
    applicable = [r for r in RULE_SETS if r.effective_from <= day]
    return max(applicable, key=lambda r: r.effective_from) if applicable else RULE_SETS[0]


def highest(levels: list[str]) -> str:
    """Combining items takes the highest of their levels (國家機密保護法第17條)."""
    if not levels:
        raise ValueError("no levels")
    return max(levels, key=lambda lv: RANK[Level(lv)])


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def latest_end(level: str, classified_on: date) -> date | None:
    """The last day protection may last for `level` classified on `classified_on`, or None if unlimited."""
    years = rules_on(classified_on).level(level).max_years
    return add_years(classified_on, years) if years is not None else None
