"""Routing: which rules apply to a report (by category, severity, cyber level and the date the office became
aware), who they name (roles, the person on duty now, outside contacts) and which deadlines they set."""

import calendar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from anwei.directory.models import ExternalContact, Person, Unit

from . import roster, rules
from .models import Incident, RoutingRule


def applicable_rules(incident: Incident) -> list[RoutingRule]:
    day = timezone.localtime(incident.aware_at).date()
    qs = [
        rule
        for rule in roster.rules()  # the active rules, read once per process (incidents.roster)
        if rule.category in (incident.category, "*")
        and rule.effective_from <= day
        and (rule.effective_until is None or rule.effective_until > day)
    ]
    out = []
    for rule in qs:
        if rule.min_severity and rules.severity_rank(incident.severity) < rules.severity_rank(rule.min_severity):
            continue
        if rule.min_level is not None or rule.max_level is not None:
            level = incident.cyber_level
            if level is None:
                continue
            if rule.min_level is not None and level < rule.min_level:
                continue
            if rule.max_level is not None and level > rule.max_level:
                continue
        out.append(rule)
    return out


@dataclass
class Recipients:
    people: list[Person] = field(default_factory=list)
    contacts: list[ExternalContact] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    named_by: dict[int, str] = field(default_factory=dict)  # person id → the first rule that named them

    def add(self, other: "Recipients") -> None:
        for p in other.people:
            if p.pk not in {x.pk for x in self.people}:
                self.people.append(p)
        for c in other.contacts:
            if c.pk not in {x.pk for x in self.contacts}:
                self.contacts.append(c)
        self.unresolved += [u for u in other.unresolved if u not in self.unresolved]

    @property
    def empty(self) -> bool:
        return not self.people and not self.contacts


def _role_people(roles: list[str], incident: Incident) -> dict[str, list[Person]]:
    """The active people holding each role in the report's agency (one query for all the roles); a unit
    supervisor counts only over the report's unit."""
    out: dict[str, list[Person]] = {role: [] for role in roles}
    if not roles:
        return out
    wanted = set(roles)
    assignments = [a for a in roster.role_holders(incident.agency_id) if a.role in wanted]
    for a in assignments:
        if a.role == "unit_supervisor" and (incident.unit is None or not incident.unit.is_within(a.unit)):
            continue
        person = a.user.person
        if person is not None and person.active and person.pk not in {p.pk for p in out[a.role]}:
            out[a.role].append(person)
    return out


def _org_contacts(kinds: list[str], incident: Incident) -> dict[str, list[ExternalContact]]:
    out: dict[str, list[ExternalContact]] = {kind: [] for kind in kinds}
    if kinds:
        for contact in roster.org_contacts(incident.agency_id):
            if contact.organisation.kind in out:
                out[contact.organisation.kind].append(contact)
    return out


def _resolve_all(codes: list[str], incident: Incident, at: datetime | None) -> dict[str, Recipients]:
    """Recipients for each code: one query per kind of code (roles, outside organisations), one per duty kind."""
    split = [(code, *code.partition(":")[::2]) for code in dict.fromkeys(codes)]
    roles = _role_people([v for _c, k, v in split if k == "role"], incident)
    orgs = _org_contacts([v for _c, k, v in split if k == "org"], incident)
    out = {}
    for code, kind, value in split:
        found = Recipients()
        if kind == "role":
            found.people = list(roles[value])
        elif kind == "duty":
            duty = roster.duty(incident.agency, value, at or timezone.now())
            found.people = [duty.person] if duty.person is not None else []
        elif kind == "org":
            found.contacts = list(orgs[value])
        if found.empty:
            found.unresolved.append(code)
        out[code] = found
    return out


def resolve(code: str, incident: Incident, at: datetime | None = None) -> Recipients:
    """The people or contacts a recipient code names for this report now."""
    return _resolve_all([code], incident, at)[code]


