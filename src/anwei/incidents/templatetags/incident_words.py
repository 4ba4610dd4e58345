"""The routing rules in the user's words: who is told (not `role:agency_head`), which clock (not `report`), which
category (not `national-security`), and the built-in rules' names in the user's language."""

from typing import Any

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from anwei.incidents import rules

register = template.Library()

# The names of the built-in rules (migrations 0002, 0003, 0010), shown in the user's language; a rule the office names
# itself is shown as written.
BUILT_IN_RULE_NAMES = [
    gettext_noop("Every report: ethics office within 1 hour"),
    gettext_noop("Critical incident: agency head"),
    gettext_noop("Cyber incident: notify within 1 hour, investigation report 1 month after recovery"),
    gettext_noop("Cyber incident level 1–2: recovery within 72 hours"),
    gettext_noop("Cyber incident level 3–4: recovery within 36 hours, agency head told"),
    gettext_noop("Cyber incident (2026): notify, investigation report after recovery [deadlines unconfirmed]"),
    gettext_noop("Cyber incident level 1–2 (2026): recovery [deadline unconfirmed]"),
    gettext_noop("Cyber incident level 3–4 (2026): recovery, agency head told [deadline unconfirmed]"),
    gettext_noop("Illicit liquor: the finance unit checks, with the police"),
    gettext_noop("Fraud impersonating officials: press release by the public-relations unit"),
    gettext_noop("Leak: agency head, in confidence"),
    gettext_noop("Mainland visitor anomaly: investigation authority"),
    gettext_noop("National security: investigation authority"),
    gettext_noop("National security (before the 2022 amendment): investigation authority"),
    gettext_noop("Petition or protest: agency head, copied to the ethics office"),
    gettext_noop("Public order: police"),
    *[
        name
        for kind in ("sabotage", "arson", "explosion", "terror", "theft", "accident", "casualty")
        for name in (
            f"{kind}: supervisor, ethics office and police at once",
            f"Major incident ({kind}): agency head at once",
        )
    ],
]


@register.filter
def rule_name(name: str) -> str:
    return _(name) if name in BUILT_IN_RULE_NAMES else name


@register.filter
def category_name(code: str) -> str:
    if code == "*":
        return _("All categories")
    return str(rules.CATEGORIES[code].name) if code in rules.CATEGORIES else code


@register.filter
def recipient_names(codes: list[str]) -> str:
    return "、".join(str(rules.RECIPIENT_NAMES.get(str(code), code)) for code in codes or [])


@register.filter
def deadline_names(deadlines: list[dict[str, Any]]) -> str:
    parts = []
    for spec in deadlines or []:
        name = str(rules.DEADLINE_NAMES.get(spec.get("code", ""), spec.get("code", "")))
        if spec.get("hours"):
            parts.append(_("%(name)s within %(n)s hours") % {"name": name, "n": spec["hours"]})
        elif spec.get("months"):
            parts.append(_("%(name)s within %(n)s months") % {"name": name, "n": spec["months"]})
        else:
            parts.append(name)
    return "、".join(parts)
