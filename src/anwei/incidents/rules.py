"""The rules the incidents app applies, as dated data citing their source (shared/DOMAIN.md §2 and §5).

Categories (通報類別) and the cyber-incident levels are fixed by code (stable codes, names in zh-Hant and English).
Routing rules live in the database (`RoutingRule`, editable by admins, every edit audited); `DEFAULT_RULES` below
is what a new installation starts with (loaded by a data migration)."""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

SEVERITIES = ["normal", "major", "critical"]  # 一般 · 重大 · 緊急 — DOMAIN §6: grading not settled [assumed]
SEVERITY_NAMES = {"normal": _("normal"), "major": _("major"), "critical": _("critical")}


def severity_rank(code: str) -> int:
    return SEVERITIES.index(code) if code in SEVERITIES else -1


@dataclass(frozen=True)
class Category:
    """通報類別: a stable code, names in Traditional Chinese and English, the default severity, and whether its
    reports are restricted (ethics officers and holders of a need-to-know grant only)."""

    code: str
    name_zh: str
    name_en: str
    default_severity: str = "normal"
    restricted: bool = False

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "zh-hant").startswith("en") else self.name_zh

    def __str__(self) -> str:
        return self.name


CATEGORIES: dict[str, Category] = {
    c.code: c
    for c in [
        Category("warning", "預警情資", "Warning intelligence"),
        Category("leak", "洩密或疑似洩密", "Leak or suspected leak", "major", restricted=True),
        Category("cyber", "資安事件", "Cyber-security incident"),
        Category("sabotage", "危害破壞", "Sabotage", "major"),
        Category("theft", "竊盜", "Theft"),
        Category("arson", "縱火", "Arson", "major"),
        Category("explosion", "爆炸", "Explosion", "critical"),
        Category("terror", "恐怖攻擊", "Terrorist attack", "critical"),
        Category("accident", "工安或重大意外", "Industrial or major accident", "major"),
        Category("casualty", "人員重大傷亡", "Serious casualties", "critical"),
        Category("petition", "集體陳情請願抗議", "Group petition or protest"),
        Category("fraud-impersonation", "假冒公務員詐騙", "Fraud impersonating officials"),
        Category("national-security", "危害國家安全", "Threat to national security", "major", restricted=True),
        Category("public-order", "危害社會公共秩序", "Threat to public order"),
        Category("mainland-visitor", "大陸人士參訪違常", "Irregularity in a mainland visit"),
        Category("site-safety", "工地安全", "Construction-site safety"),
        Category("illicit-liquor", "私劣酒", "Illicit or counterfeit liquor"),
        Category("other", "其他", "Other"),
    ]
}


def category(code: str) -> Category:
    return CATEGORIES[code]


@dataclass(frozen=True)
class CyberLevel:
    level: int
    summary_zh: str
    summary_en: str
    severity: str

    @property
    def summary(self) -> str:
        return self.summary_en if (get_language() or "zh-hant").startswith("en") else self.summary_zh


# DOMAIN §2 [law; L4 wording partly assumed]: 資通安全事件通報及應變辦法 (2021 text).
CYBER_LEVELS_SOURCE = "DOMAIN §2 — 資通安全事件通報及應變辦法 第2條 (2021)"
CYBER_LEVELS: dict[int, CyberLevel] = {
    1: CyberLevel(
        1,
        "非核心業務資訊輕微洩漏或竄改，或非核心資通系統停頓但於可容忍中斷時間內回復。",
        "Minor leak or alteration of non-core information, or a non-core system down but restored within its "
        "tolerable downtime.",
        "normal",
    ),
    2: CyberLevel(
        2,
        "非核心業務資訊嚴重洩漏，或核心業務（非關鍵基礎設施）資訊輕微洩漏；非核心系統停頓逾可容忍中斷時間，"
        "或核心系統停頓於可容忍中斷時間內回復。",
        "Serious leak of non-core information, or minor leak of core (non-critical-infrastructure) information; "
        "a non-core outage beyond its tolerable downtime, or a core outage restored within it.",
        "normal",
    ),
    3: CyberLevel(
        3,
        "核心業務（非關鍵基礎設施）資訊嚴重洩漏，或一般公務機密、關鍵基礎設施核心資訊輕微洩漏；"
        "關鍵基礎設施核心系統停頓於可容忍中斷時間內回復。",
        "Serious leak of core non-critical-infrastructure information, minor leak of general official secrets "
        "(一般公務機密) or of critical-infrastructure core information, or a critical-infrastructure core outage "
        "restored in time.",
        "major",
    ),
    4: CyberLevel(
        4,
        "國家機密洩漏或竄改，一般公務機密或敏感資訊嚴重洩漏，或關鍵基礎設施核心系統停頓未於可容忍中斷時間內回復。",
        "Any leak or alteration of national secrets (國家機密), a serious leak of general official secrets or "
        "sensitive information, or a critical-infrastructure core outage not restored in time.",
        "critical",
    ),
}

