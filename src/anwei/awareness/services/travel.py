"""Travel declarations (赴陸申報): the traveller's category from the directory (or a stricter one with a reason),
the rule and deadline that apply, exit approval for national-secret duty, the briefing acknowledged — each write in
one transaction with its audit entry (and outbox rows through `notify()`)."""

import re
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, write_service
from anwei.accounts.roles import Role
from anwei.audit import services as audit
from anwei.core import rocdate
from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.directory.models import Person
from anwei.notifications.services import notify
from anwei.officecalendar import workdays

from .. import policies, rules
from ..models import TravelDeclaration
from . import common

GRADE = re.compile(r"第?\s*(\d{1,2})\s*職等")


def grade_of(person: Person) -> int | None:
    match = GRADE.search(person.grade or "")
    return int(match.group(1)) if match else None


def _holds_national_secret(person: Person) -> bool:
    """The single call into the classified app: does the register show this person keeping or holding a national
    secret now (custodian of one, or out with one on an approved take-out)?"""
    from anwei.classified.selectors import holds_national_secret

    user = getattr(person, "user", None)
    return user is not None and holds_national_secret(user.pk)


def needs_exit_approval(person: Person, on: date) -> bool:
    """During national-secret duty and for 3 years after it ends (國家機密保護法). The strictest of the directory and
    the classified register: the directory's flag, or a national secret in the person's custody or hands now."""
    if person.national_secret_duty or _holds_national_secret(person):
        return True
    until = person.national_secret_duty_until
    if until is None:
        return False
    years = rules.exit_approval_years(on)
    try:
        end = until.replace(year=until.year + years)
    except ValueError:  # 29 February
        end = until.replace(year=until.year + years, day=28)
    return on <= end


def category_for(person: Person, on: date) -> str:
    if needs_exit_approval(person, on):
        return rules.SENSITIVE
    grade = grade_of(person)
    return rules.SENIOR if grade is not None and grade >= 11 else rules.JUNIOR


def judge(
    destination: str, category: str, applied_on: date, departs_on: date, *, meeting: bool = False
) -> dict[str, Any]:
    """Which rule applies, how many days ahead the filing is, the latest filing day and whether it is late."""
    rule = rules.travel_rule(destination, category, applied_on, meeting=meeting)
    if rule.calendar_days:
        ahead = max((departs_on - applied_on).days, 0)
        latest = departs_on - timedelta(days=rule.working_days)
    else:
        ahead = workdays.working_days_between(applied_on, departs_on)
        latest = workdays.latest_filing_day(departs_on, rule.working_days)
    return {"rule": rule, "days_ahead": ahead, "latest": latest, "late": ahead < rule.working_days}