def resolve_codes(codes: list[str], incident: Incident, at: datetime | None = None) -> dict[str, Recipients]:
    """The people or contacts each of several codes names (e.g. every rung of the escalation ladder) at once."""
    return _resolve_all(codes, incident, at)


def recipients_for(incident: Incident, applied: list[RoutingRule], at: datetime | None = None) -> Recipients:
    codes = [str(code) for rule in applied for code in rule.recipients]
    found = _resolve_all(codes, incident, at)
    out = Recipients()
    for rule in applied:
        for code in rule.recipients:
            out.add(found[str(code)])
            for person in found[str(code)].people:
                out.named_by.setdefault(person.pk, rule.name)
    return out


def channels_for(applied: list[RoutingRule]) -> list[str] | None:
    """The channels the rules add to each recipient's own (in-app inbox, e-mail, registered webhook or SMS)."""
    codes: list[str] = []
    for rule in applied:
        codes += [str(c) for c in rule.channels if str(c) not in codes]
    return codes or None


def ack_minutes(applied: list[RoutingRule]) -> int:
    return min((r.ack_minutes for r in applied), default=rules.DEFAULT_ACK_MINUTES)


@dataclass(frozen=True)
class Due:
    code: str
    due_at: datetime | None
    source: str
    body: str = ""  # the body a notify/report clock concerns (rules.BODIES)


def add_months(moment: datetime, months: int) -> datetime:
    """The same local time `months` later (the last day of the month when that day does not exist)."""
    local = timezone.localtime(moment)
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day)


def _after(base: datetime, spec: dict[str, Any]) -> datetime:
    moved = add_months(base, int(spec.get("months", 0))) if spec.get("months") else base
    return moved + timedelta(hours=int(spec.get("hours", 0)), days=int(spec.get("days", 0)))


def deadlines_for(incident: Incident, applied: list[RoutingRule]) -> list[Due]:
    """One deadline per code and body: the strictest of the rules that set it. Counted from aware_at, or from
    recovery for `after: recovered` (no due time until the report is recovered)."""
    best: dict[tuple[str, str], Due] = {}
    for rule in applied:
        for spec in rule.deadlines:
            base = incident.recovered_at if spec.get("after") == "recovered" else incident.aware_at
            due = _after(base, spec) if base is not None else None
            code = str(spec["code"])
            body = str(spec.get("body") or rules.DEFAULT_BODY.get(code, ""))
            current = best.get((code, body))
            if current is None or (due is not None and (current.due_at is None or due < current.due_at)):
                best[(code, body)] = Due(code, due, rule.source, body)
    for (code, body), notify in list(best.items()):
        report = best.get(("report", body))
        if code == "notify" and report and notify.due_at and report.due_at and notify.due_at <= report.due_at:
            del best[("report", body)]  # the statutory notification of that body includes the report to it
    return sorted(best.values(), key=lambda d: (d.due_at is None, d.due_at or timezone.now()))


@dataclass
class Route:
    """Everything the rules say for a report, read before the filing's write transaction begins."""

    deadlines: list[Due]
    recipients: Recipients
    channels: list[str] | None
    tasks: list[tuple[Unit | None, str, datetime | None]]
    filer_bodies: frozenset[str] = frozenset()  # the bodies the filer belongs to: their clocks are met at filing


def route(incident: Incident, at: datetime | None = None) -> Route:
    applied = applicable_rules(incident)
    specs = [spec for rule in applied for spec in rule.tasks]
    units = roster.units_by_code(incident.agency_id) if specs else {}
    tasks = []
    for spec in specs:
        hours = spec.get("hours")
        due = incident.aware_at + timedelta(hours=int(hours)) if hours else None
        tasks.append((units.get(str(spec.get("unit_code", ""))), str(spec["title"]), due))
    return Route(deadlines_for(incident, applied), recipients_for(incident, applied, at), channels_for(applied), tasks)