# Deadline codes and their names (the rule's `deadlines` refer to these codes).
DEADLINE_NAMES = {
    "notify": _("Notify"),
    "recovery": _("Damage control or recovery"),
    "investigation_report": _("Investigation report"),
    "report": _("Report to the ethics office"),
}


@dataclass(frozen=True)
class Body:
    """A body a notify/report clock concerns (the ethics office, the agency head, the Investigation Bureau station…)
    and the recipient codes whose people or contacts belong to it: the clock is met when any of them is reached."""

    code: str
    name_zh: str
    name_en: str
    members: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "zh-hant").startswith("en") else self.name_zh

    def __str__(self) -> str:
        return self.name


# The bodies a rule's notify/report deadline may name (`{"code": "notify", "hours": 1, "body": "org:cyber"}`).
# Which body a clock concerns is data in the dated rule; this table only says who belongs to each body.
BODIES: dict[str, Body] = {
    b.code: b
    for b in [
        Body("ethics", "政風機構", "Ethics office", ("role:ethics_officer", "duty:ethics")),
        Body("agency_head", "機關首長", "Agency head", ("role:agency_head",)),
        Body("org:investigation", "調查處站", "Investigation Bureau station", ("org:investigation",)),
        Body("org:police", "警察機關", "Police", ("org:police",)),
        Body("org:cyber", "國家資安通報應變", "National cyber-incident process", ("org:cyber",)),
        Body("org:superior", "上級機關", "Superior agency", ("org:superior",)),
        Body("unit", "權責單位主管", "The unit's supervisor", ("role:unit_supervisor",)),
        Body("agency_duty", "機關值勤", "Agency duty officer", ("duty:agency",)),
    ]
}
# A rule's report deadline without a body concerns the ethics office (陳報政風機構).
DEFAULT_BODY = {"report": "ethics"}


def body_of_code(recipient_code: str) -> str | None:
    """The body a recipient code's people or contacts belong to."""
    return next((b.code for b in BODIES.values() if recipient_code in b.members), None)


# Recipient codes a rule may use: role:<role>, duty:<duty kind code>, org:<organisation kind>.
RECIPIENT_NAMES = {
    "role:agency_head": _("Agency head"),
    "role:ethics_officer": _("Ethics officers"),
    "role:unit_supervisor": _("The unit's supervisor"),
    "duty:ethics": _("Ethics-office duty officer (on duty now)"),
    "duty:agency": _("Agency duty officer (on duty now)"),
    "org:investigation": _("Investigation Bureau station (調查處站)"),
    "org:police": _("Police"),
    "org:cyber": _("National cyber-incident contact"),
    "org:superior": _("Superior agency"),
}

# The escalation ladder for an unacknowledged notification [practice; assumed, DOMAIN §6]: the duty officer, then
# the ethics office (its officers and head), then the agency head.
ESCALATION_LADDER = ["duty:ethics", "role:ethics_officer", "role:agency_head"]
# An outside contact (調查處站, police, the national cyber contact) who does not acknowledge, or cannot be reached,
# passes to the ethics office: it files with outside bodies and, when the designated channel fails, must use another
# within the hour and record why (DOMAIN §2) — a call to the station, not a notice to the agency head.
CONTACT_ESCALATES_TO = "role:ethics_officer"
DEFAULT_ACK_MINUTES = 30

