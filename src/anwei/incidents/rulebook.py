"""Editing the routing rules (admins only), every edit audited with old and new values."""

import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, write_service
from anwei.audit import services as audit
from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.notifications.channels import CHANNELS

from . import policies, rules
from .models import RoutingRule

FIELDS = [
    "name",
    "category",
    "min_severity",
    "min_level",
    "max_level",
    "recipients",
    "channels",
    "deadlines",
    "tasks",
    "ack_minutes",
    "effective_from",
    "effective_until",
    "source",
    "note",
    "active",
]
RECIPIENT_RE = re.compile(r"^(role:[a-z_]+|duty:[a-z0-9_-]+|org:[a-z_]+)$")


def validate(fields: dict[str, Any]) -> None:
    category = fields.get("category", "")
    if category != "*" and category not in rules.CATEGORIES:
        raise BusinessRuleError(_("Choose a category, or * for every report."), field="category")
    for code in fields.get("recipients", []):
        if not isinstance(code, str) or not RECIPIENT_RE.match(code):
            raise BusinessRuleError(_("Unknown recipient: %(code)s") % {"code": code}, field="recipients")
    for code in fields.get("channels", []):
        if code not in CHANNELS:
            raise BusinessRuleError(_("Unknown channel: %(code)s") % {"code": code}, field="channels")
    for spec in fields.get("deadlines", []):
        if not isinstance(spec, dict) or spec.get("code") not in rules.DEADLINE_NAMES:
            raise BusinessRuleError(_("Each deadline needs a known code."), field="deadlines")
        amounts = [spec.get(k, 0) for k in ("hours", "days", "months")]
        if not all(isinstance(a, int) and a >= 0 for a in amounts) or not any(amounts):
            raise BusinessRuleError(_("Each deadline needs hours, days or months."), field="deadlines")
        if spec.get("body") not in (None, "", *rules.BODIES):
            raise BusinessRuleError(_("Unknown body: %(code)s") % {"code": spec.get("body")}, field="deadlines")
        if spec.get("after", "aware") not in ("aware", "recovered"):
            raise BusinessRuleError(_("A deadline counts from awareness or from recovery."), field="deadlines")
    for spec in fields.get("tasks", []):
        if not isinstance(spec, dict) or not str(spec.get("title", "")).strip():
            raise BusinessRuleError(_("Each task needs a title."), field="tasks")
    lo, hi = fields.get("min_level"), fields.get("max_level")
    if lo is not None and hi is not None and lo > hi:
        raise BusinessRuleError(_("The level range is reversed."), field="max_level")
    start, end = fields.get("effective_from"), fields.get("effective_until")
    if start and end and end <= start:
        raise BusinessRuleError(_("The rule must end after it starts."), field="effective_until")
    if not str(fields.get("source", "")).strip():
        raise BusinessRuleError(_("Cite the source of the rule."), field="source")


@write_service
@transaction.atomic
def create_rule(*, actor: Actor, **fields: Any) -> RoutingRule:
    if not policies.routing_rules.can(actor, "incidents.manage_rules"):
        raise NotAllowed()
    validate(fields)
    rule = RoutingRule.objects.create(**fields)
    audit.record_create(actor=actor, obj=rule)
    return rule


@write_service
@transaction.atomic
def update_rule(*, actor: Actor, rule_id: int, **fields: Any) -> RoutingRule:
    if not policies.routing_rules.can(actor, "incidents.manage_rules"):
        raise NotAllowed()
    rule: RoutingRule = policies.routing_rules.get_visible(actor, rule_id)
    merged = {name: getattr(rule, name) for name in FIELDS} | fields
    validate(merged)
    before = audit.snapshot(rule, FIELDS)
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.save()
    audit.record_update(actor=actor, obj=rule, before=before)
    return rule
