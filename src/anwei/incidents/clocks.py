"""When the body a notify/report clock concerns was reached, and who must call whom when it cannot be reached.

A clock names its body (`Deadline.body`, from the dated rule; `rules.BODIES` says who belongs to each). The body is
reached by any channel, whichever came first: the filer belongs to it (the ethics officer filing his own report),
a routed notification to one of its members was sent or acknowledged, or a person recorded a contact (phone, the
national platform's web form, fax, in person). Escalation notices do not count: they tell of the report, they do
not report it.

A body none of whose routed notifications can go out — every delivery failed for good, or the recipient has no
usable address at all (no account, no e-mail, no SMS) — and that is not reached otherwise is a *must call* for the
person on duty, with the body's phone numbers, until a contact is recorded."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from anwei.accounts.actor import Actor
from anwei.directory.models import ExternalContact, Organisation, Person
from anwei.notifications.channels import labels
from anwei.notifications.models import Delivery, Notification

from . import routing, rules
from .models import Contact, Deadline, Incident

NOTIFY_CODES = ("notify", "report")
SOURCE = "incidents.incident"
# a delivery that reached nobody and never will: failed for good, or kept in the local mailbox (no mail server)
UNDELIVERED = (Delivery.Status.FAILED, Delivery.Status.STORED)
# Which of Deadline.How a person's contact channel gives
CONTACT_HOW = {c: c for c in Contact.Channel.values}


def routed(incident: Incident) -> Q:
    """The notifications that report it (filing and level changes), not the escalation or overdue notices."""
    return Q(source_type=SOURCE, source_id=str(incident.pk)) & (
        Q(key=f"incident:{incident.pk}:filed") | Q(key__startswith=f"incident:{incident.pk}:level:")
    )


@dataclass
class Members:
    """Who belongs to each body for one report: people (by role, or on duty when it was filed or now) and outside
    contacts (by their organisation's kind)."""

    people: dict[str, list[Person]] = field(default_factory=dict)
    contacts: dict[str, list[ExternalContact]] = field(default_factory=dict)

    def bodies_of(self, notification: Notification) -> list[str]:
        if notification.person_id is not None:
            return [b for b, people in self.people.items() if any(p.pk == notification.person_id for p in people)]
        return [b for b, contacts in self.contacts.items() if any(c.pk == notification.contact_id for c in contacts)]

    def has_person(self, body: str, person_id: int | None) -> bool:
        return person_id is not None and any(p.pk == person_id for p in self.people.get(body, []))


def members(incident: Incident, now: datetime | None = None) -> Members:
    codes = [code for body in rules.BODIES.values() for code in body.members]
    times = [incident.created_at, now or timezone.now()]
    out = Members({b: [] for b in rules.BODIES}, {b: [] for b in rules.BODIES})
    for at in times:
        found = routing.resolve_codes(codes, incident, at)
        for body in rules.BODIES.values():
            for code in body.members:
                for p in found[code].people:
                    if p.pk not in {x.pk for x in out.people[body.code]}:
                        out.people[body.code].append(p)
                for c in found[code].contacts:
                    if c.pk not in {x.pk for x in out.contacts[body.code]}:
                        out.contacts[body.code].append(c)
    return out


@dataclass(frozen=True)
class Reach:
    """How a body was reached: when, by whom (the member reached, or the filer), how (Deadline.How)."""

    at: datetime
    by: str
    how: str
    attended: bool  # a person of the body has it in hand: filed by one, acknowledged, or reached by a person


def _filer_person_id(incident: Incident) -> int | None:
    return getattr(incident.filed_by, "person_id", None) if incident.filed_by_id else None


def _filer_name(incident: Incident) -> str:
    user = incident.filed_by
    return str(getattr(user, "display_name", "") or getattr(user, "person", "") or user)


def notes_of(incident: Incident) -> list[Notification]:
    return list(
        Notification.objects.filter(routed(incident))
        .select_related("person", "contact__organisation", "acknowledged_by")
        .prefetch_related("deliveries")
        .order_by("created_at", "pk")
    )


def _first(found: dict[str, Reach], body: str, reach: Reach) -> None:
    current = found.get(body)
    if current is None or reach.at < current.at:
        found[body] = Reach(reach.at, reach.by, reach.how, reach.attended or (current is not None and current.attended))
    elif reach.attended and not current.attended:
        found[body] = Reach(current.at, current.by, current.how, True)


def reaches(
    incident: Incident, who: Members, notes: Iterable[Notification], contacts: Iterable[Contact]
) -> dict[str, Reach]:
    """The first reach of each body ("" stands for any body: a clock whose rule named none)."""
    found: dict[str, Reach] = {}
    filer = _filer_person_id(incident)
    for body in rules.BODIES:
        if who.has_person(body, filer):
            _first(found, body, Reach(incident.created_at, _filer_name(incident), Deadline.How.FILED, True))
    for n in notes:
        recipient = str(n.person or n.contact or "")
        events = []
        if n.acknowledged_at is not None:
            by = getattr(n.acknowledged_by, "display_name", "") or recipient
            events.append(Reach(n.acknowledged_at, str(by), Deadline.How.ACKNOWLEDGED, True))
        events += [
            Reach(d.sent_at, recipient, Deadline.How.SENT, False)
            for d in n.deliveries.all()
            if d.status == Delivery.Status.SENT and d.sent_at is not None
        ]
        for reach in events:
            for body in [*who.bodies_of(n), ""]:
                _first(found, body, reach)
    for c in contacts:
        for body in (c.body, ""):
            _first(found, body, Reach(c.reached_at, c.person_reached, CONTACT_HOW[c.channel], True))
    return found


def settle(incident: Incident, now: datetime | None = None) -> int:
    """Mark the report's open notify/report clocks met whose body has been reached (by now). Returns how many."""
    now = now or timezone.now()
    open_clocks = list(Deadline.objects.filter(incident=incident, code__in=NOTIFY_CODES, met_at__isnull=True))
    if not open_clocks:
        return 0
    found = reaches(incident, members(incident, now), notes_of(incident), incident.contacts.all())
    done = 0
    for clock in open_clocks:
        reach = found.get(clock.body)
        if reach is None or reach.at > now:
            continue
        done += Deadline.objects.filter(pk=clock.pk, met_at__isnull=True).update(
            met_at=reach.at, met_by=reach.by[:200], met_how=reach.how
        )
    return done


def undeliverable(notification: Notification) -> bool:
    """Nothing of it went out and nothing will: every delivery failed for good, or there was none to make (the
    recipient has no account, no e-mail and no SMS number)."""
    if notification.acknowledged_at is not None:
        return False
    deliveries = list(notification.deliveries.all())
    return all(d.status in UNDELIVERED for d in deliveries)


def failure_reason(delivery: Delivery) -> str:
    """Why a delivery failed, in the user's words (the worker's error is for the deliveries page, not the
    timeline): a refused address with the server's code, a server that could not be reached, or the error's text
    without the Python around it."""
    if delivery.status == Delivery.Status.STORED:
        return _("kept in the local mailbox: no mail server is set up, nothing went out")
    error = delivery.last_error or ""
    code = re.search(r"\b([45]\d\d)\b", error)
    if "Refused" in error or "550" in error:
        return _("the server refused the address (%(code)s)") % {"code": code.group(1) if code else "—"}
    if any(word in error for word in ("Connection", "Disconnected", "timed out", "Timeout", "unreachable")):
        return _("the server could not be reached")
    text = re.sub(r"^\w+(Error|Exception): ", "", error)
    text = re.sub(r"[{}()\[\]'\"]|\bb'", " ", text).strip()
    return " ".join(text.split())[:160] or pgettext("delivery", "failed")


def why_undeliverable(notification: Notification) -> str:
    failed = [d for d in notification.deliveries.all() if d.status in UNDELIVERED]
    if not failed:
        return _("no usable address (no account, e-mail or SMS number)")
    names = labels()
    return "；".join(f"{names.get(d.channel, d.channel)}: {failure_reason(d)}" for d in failed)


@dataclass(frozen=True)
class Phone:
    label: str
    number: str

    @property
    def tel(self) -> str:
        """The number for a tel: link (digits and a leading +; an extension after a comma waits, then dials)."""
        return "".join(ch for ch in self.number if ch.isdigit() or ch == "+")


@dataclass(frozen=True)
class MustCall:
    """A body that could not be reached by the outbox: the person on duty must call it and record the contact."""

    incident: Incident
    body: rules.Body
    since: datetime
    reasons: list[str]
    phones: list[Phone]
    clock: Deadline | None


def _phones(incident: Incident, body: str, who: Members) -> list[Phone]:
    out: list[Phone] = []

    def add(label: str, number: str) -> None:
        if number and number not in {p.number for p in out}:
            out.append(Phone(label, number))

    for p in who.people.get(body, []):
        office = f"{p.office_phone}#{p.extension}" if p.office_phone and p.extension else p.office_phone
        add(str(p), office)
        add(str(p), p.mobile)
    for c in who.contacts.get(body, []):
        add(str(c), c.phone)
        add(str(c), c.mobile)
    kind = body.partition(":")[2] if body.startswith("org:") else ""
    if kind:
        for org in Organisation.objects.filter(agency_id=incident.agency_id, kind=kind).order_by("pk"):
            add(org.name, org.phone)
    return out


@dataclass
class Picture:
    """Everything about one report's bodies at once: who belongs to them, the routed notifications, the first reach
    of each body and the must-calls (read once for a page or a to-do list)."""

    who: Members
    notes: list[Notification]
    found: dict[str, Reach]
    calls: list[MustCall]

    def awaiting_call(self, notification: Notification) -> bool:
        """Nothing of it went out and its body is a must-call: 待電話聯繫."""
        called = {c.body.code for c in self.calls}
        return undeliverable(notification) and bool(set(self.who.bodies_of(notification)) & called)


def picture(incident: Incident, now: datetime | None = None) -> Picture:
    now = now or timezone.now()
    notes = notes_of(incident)
    who = members(incident, now)
    found = reaches(incident, who, notes, incident.contacts.all())
    if not incident.is_open:
        return Picture(who, notes, found, [])
    clocks = {d.body: d for d in incident.deadlines.all() if d.code in NOTIFY_CODES and d.body and d.met_at is None}
    by_body: dict[str, list[Notification]] = {}
    for n in notes:
        for code in who.bodies_of(n):
            by_body.setdefault(code, []).append(n)
    calls = []
    for code, body in rules.BODIES.items():
        if code in found:
            continue
        told = by_body.get(code, [])
        if told and all(undeliverable(n) for n in told):
            reasons = [f"{n.person or n.contact}: {why_undeliverable(n)}" for n in told]
            failed = [d.failed_at for n in told for d in n.deliveries.all() if d.failed_at is not None]
            since = max([n.created_at for n in told] + failed)
        elif not told and code in clocks:
            reasons, since = [_("No one to notify for: %(names)s") % {"names": body.name}], incident.created_at
        else:
            continue
        calls.append(MustCall(incident, body, since, reasons, _phones(incident, code, who), clocks.get(code)))
    return Picture(who, notes, found, calls)


def must_calls(incident: Incident, now: datetime | None = None) -> list[MustCall]:
    """The bodies of an open report that the outbox could not reach and nobody has reached otherwise."""
    return picture(incident, now).calls


def attended_bodies(incident: Incident, who: Members, notes: Iterable[Notification]) -> set[str]:
    """The bodies a person of which has the report in hand (filed it, acknowledged it, or was reached by a
    person): their unacknowledged notifications are not passed up the ladder."""
    found = reaches(incident, who, notes, incident.contacts.all())
    return {body for body, reach in found.items() if reach.attended and body}


def filer_bodies(incident: Incident, actor: Actor) -> frozenset[str]:
    """The bodies the filer belongs to (read before the filing's write transaction): the ethics officer, or the
    ethics-office duty officer, filing is the ethics office reached."""
    person_id = actor.person_id
    if person_id is None:
        return frozenset()
    codes = [c for body in rules.BODIES.values() for c in body.members if not c.startswith("org:")]
    found = routing.resolve_codes(codes, incident, incident.created_at)
    return frozenset(
        body.code
        for body in rules.BODIES.values()
        if any(p.pk == person_id for c in body.members if c in found for p in found[c].people)
    )


def filed_reach(incident: Incident, actor: Actor) -> Reach:
    name = actor.user.display_name if actor.user is not None else ""
    return Reach(incident.created_at, name[:200], Deadline.How.FILED, True)