CYBER_2021 = "DOMAIN §2 — 資通安全事件通報及應變辦法 (2021), 第11、13條"
SECURITY = "DOMAIN §5 — 機關安全維護 [practice]"
SEED = "DOMAIN §1 — 花蓮縣政府103年春節安全維護計畫 (seed)"
EFFECTIVE = date(2021, 8, 23)
SEED_DATE = date(2014, 1, 1)

# Loaded once by migration 0002: keep it as it was. Later changes to the default rules are data migrations of their
# own, dated and citing their source (0003: major incidents → agency head at once, from the seed).
DEFAULT_RULES: list[dict[str, object]] = [
    {
        "name": "Every report: ethics office within 1 hour",
        "category": "*",
        "recipients": ["role:ethics_officer", "duty:ethics"],
        "deadlines": [{"code": "report", "hours": 1}],
        "source": SECURITY + "; 1 hour [practice], grading [assumed §6]",
        "effective_from": SEED_DATE,
    },
    {
        "name": "Cyber incident: notify within 1 hour, investigation report 1 month after recovery",
        "category": "cyber",
        "recipients": ["role:ethics_officer", "duty:ethics", "org:investigation", "org:cyber"],
        "deadlines": [
            {"code": "notify", "hours": 1},
            {"code": "investigation_report", "months": 1, "after": "recovered"},
        ],
        "source": CYBER_2021 + "; " + SEED + " (調查處站)",
        "effective_from": EFFECTIVE,
    },
    {
        "name": "Cyber incident level 1–2: recovery within 72 hours",
        "category": "cyber",
        "min_level": 1,
        "max_level": 2,
        "deadlines": [{"code": "recovery", "hours": 72}],
        "source": CYBER_2021,
        "effective_from": EFFECTIVE,
    },
    {
        "name": "Cyber incident level 3–4: recovery within 36 hours, agency head told",
        "category": "cyber",
        "min_level": 3,
        "max_level": 4,
        "recipients": ["role:agency_head"],
        "deadlines": [{"code": "recovery", "hours": 36}],
        "source": CYBER_2021,
        "effective_from": EFFECTIVE,
    },
    {
        "name": "National security: investigation authority",
        "category": "national-security",
        "recipients": ["org:investigation", "role:agency_head"],
        "source": "DOMAIN §5 — 國家安全法 第2條 (2022; 第2條之1 before)",
        "effective_from": date(2022, 6, 8),
    },
    {
        "name": "National security (before the 2022 amendment): investigation authority",
        "category": "national-security",
        "recipients": ["org:investigation", "role:agency_head"],
        "source": "DOMAIN §5 — 國家安全法 第2條之1 (seed era)",
        "effective_from": SEED_DATE,
        "effective_until": date(2022, 6, 8),
    },
    {
        "name": "Leak: agency head, in confidence",
        "category": "leak",
        "recipients": ["role:agency_head"],
        "source": "DOMAIN §3 — ethics-office duties [practice]",
        "effective_from": SEED_DATE,
    },
    {
        "name": "Public order: police",
        "category": "public-order",
        "recipients": ["org:police"],
        "source": SEED,
        "effective_from": SEED_DATE,
    },
    *[
        dict[str, object](
            name=f"{code}: supervisor, ethics office and police at once",
            category=code,
            recipients=["role:unit_supervisor", "org:police"],
            deadlines=[{"code": "report", "hours": 1}],
            source="DOMAIN §5 — immediate-report triggers [practice]",
            effective_from=SEED_DATE,
        )
        for code in ("sabotage", "arson", "explosion", "terror", "theft")
    ],
    {
        "name": "Petition or protest: agency head, copied to the ethics office",
        "category": "petition",
        "recipients": ["role:agency_head"],
        "source": "DOMAIN §5 — petitions and protests [practice]",
        "effective_from": SEED_DATE,
    },
    {
        "name": "Fraud impersonating officials: press release by the public-relations unit",
        "category": "fraud-impersonation",
        "tasks": [{"title": "發布新聞稿澄清 (press release)", "unit_code": "pr", "hours": 24}],
        "source": SEED + "; formal rules not settled [assumed §6]",
        "effective_from": SEED_DATE,
    },
    {
        "name": "Critical incident: agency head",
        "category": "*",
        "min_severity": "critical",
        "recipients": ["role:agency_head"],
        "source": SEED + " (重大事件陳報機關首長)",
        "effective_from": SEED_DATE,
    },
]