@write_service
@transaction.atomic
def declare_travel(
    *,
    actor: Actor,
    destination: str,
    places: str,
    departs_on: date,
    returns_on: date,
    purpose: str = "",
    applied_on: date | None = None,
    category: str | None = None,
    category_reason: str = "",
    meets_specified_persons: bool = False,
    traveller_id: int | None = None,
) -> TravelDeclaration:
    """File a declaration. The directory decides the traveller's category; a stricter one may be chosen with a
    reason (recorded), a laxer one is refused. A late declaration is accepted and flagged with the rule it breaks;
    a person with national-secret duty (or within 3 years of it) is routed for exit approval; a count over a year
    with no holidays entered is flagged and the ethics office told. The traveller is the actor's own person unless
    `traveller_id` names someone of the actor's agency, whom the ethics office declares for."""
    traveller = _traveller(actor, traveller_id)
    own = traveller.pk == actor.person_id
    if not own and not policies.travel.scope(actor, "awareness.handle_travel").covers(traveller.unit):
        raise NotAllowed()
    if destination not in rules.DESTINATION_NAMES:
        raise BusinessRuleError(_("Choose a destination."), field="destination")
    if not (places or "").strip():
        raise BusinessRuleError(_("Say where you are going."), field="places")
    applied_on = applied_on or common.today()
    if departs_on < applied_on:
        raise BusinessRuleError(_("The departure cannot be before the filing date."), field="departs_on")
    if returns_on < departs_on:
        raise BusinessRuleError(_("The return cannot be before the departure."), field="returns_on")
    derived = category_for(traveller, departs_on)
    category = category or derived
    if category not in rules.CATEGORY_NAMES:
        raise BusinessRuleError(_("Choose the traveller category."), field="category")
    overridden = category != derived
    if overridden:
        _check_category_choice(destination, derived, category, applied_on, meets_specified_persons, category_reason)
    verdict = judge(destination, category, applied_on, departs_on, meeting=meets_specified_persons)
    rule: rules.TravelRule = verdict["rule"]
    exit_needed = needs_exit_approval(traveller, departs_on)
    return_due_on = workdays.add_working_days(returns_on, rules.return_report_rule(returns_on).working_days)
    missing = workdays.years_without_holidays(min(applied_on, verdict["latest"]), return_due_on)
    declaration = TravelDeclaration.objects.create(
        agency=traveller.agency,
        traveller=traveller,
        unit=traveller.unit,
        filed_by=actor.user,
        destination=destination,
        category=category,
        derived_category=derived,
        category_reason=category_reason.strip() if overridden else "",
        category_chosen_by=actor.user if overridden else None,
        places=places.strip(),
        purpose=purpose,
        meets_specified_persons=meets_specified_persons,
        applied_on=applied_on,
        departs_on=departs_on,
        returns_on=returns_on,
        authority=rule.authority,
        rule_code=rule.code,
        rule_source=rule.source,
        required_days=rule.working_days,
        days_ahead=verdict["days_ahead"],
        latest_filing_on=verdict["latest"],
        late=verdict["late"],
        exit_approval=(
            TravelDeclaration.ExitApproval.PENDING if exit_needed else TravelDeclaration.ExitApproval.NOT_NEEDED
        ),
        return_due_on=return_due_on,
        calendar_missing_years=missing,
    )
    audit.record_create(actor=actor, obj=declaration)
    if overridden:
        audit.record(
            actor=actor,
            action=audit.Action.UPDATE,
            obj=declaration,
            changes={"category": [derived, category], "category_reason": ["", declaration.category_reason]},
        )
    url = reverse("awareness:travel", args=[declaration.pk])
    if missing:
        tell_calendar_missing(declaration, missing, url)
    if exit_needed:
        notify(
            people=common.role_people(traveller.agency, Role.AGENCY_HEAD, Role.ETHICS_OFFICER),
            subject=_("Exit approval needed: %(name)s, departing %(day)s")
            % {"name": traveller.name, "day": rocdate.format_date(departs_on)},
            body=_("This traveller handles (or handled) national secrets and needs exit approval before leaving."),
            source=declaration,
            key=f"awareness:travel:{declaration.pk}:exit",
            url=url,
            require_ack=True,
        )
    if verdict["late"]:
        notify(
            people=common.role_people(traveller.agency, Role.ETHICS_OFFICER),
            subject=_("Late travel declaration: %(name)s") % {"name": traveller.name},
            body=late_message(declaration),
            source=declaration,
            key=f"awareness:travel:{declaration.pk}:late",
            url=url,
        )
    return declaration


def _traveller(actor: Actor, traveller_id: int | None) -> Person:
    """The actor's own person, or the person of the actor's agency `traveller_id` names; NotAllowed if none."""
    found = actor.person
    if traveller_id and traveller_id != actor.person_id:
        found = Person.objects.filter(pk=traveller_id, agency_id=actor.agency_id or 0).first()
    if found is None:
        raise NotAllowed()
    return found


