"""Return reports (返臺通報表) and their upward filing, and the daily reminders for both — each write in one
transaction with its audit entry. "Yes" to probing or contact opens an incident through `common.open_incident`."""

from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, write_service
from anwei.accounts.roles import Role
from anwei.audit import services as audit
from anwei.core import rocdate
from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.notifications.services import notify
from anwei.officecalendar import workdays

from .. import policies, rules
from ..models import ReturnReport, TravelDeclaration
from . import common, travel


@write_service
@transaction.atomic
def file_return_report(
    *,
    actor: Actor,
    declaration_id: int,
    probed: bool,
    contacted: bool,
    details: str = "",
    filed_on: date | None = None,
) -> ReturnReport:
    """The traveller's 返臺通報表. "Yes" to probing or contact opens a restricted national-security incident for
    the ethics office; the upward filing clock (7 working days of receipt) starts."""
    declaration: TravelDeclaration = policies.travel.get_visible(actor, declaration_id)
    if not policies.travel.can(actor, "awareness.file_return", declaration):
        raise NotAllowed()
    if ReturnReport.objects.filter(declaration=declaration).exists():
        raise BusinessRuleError(_("The return report has already been filed."))
    filed_on = filed_on or common.today()
    if filed_on < declaration.returns_on:
        raise BusinessRuleError(_("File the return report after you come back."), field="filed_on")
    if (probed or contacted) and not details.strip():
        raise BusinessRuleError(_("Describe what happened."), field="details")
    report = ReturnReport.objects.create(
        declaration=declaration,
        filed_on=filed_on,
        filed_by=actor.user,
        late=filed_on > declaration.return_due_on,
        probed=probed,
        contacted=contacted,
        details=details.strip(),
        upward_due_on=workdays.add_working_days(filed_on, rules.upward_filing_rule(filed_on).working_days),
    )
    missing = workdays.years_without_holidays(filed_on, report.upward_due_on)
    if set(missing) - set(declaration.calendar_missing_years):
        declaration.calendar_missing_years = sorted({*declaration.calendar_missing_years, *missing})
        declaration.save(update_fields=["calendar_missing_years"])
        travel.tell_calendar_missing(declaration, missing, reverse("awareness:travel", args=[declaration.pk]))
    if probed or contacted:
        traveller = declaration.traveller
        incident = common.open_incident(
            actor=Actor.system(),
            agency=declaration.agency,
            category="national-security",
            title=_("Return report: probing or contact during travel to %(place)s")
            % {"place": declaration.get_destination_display()},
            description=_("Traveller: %(name)s (%(unit)s). Trip %(from)s – %(to)s, %(places)s.\n\n%(details)s")
            % {
                "name": traveller.name,
                "unit": traveller.unit or "—",
                "from": rocdate.format_date(declaration.departs_on),
                "to": rocdate.format_date(declaration.returns_on),
                "places": declaration.places,
                "details": report.details,
            },
            unit=declaration.unit,
            source=report,
        )
        report.incident_id, report.incident_reference = incident.pk, incident.reference
        report.save(update_fields=["incident_id", "incident_reference"])
    audit.record(
        actor=actor,
        action=audit.Action.CREATE,
        obj=report,
        object_repr=f"{_('Return report')} #{report.pk}",
        changes={
            "declaration": declaration.pk,
            "filed_on": filed_on,
            "late": report.late,
            "probed": probed,
            "contacted": contacted,
            "incident": report.incident_reference,
        },
    )
    return report


@write_service
@transaction.atomic
def file_upward(*, actor: Actor, declaration_id: int, filed_on: date | None = None) -> ReturnReport:
    """The ethics office records that it filed the declaration's return report upward (today unless `filed_on`)."""
    declaration: TravelDeclaration = policies.travel.get_visible(actor, declaration_id)
    if not policies.travel.can(actor, "awareness.handle_travel", declaration):
        raise NotAllowed()
    report = ReturnReport.objects.filter(declaration=declaration).first()
    if report is None:
        raise BusinessRuleError(_("The return report has not been filed yet."))
    if report.upward_filed_on is not None:
        raise BusinessRuleError(_("Already filed upward."))
    filed_on = filed_on or common.today()
    if filed_on < report.filed_on or filed_on > common.today():
        raise BusinessRuleError(
            _("The upward filing date lies between the receipt of the return report and today."), field="filed_on"
        )
    report.upward_filed_on, report.upward_filed_by = filed_on, actor.user
    report.save(update_fields=["upward_filed_on", "upward_filed_by"])
    audit.record(
        actor=actor,
        action=audit.Action.UPDATE,
        obj=report,
        object_repr=f"{_('Return report')} #{report.pk}",
        changes={"upward_filed_on": [None, report.upward_filed_on], "due": report.upward_due_on},
    )
    return report


def remind_returns(today: date | None = None) -> int:
    """Daily: remind the traveller as the return report falls due, then the ethics office once it is overdue; and
    the ethics office when its upward filing is overdue. Idempotent (one notification per key)."""
    today = today or common.today()
    count = 0
    pending = TravelDeclaration.objects.filter(returns_on__lt=today, return_report__isnull=True).select_related(
        "traveller", "agency"
    )
    for d in pending:
        url = reverse("awareness:travel", args=[d.pk])
        remind_from = d.return_due_on
        for _n in range(rules.REMIND_TRAVELLER_WORKING_DAYS_BEFORE):
            remind_from = _previous_working_day(remind_from)
        if today >= remind_from:
            count += len(
                notify(
                    people=[d.traveller],
                    subject=_("Your return report is due by %(day)s") % {"day": rocdate.format_date(d.return_due_on)},
                    body=_("Please file the return report (返臺通報表) for your trip with the ethics office."),
                    source=d,
                    key=f"awareness:return:{d.pk}:traveller",
                    url=url,
                )
            )
        if today > d.return_due_on:
            count += len(
                notify(
                    people=common.role_people(d.agency_id, Role.ETHICS_OFFICER),
                    subject=_("Return report overdue: %(name)s") % {"name": d.traveller.name},
                    body=_("The return report was due on %(day)s.") % {"day": rocdate.format_date(d.return_due_on)},
                    source=d,
                    key=f"awareness:return:{d.pk}:overdue",
                    url=url,
                )
            )
    upward = ReturnReport.objects.filter(upward_filed_on__isnull=True, upward_due_on__lt=today).select_related(
        "declaration"
    )
    for report in upward:
        count += len(
            notify(
                people=common.role_people(report.declaration.agency_id, Role.ETHICS_OFFICER),
                subject=_("Upward filing of a return report overdue (due %(day)s)")
                % {"day": rocdate.format_date(report.upward_due_on)},
                source=report.declaration,
                key=f"awareness:upward:{report.pk}:overdue",
                url=reverse("awareness:travel", args=[report.declaration_id]),
            )
        )
    return count


def _previous_working_day(day: date) -> date:
    day -= timedelta(days=1)
    while not workdays.is_working_day(day):
        day -= timedelta(days=1)
    return day
