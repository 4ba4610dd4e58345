"""The messages about a report: in the office's language with ROC dates, restricted reports without their text,
drill reports marked 【演練】 first (subject and body, whoever composes them), and the link to the report."""

from functools import cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from anwei.core import rocdate

from . import rules
from .models import Incident

DRILL_MARK = "【演練】"  # first in every message of a drill report, in every language


def message(incident: Incident, reason: str) -> tuple[str, str]:
    """The message in the office's language with ROC dates, whoever files (a reason written in another language is
    translated back when it is one of ours)."""
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = message_words(incident, _(str(reason)))
        if incident.drill:
            body = f"{_('This is a drill, not a real report.')}\n{body}"
        return drill_marked(incident, subject), drill_marked(incident, body)


def drill_marked(incident: Incident, text: str) -> str:
    """Every message about a drill report starts with 【演練】 (its subject and its body, whoever composes them)."""
    return f"{DRILL_MARK}{text}" if incident.drill and not text.startswith(DRILL_MARK) else text


def message_words(incident: Incident, reason: str) -> tuple[str, str]:
    category = rules.category(incident.category)
    if incident.restricted:
        subject = f"[{incident.reference}] {reason}: {category.name}（{_('restricted')}）"
        body = _("A restricted report needs your attention. Sign in to Anwei to read it.")
        return subject, body
    level = " " + _("Level %(n)s") % {"n": incident.cyber_level} if incident.cyber_level else ""
    subject = f"[{incident.reference}] {reason}: {category.name}{level} — {incident.title}"
    aware = rocdate.format_datetime(incident.aware_at)
    body = "\n".join(
        line
        for line in [
            f"{_('Category')}: {category.name}{level}",
            f"{_('Became aware at')}: {aware}",
            f"{_('Unit')}: {incident.unit}" if incident.unit else "",
            f"{_('Location')}: {incident.location}" if incident.location else "",
            incident.description,
            f"{_('Measures taken')}: {incident.measures_taken}" if incident.measures_taken else "",
            f"{_('Outside support needed')}: {incident.support_needed}" if incident.support_needed else "",
        ]
        if line
    )
    return subject, body


def url_of(incident: Incident) -> str:
    """The report's page (its address worked out once per URL configuration and script prefix, the key put in)."""
    return url_of_key(incident.pk)


def url_of_key(key: int) -> str:
    """The page of the report with this key (see `url_of`)."""
    return _detail_url(get_urlconf(), get_script_prefix()).replace(str(_ANY_KEY), str(key))


_ANY_KEY = 987654321987  # a key no report has, replaced by the report's


@cache
def _detail_url(urlconf: str | None, prefix: str) -> str:
    return reverse("incidents:detail", urlconf=urlconf, args=[_ANY_KEY])
