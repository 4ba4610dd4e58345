"""The write of a new report at the speed of the database (issue 20): a typical filing routed to five people is a
dozen statements. Validation and routing happen before (services.file_report; the rules and the roster come from
the per-process cache, incidents.roster), and every row is built before the transaction begins (the report, its
clocks, timeline entries, notifications and deliveries), so the locks are held for the statements only. In ONE
transaction, in this order:

- the reference number: one upsert of the agency's counter for the year (`… ON CONFLICT … DO UPDATE … RETURNING`),
  taken first and held to the commit, so numbers have no gaps and no repeats — the work between is only the
  INSERTs below, every row built beforehand. The same statement takes the keys of the report, its notifications
  and their deliveries (`ahead.KeysAhead`), so rows that point at each other need not wait for each other,
  and locks and reads the audit chain's head (`audit.HeadAhead`);
- the report, its clocks, its timeline entries, the notifications, their deliveries, ONE worker task for the
  pending ones and the audit entries with the head's move (one INSERT each, sent together: on PostgreSQL one
  round trip, `fastinsert.together`), the task written in the same transaction — the queue is a table of the same
  database — so the filing needs no second write after its commit.

Everything commits or rolls back together: the outbox is in the filing's transaction, and so are the audit entries."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor
from anwei.audit import services as audit
from anwei.core import ahead, fastinsert, newrow
from anwei.notifications import outbox

from . import access, clocks, routing, rules, unit_tasks
from . import attachments as files
from .messages import message, url_of_key
from .models import Deadline, Incident, ReferenceCounter, TimelineEntry


@dataclass(frozen=True)
class Limit:
    """The filer may have filed fewer than `count` reports since `since`; `refuse` raises TooManyRequests."""

    filer_id: int
    since: datetime
    count: int
    refuse: Callable[[], None]


def take_number(agency_id: int, year: int, limit: Limit | None = None, also: Sequence[ahead.Ahead] = ()) -> int:
    """The next number of the agency's year, in one statement; the counter row stays locked to the commit. With a
    `limit`, the same statement counts the filer's recent reports and takes no number past it (then refused). The
    same statement also takes what `also` asks for: the keys of the filing's new rows, the audit chain's head."""
    table, reports = ReferenceCounter._meta.db_table, Incident._meta.db_table
    params: list[Any] = [agency_id, year]
    within = ""
    if limit is not None:
        within = (
            f"WHERE (SELECT COUNT(*) FROM (SELECT 1 FROM {reports} WHERE filed_by_id = %s AND created_at > %s "  # noqa: S608
            "LIMIT %s) recent) < %s"
        )
        params += [limit.filer_id, connection.ops.adapt_datetimefield_value(limit.since), limit.count, limit.count]
    else:
        within = "WHERE 1 = 1"  # SQLite reads ON CONFLICT after a SELECT only after a WHERE
    more, more_params = ahead.returning(also)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (agency_id, year, last) SELECT %s, %s, 1 {within} "
            f"ON CONFLICT (agency_id, year) DO UPDATE SET last = {table}.last + 1 RETURNING last{more}",
            params + more_params,
        )
        row = cursor.fetchone()
    if row is None:
        assert limit is not None  # without a limit the statement always answers the number
        limit.refuse()  # raises TooManyRequests with when to try again
        return take_number(agency_id, year, also=also)  # an older report has just left the period meanwhile
    ahead.take_ahead(also, row[1:])
    return int(row[0])


def _repr(incident: Incident) -> str:
    return incident.reference if incident.restricted else f"{incident.reference} {incident.title}"


def _timeline(incident: Incident, kind: str, actor: Actor | None = None, text: str = "", **data: Any) -> TimelineEntry:
    return newrow.new(
        TimelineEntry,
        incident=incident,
        kind=kind,
        actor=actor.user if actor is not None else None,
        text=text,
        data=data,
    )


def write(
    incident: Incident,
    route: routing.Route,
    *,
    actor: Actor,
    uploads: list[Any],
    checked: list[Any],
    limit: Limit | None = None,
) -> Incident:
    """Number, store and route a validated new report in one transaction (see the module's text). Every row is
    built and every statement made before the transaction begins; inside it, the number, the keys and the audit
    chain's head are taken and the rows written."""
    level = incident.cyber_level
    created = [_timeline(incident, TimelineEntry.Kind.CREATED, actor, cyber_level=level, severity=incident.severity)]
    notes: list[TimelineEntry] = []
    deadlines = _clocks(incident, route, actor)
    planned = _plan_tell(incident, route, actor, notes)
    words = _words_before_the_number(incident)
    keys, head = ahead.KeysAhead([[incident], *planned.rows_to_key()]), audit.HeadAhead()
    number, first, rest = _prepare(incident, planned, words, deadlines, created, notes, uploads)
    with files.removed_on_rollback(), transaction.atomic(), audit.deferred(head):
        number.set(take_number(incident.agency_id, incident.year, limit, also=[keys, head]))
        ahead.put_in(incident, "id", "number", "reference")  # known now: the audit entry names them
        audit.record(
            actor=actor,
            action=audit.Action.CREATE,
            obj=incident,
            object_repr=_repr(incident),
            changes={"category": incident.category, "reference": incident.reference, "cyber_level": level},
        )
        if uploads:
            with fastinsert.together() as batch:
                for prepared in first:
                    batch.write(prepared)
            for upload, info in zip(uploads, checked, strict=True):
                files.store(incident, upload, info, actor=actor)
        with fastinsert.together() as batch:  # PostgreSQL: the report and all it brings in one round trip
            for prepared in rest:
                batch.write(prepared)
            sent = outbox.write_new(planned, batch)
            audit.append_now(batch)  # the filing's entry with its rows (later ones, if any, when the block ends)
        if incident.restricted:
            named = {
                pk: _("named by routing rule %(name)s") % {"name": name}
                for pk, name in route.recipients.named_by.items()
            }
            access.grant_to_notified(incident, sent, reasons=named, actor=actor)
        for unit, title, due in route.tasks:
            unit_tasks.give_task(incident=incident, unit=unit, title=title, due_at=due)
        access.grant_to_reporter(incident, actor=actor)
    return incident


def _prepare(
    incident: Incident,
    planned: outbox.NewOutbox,
    words: tuple[str, str],
    deadlines: list[Deadline],
    created: list[TimelineEntry],
    notes: list[TimelineEntry],
    uploads: list[Any],
) -> tuple[ahead.Later, list[fastinsert.Prepared], list[fastinsert.Prepared]]:
    """Before the transaction: the statements of the report and its rows (the outbox's too), with what is known only
    inside it — the report's key (given by `KeysAhead`), its number and what is made of them: the reference, the
    outbox's key, subject, source and address — as `ahead.Later` values. Returns the number to set, the
    statements to write before the uploaded files (with uploads: the report and the timeline entry that says it was
    filed, before the files' own) and the others (one INSERT of the timeline entries keeps their order)."""
    key, number = ahead.later_of(incident, "id"), ahead.Later()
    reference = ahead.Later(lambda: f"{incident.year}-{number.value:04d}")
    ahead.set_later(incident, number=number, reference=reference)
    subject, body = outbox.message_of(*words)
    outbox.prepare_new(
        planned,
        key=ahead.Later(lambda: f"incident:{key.value}:filed"),
        # the first: the reference comes before the title
        subject=ahead.Later(lambda: subject.replace(_NUMBER_LATER, reference.value, 1)[: outbox.SUBJECT_MAX]),
        body=body,
        source_type=Incident._meta.label_lower,
        source_id=ahead.Later(lambda: str(key.value)),
        url=ahead.Later(lambda: url_of_key(key.value)),
    )
    report = fastinsert.prepare([incident], save=True)
    if uploads:  # the files' own timeline entries (written between) come after the one that says it was filed
        return number, [report, fastinsert.prepare(created)], [fastinsert.prepare(deadlines), fastinsert.prepare(notes)]
    return number, [], [report, fastinsert.prepare([*created, *notes]), fastinsert.prepare(deadlines)]


def _clocks(incident: Incident, route: routing.Route, actor: Actor) -> list[Deadline]:
    """The report's clocks (written in one INSERT); those of a body the filer belongs to are met at filing."""
    filed, rows = clocks.filed_reach(incident, actor), []
    for d in route.deadlines:
        row = newrow.new(Deadline, incident=incident, code=d.code, body=d.body, due_at=d.due_at, source=d.source)
        if d.body in route.filer_bodies and d.code in clocks.NOTIFY_CODES:
            row.met_at, row.met_by, row.met_how = filed.at, filed.by, filed.how
        rows.append(row)
    # the ignore below: the clocks ride on the instance for the API answer (not a model field)
    incident.filed_clocks = rows  # type: ignore[attr-defined]
    return rows


def with_clocks(incident: Incident) -> Incident:
    """The report as just filed, its clocks as written (for the answer to the filing: no read back)."""
    rows = getattr(incident, "filed_clocks", None)
    if rows is not None:
        # not incident.deadlines.none(): the related manager builds its filter first, a third of a millisecond
        prefetched = Deadline._default_manager.none()
        prefetched._result_cache = rows
        # the ignore below: Django's prefetch cache, filled by hand with the rows just written (no read back)
        incident._prefetched_objects_cache = {"deadlines": prefetched}  # type: ignore[attr-defined]
    return incident


def _plan_tell(incident: Incident, route: routing.Route, actor: Actor, notes: list[TimelineEntry]) -> outbox.NewOutbox:
    """The outbox for everyone the route names (the filer sees his own report in his inbox but is not asked to
    acknowledge it), built before the transaction; a note of whom nobody could be found for."""
    filer = actor.person_id
    people = route.recipients.people
    told = not incident.drill or incident.drill_tells_outside
    others = outbox.Batch([p for p in people if p.pk != filer], route.recipients.contacts if told else [], True)
    own = outbox.Batch([p for p in people if p.pk == filer])
    planned = outbox.plan_new([others, own], add_channels=route.channels or ())
    if route.recipients.unresolved:
        names = "、".join(str(rules.RECIPIENT_NAMES.get(c, c)) for c in route.recipients.unresolved)
        text = _("No one to notify for: %(names)s") % {"names": names}
        notes.append(_timeline(incident, TimelineEntry.Kind.NOTE, None, text, unresolved=route.recipients.unresolved))
    return planned


_NUMBER_LATER = "\ue000reference\ue000"  # the reference number's place in the subject until it is taken (a mark
# of private-use characters: not a control character that `single_line` would make a space)


def _words_before_the_number(incident: Incident) -> tuple[str, str]:
    """The message of the new report, composed before the transaction: the reference number is put in once taken
    (composing it — the language, ROC dates — is no work to do while every other filer waits)."""
    incident.reference = _NUMBER_LATER
    try:
        return message(incident, _("New report"))
    finally:
        incident.reference = ""
