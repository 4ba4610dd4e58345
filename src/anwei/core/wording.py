"""The user's words for what the code keeps in its own: a legal rule's source as the office cites it (the law or the
plan, with "practice" or "provisional" in words), without the references to DOMAIN.md that the code uses to trace
a rule to its research. The text kept with a rule stays as it is; only what is shown is reworded."""

import re
from datetime import date, datetime

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from anwei.core import rocdate

DOMAIN_REFERENCE = re.compile(r"DOMAIN(?:\.md)?\s*§\s*\d+(?:\s*,\s*§?\d+)*\s*(?:—|:|-)?\s*")
SEED_MARK = re.compile(r"\s*\((?:seed)\)")
TAGS = [
    (re.compile(r"\s*\[practice[^\]]*\]"), gettext_noop("(practice)")),
    (re.compile(r"\s*\[assumed[^\]]*\]"), gettext_noop("(provisional)")),
    (re.compile(r"\s*\[law[^\]]*\]"), ""),
    (re.compile(r"\s*\[unconfirmed[^\]]*\]"), gettext_noop("(unconfirmed: the 2021 figures apply)")),
]
# English phrases in the sources of the built-in rules, shown in the user's language.
PHRASES = [
    gettext_noop("immediate-report triggers"),
    gettext_noop("ethics-office duties"),
    gettext_noop("petitions and protests"),
    gettext_noop("formal rules not settled"),
    gettext_noop("(2022; 第2條之1 before)"),
    gettext_noop("(seed era)"),
    gettext_noop("(2024–2025 texts)"),
    gettext_noop("(extendable once, to 6)"),
    gettext_noop("1 hour"),
    gettext_noop("grading"),
]


def readable_source(text: str) -> str:
    """'DOMAIN §5 — immediate-report triggers [practice]' → '應立即通報之情形（實務作法）'."""
    out = DOMAIN_REFERENCE.sub("", str(text or ""))
    out = SEED_MARK.sub("", out)
    for pattern, words in TAGS:
        out = pattern.sub(_(words) if words else "", out)
    for phrase in PHRASES:
        if phrase in out:
            out = out.replace(phrase, _(phrase))
    return roc_dates_in(out).strip(" ;,—")


ISO_MOMENT = re.compile(r"(?<![\w/-])(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d)(?::\d\d(?:\.\d+)?)?)?(?![\w/:-])")


def roc_dates_in(text: str) -> str:
    """Western dates written into a message ("2026-12-13", "2026-12-06 11:26", office time) as ROC dates in the
    office's language ("115年12月13日", "115年12月6日11時26分")."""

    def roc(match: re.Match[str]) -> str:
        year, month, day, hour, minute = match.groups()
        try:
            with translation.override(settings.LANGUAGE_CODE):
                if hour is None:
                    return rocdate.format_date(date(int(year), int(month), int(day)))
                moment = datetime(int(year), int(month), int(day), int(hour), int(minute), tzinfo=rocdate.TAIPEI)
                return rocdate.format_datetime(moment)
        except ValueError:
            return match[0]

    return ISO_MOMENT.sub(roc, text)