def _check_category_choice(
    destination: str, derived: str, chosen: str, applied_on: date, meeting: bool, reason: str
) -> None:
    """A category other than the directory's is accepted only if its rule is stricter, and only with a reason."""
    strict = rules.is_stricter(
        rules.travel_rule(destination, chosen, applied_on, meeting=meeting),
        rules.travel_rule(destination, derived, applied_on, meeting=meeting),
    )
    if not strict:
        raise BusinessRuleError(
            _(
                "The directory (grade and national-secret duties) makes this traveller “%(derived)s”. Only a stricter "
                "category may be chosen instead, and “%(chosen)s” is not stricter: leave the category as the "
                "directory says, or have the directory corrected."
            )
            % {"derived": rules.CATEGORY_NAMES[derived], "chosen": rules.CATEGORY_NAMES[chosen]},
            field="category",
        )
    if not reason.strip():
        raise BusinessRuleError(
            _("Say why a stricter category than the directory's (%(derived)s) is chosen.")
            % {"derived": rules.CATEGORY_NAMES[derived]},
            field="category_reason",
        )


def calendar_warning(years: Iterable[int]) -> str:
    """ "[holidays of 民國117年 not entered]" for each year a count touched with nothing in the calendar."""
    return " ".join(_("[holidays of 民國%(year)s年 not entered]") % {"year": year - 1911} for year in years)


def tell_calendar_missing(declaration: TravelDeclaration, years: list[int], url: str) -> None:
    notify(
        people=common.role_people(declaration.agency_id, Role.ETHICS_OFFICER),
        subject=_("Holiday calendar not entered: %(years)s") % {"years": calendar_warning(years)},
        body=_(
            "The working days of the travel declaration of %(name)s were counted over a year with no holidays in the "
            "calendar, as plain Monday to Friday: its deadlines may be wrong. Enter that year's holidays and check "
            "the declaration."
        )
        % {"name": declaration.traveller.name},
        source=declaration,
        key=f"awareness:travel:{declaration.pk}:calendar:{'-'.join(map(str, years))}",
        url=url,
    )


def late_message(declaration: TravelDeclaration) -> str:
    rule = rules.by_code(declaration.rule_code)
    unit = _("days") if rule is not None and rule.calendar_days else _("working days")
    return _(
        "Filed on %(filed)s for a departure on %(departs)s: %(ahead)s %(unit)s ahead, the rule %(rule)s requires "
        "%(required)s (latest filing date %(latest)s)."
    ) % {
        "filed": rocdate.format_date(declaration.applied_on),
        "departs": rocdate.format_date(declaration.departs_on),
        "ahead": declaration.days_ahead,
        "unit": unit,
        "rule": declaration.rule_code,
        "required": declaration.required_days,
        "latest": rocdate.format_date(declaration.latest_filing_on),
    }


@write_service
@transaction.atomic
def acknowledge_briefing(*, actor: Actor, declaration_id: int) -> TravelDeclaration:
    declaration: TravelDeclaration = policies.travel.get_visible(actor, declaration_id)
    if not policies.travel.can(actor, "awareness.acknowledge_briefing", declaration):
        raise NotAllowed()
    if declaration.briefing_acknowledged_at is None:
        declaration.briefing_acknowledged_at = timezone.now()
        declaration.save(update_fields=["briefing_acknowledged_at"])
        audit.record(
            actor=actor, action=audit.Action.UPDATE, obj=declaration, changes={"briefing_acknowledged": [False, True]}
        )
    return declaration


@write_service
@transaction.atomic
def decide_exit(*, actor: Actor, declaration_id: int, approve: bool) -> TravelDeclaration:
    declaration: TravelDeclaration = policies.travel.get_visible(actor, declaration_id)
    if not policies.travel.can(actor, "awareness.approve_exit", declaration):
        raise NotAllowed()
    if declaration.exit_approval == TravelDeclaration.ExitApproval.NOT_NEEDED:
        raise BusinessRuleError(_("This trip needs no exit approval."))
    if declaration.traveller_id == actor.person_id:
        raise BusinessRuleError(_("You cannot approve your own trip."))
    before = audit.snapshot(declaration, ["exit_approval"])
    declaration.exit_approval = (
        TravelDeclaration.ExitApproval.APPROVED if approve else TravelDeclaration.ExitApproval.REFUSED
    )
    declaration.exit_decided_by, declaration.exit_decided_at = actor.user, timezone.now()
    declaration.save(update_fields=["exit_approval", "exit_decided_by", "exit_decided_at"])
    audit.record_update(actor=actor, obj=declaration, before=before)
    return declaration
