"""Dated rules for inspections. Each rule says from when it applies and where it comes from (DOMAIN.md); the rule
in force on a date is the latest one whose `effective_from` is not after that date. [assumed] values are the
office's own choice and may be changed here."""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class InspectionRules:
    effective_from: date
    source: str
    confidentiality_template: str  # template code of the confidentiality inspection (公務機密維護檢查)
    confidentiality_every_months: int  # at least every six months (DOMAIN §3, practice)
    cadence_remind_days: int  # remind the ethics office this many days before a unit's next inspection is due
    action_days: dict[str, int]  # default days to correct a finding, by severity [assumed]
    remind_before_days: int  # remind the owner unit this many days before an action is due [assumed]
    escalate_after_days: int  # overdue this many days: tell the unit's supervisor as well [assumed]


RULES: list[InspectionRules] = [
    InspectionRules(
        effective_from=date(2000, 1, 1),
        source="DOMAIN.md §3: ethics offices inspect confidentiality at least every six months [practice]; "
        "deadlines for corrective actions and reminders [assumed]",
        confidentiality_template="confidentiality",
        confidentiality_every_months=6,
        cadence_remind_days=30,
        action_days={"high": 7, "medium": 14, "low": 30},
        remind_before_days=2,
        escalate_after_days=3,
    ),
]


def rules_on(day: date) -> InspectionRules:
    applicable = [r for r in RULES if r.effective_from <= day]
    if not applicable:
        raise LookupError(f"no inspection rules in force on {day}")
    return max(applicable, key=lambda r: r.effective_from)


# Uploads: photos on a phone are JPEG/PNG/WebP; evidence may also be a PDF. Checked by content, not by name.
PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp"}
EVIDENCE_TYPES = PHOTO_TYPES | {"application/pdf"}
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_IMPORT_ROWS = 2000
