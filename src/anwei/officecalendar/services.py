"""Writes to the office calendar, each in one transaction with its audit entry: importing a DGPA file (it replaces
the years it covers, recording the file's SHA-256, date and reader), a day entered by hand, a typhoon closure."""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, write_service
from anwei.audit import services as audit
from anwei.core.errors import BusinessRuleError, NotAllowed

from . import dgpa, policies, selectors
from .models import COUNTIES, CalendarImport, Closure, OfficeDay


def _allowed(actor: Actor, action: str) -> None:
    if not actor.is_system and not policies.calendar.can(actor, action):  # the system: the command line (the operator)
        raise NotAllowed()


def _entry_json(entry: dgpa.Entry | None) -> dict[str, Any] | None:
    return None if entry is None else {"name": entry.name, "is_workday": entry.is_workday}


@write_service
@transaction.atomic
def import_calendar(
    *,
    actor: Actor,
    data: bytes,
    file_name: str = "",
    file_date: date | None = None,
    expected_sha256: str = "",
    actor_label: str = "",
) -> CalendarImport:
    """Read a DGPA calendar file and make the years it covers exactly what it says. `expected_sha256` (the file
    whose differences were shown) refuses a file that is not the one confirmed."""
    _allowed(actor, "officecalendar.import")
    calendar_file = dgpa.read(data)
    if expected_sha256 and expected_sha256 != calendar_file.sha256:
        raise BusinessRuleError(_("The file is not the one whose differences were shown. Upload it again."))
    changes = selectors.differences(calendar_file)
    label = actor_label or actor.username
    record = CalendarImport.objects.create(
        years=calendar_file.years,
        file_name=file_name[:200],
        sha256=calendar_file.sha256,
        encoding=calendar_file.encoding,
        file_date=file_date,
        imported_by=actor.user,
        imported_by_label=label[:150],
        changes=[
            {"day": c.day.isoformat(), "before": _entry_json(c.before), "after": _entry_json(c.after)} for c in changes
        ],
    )
    source = _("DGPA office calendar, file %(sha)s") % {"sha": calendar_file.sha256[:12]}
    coming = {entry.day: entry for entry in calendar_file.entries}
    with audit.deferred():
        for change in changes:
            if change.after is None:
                OfficeDay.objects.filter(day=change.day).delete()
                continue
            entry = coming[change.day]
            OfficeDay.objects.update_or_create(
                day=entry.day,
                defaults={
                    "name": entry.name,
                    "is_workday": entry.is_workday,
                    "source": source,
                    "calendar_import": record,
                },
            )
        audit.record(
            actor=actor,
            action=audit.Action.CREATE,
            obj=record,
            changes={"years": calendar_file.years, "sha256": calendar_file.sha256, "days_changed": len(changes)},
            actor_label=label or None,
        )
    return record


@write_service
@transaction.atomic
def set_day(*, actor: Actor, day: date, name: str, is_workday: bool = False, source: str = "") -> OfficeDay:
    """Enter or change one day by hand (a holiday, or a make-up working day)."""
    _allowed(actor, "officecalendar.manage")
    if not name.strip():
        raise BusinessRuleError(_("Name the day."), field="name")
    office_day = OfficeDay.objects.filter(day=day).first()
    if office_day is None:
        office_day = OfficeDay.objects.create(day=day, name=name.strip(), is_workday=is_workday, source=source)
        audit.record_create(actor=actor, obj=office_day)
        return office_day
    before = audit.snapshot(office_day, ["name", "is_workday", "source"])
    office_day.name, office_day.is_workday, office_day.source = name.strip(), is_workday, source
    office_day.save()
    audit.record_update(actor=actor, obj=office_day, before=before)
    return office_day


@write_service
@transaction.atomic
def remove_day(*, actor: Actor, office_day: OfficeDay) -> None:
    _allowed(actor, "officecalendar.manage")
    audit.record(
        actor=actor,
        action=audit.Action.DELETE,
        obj=office_day,
        changes={"day": office_day.day, "name": office_day.name},
    )
    office_day.delete()


@write_service
@transaction.atomic
def enter_closure(*, actor: Actor, day: date, county: str, reference: str, note: str = "") -> Closure:
    """A typhoon (or other disaster) closure of a county's offices (停止上班), with the announcement it rests on."""
    _allowed(actor, "officecalendar.manage")
    if county not in COUNTIES:
        raise BusinessRuleError(_("Choose a county or city."), field="county")
    if not reference.strip():
        raise BusinessRuleError(_("Give the announcement the closure rests on."), field="reference")
    closure, created = Closure.objects.update_or_create(
        day=day,
        county=county,
        defaults={
            "reference": reference.strip(),
            "note": note.strip(),
            "entered_by": actor.user,
        },
    )
    audit.record(
        actor=actor,
        action=audit.Action.CREATE if created else audit.Action.UPDATE,
        obj=closure,
        changes={"day": day, "county": county, "reference": closure.reference},
    )
    return closure


@write_service
@transaction.atomic
def remove_closure(*, actor: Actor, closure: Closure) -> None:
    _allowed(actor, "officecalendar.manage")
    audit.record(
        actor=actor,
        action=audit.Action.DELETE,
        obj=closure,
        changes={"day": closure.day, "county": closure.county, "reference": closure.reference},
    )
    closure.delete()
