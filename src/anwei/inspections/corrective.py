"""Findings (缺失) and corrective actions (改善措施): opened from failed items, answered by the owner unit with
evidence, verified and closed (or sent back) by the inspector; reminders before the due date and escalation to the
unit's supervisors when overdue. Each write is one transaction with its audit entry and its notifications."""

import importlib
import importlib.util
from datetime import date, datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, write_service
from anwei.accounts.models import RoleAssignment, User
from anwei.accounts.roles import Role
from anwei.audit import services as audit
from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.directory.models import Person, Unit
from anwei.notifications.services import notify

from . import policies, uploads
from .models import Answer, ChecklistItem, CorrectiveAction, Finding, Inspection
from .rules import EVIDENCE_TYPES, rules_on


def unit_people(unit: Unit) -> list[Person]:
    """Who hears for a unit: its active people and whoever holds a role on the unit itself."""
    holders = RoleAssignment.objects.filter(unit=unit, user__person__isnull=False).values("user__person")
    return list(Person.objects.filter(Q(unit=unit) | Q(pk__in=holders), active=True).distinct())


def supervisors(unit: Unit) -> list[Person]:
    """The unit supervisors (單位主管) whose role covers the unit (on it or above it)."""
    ancestors = [p for p in unit.path.split("/") if p]
    return list(
        Person.objects.filter(
            user__role_assignments__role=Role.UNIT_SUPERVISOR,
            user__role_assignments__unit_id__in=ancestors,
            active=True,
        ).distinct()
    )


def _inspector_people(action: CorrectiveAction) -> list[User]:
    return list(action.finding.inspection.round.inspectors.filter(person__isnull=False))


def _url(action: CorrectiveAction) -> str:
    return reverse("inspections:action", args=[action.pk])


@write_service
@transaction.atomic
def open_finding(*, actor: Actor, inspection: Inspection, item: ChecklistItem, answer: Answer | None) -> Finding:
    rules = rules_on(timezone.localdate())
    description = item.question + (f"\n{answer.note}" if answer and answer.note else "")
    finding = Finding.objects.create(
        inspection=inspection, item=item, unit=inspection.target, severity=item.severity, description=description
    )
    audit.record_create(actor=actor, obj=finding)
    action = CorrectiveAction.objects.create(
        finding=finding,
        unit=inspection.target,
        required=_("Correct: %(question)s") % {"question": item.question},
        due_on=timezone.localdate() + timedelta(days=rules.action_days[item.severity]),
    )
    audit.record(
        actor=actor,
        action=audit.Action.CREATE,
        obj=action,
        changes={"new": {"finding": finding.pk, "unit": action.unit_id, "due_on": action.due_on}},
    )
    notify(
        people=unit_people(action.unit) + supervisors(action.unit),
        subject=_("Inspection finding for %(unit)s: corrective action due %(due)s")
        % {"unit": action.unit.name, "due": action.due_on.isoformat()},
        body=f"{inspection.round.title}\n{finding.description}",
        source=action,
        key=f"inspections-action-{action.pk}-opened",
        url=_url(action),
    )
    return finding


def leak_reports_available() -> bool:
    return importlib.util.find_spec("anwei.incidents.services") is not None


@write_service
@transaction.atomic
def set_leak_suspected(*, actor: Actor, finding: Finding, suspected: bool) -> Finding:
    """Mark a finding as suggesting a leak (疑似洩密). Where the incidents app can take reports, marking it also
    files a `leak` report linked to the finding (once, if the actor may file reports), routed by the incidents app's
    own rules."""
    if not policies.findings.can(actor, "inspections.verify", finding):
        raise NotAllowed()
    before = audit.snapshot(finding, ["suggests_leak", "leak_report_id"])
    finding.suggests_leak = suspected
    if suspected and finding.leak_report_id is None and leak_reports_available():
        incidents = importlib.import_module("anwei.incidents.services")
        try:
            with transaction.atomic():
                report = incidents.file_report(
                    actor=actor,
                    agency=finding.unit.agency,
                    category="leak",
                    title=_("Suspected leak found by an inspection at %(unit)s") % {"unit": finding.unit.name},
                    description=finding.description,
                    unit=finding.unit,
                    source=finding,
                )
        except (NotAllowed, BusinessRuleError):
            pass  # an inspector who may not file reports for that unit only marks it; the ethics office files it
        else:
            finding.leak_report_id = report.pk
    finding.save(update_fields=["suggests_leak", "leak_report_id"])
    audit.record_update(actor=actor, obj=finding, before=before)
    return finding


@write_service
@transaction.atomic
def answer_action(
    *, actor: Actor, action: CorrectiveAction, response: str, evidence: "UploadedFile[bytes] | None" = None
) -> CorrectiveAction:
    """The owner unit says what it did, with evidence (a photo or a PDF)."""
    action = CorrectiveAction.objects.select_for_update().get(pk=action.pk)
    if not policies.actions.can(actor, "inspections.answer", action):
        raise NotAllowed()
    if action.status != CorrectiveAction.Status.OPEN:
        raise BusinessRuleError(_("This action is not waiting for an answer."))
    if not response.strip():
        raise BusinessRuleError(_("Say what the unit did."), field="response")
    before = audit.snapshot(action, ["status", "response", "evidence_type", "answered_at"])
    if evidence is not None:
        action.evidence_type = uploads.check(
            evidence,
            EVIDENCE_TYPES,
            field="evidence",
            message=_("This kind of file is not accepted: send a photo (JPEG, PNG, WebP) or a PDF."),
        )
        action.evidence.save("evidence", evidence, save=False)
    action.response = response.strip()[:5000]
    action.status = CorrectiveAction.Status.ANSWERED
    action.answered_by = actor.user
    action.answered_at = timezone.now()
    action.save()
    audit.record_update(actor=actor, obj=action, before=before)
    if action.evidence:
        audit.record(
            actor=actor, action=audit.Action.UPDATE, obj=action, changes={"evidence": [None, action.evidence.name]}
        )
    notify(
        people=_inspector_people(action),
        subject=_("%(unit)s answered a corrective action: please verify") % {"unit": action.unit.name},
        body=action.response,
        source=action,
        key=f"inspections-action-{action.pk}-answered-{action.times_returned}",
        url=_url(action),
    )
    return action


@write_service
@transaction.atomic
def verify_action(
    *, actor: Actor, action: CorrectiveAction, accept: bool, note: str = "", due_on: date | None = None
) -> CorrectiveAction:
    """The inspector closes the action, or sends it back to the unit (with a new due date if given)."""
    action = CorrectiveAction.objects.select_for_update().get(pk=action.pk)
    if policies.actions.is_verifier(actor, action) and policies.actions.is_own(actor, action):
        raise BusinessRuleError(
            _(
                "You answered this corrective action or belong to the unit that owes it: another inspector or the "
                "ethics office must verify and close it."
            ),
            code="own_action",
        )
    if not policies.actions.can(actor, "inspections.verify", action):
        raise NotAllowed()
    if action.status != CorrectiveAction.Status.ANSWERED:
        raise BusinessRuleError(_("Only an answered action can be verified."))
    if not accept and not note.strip():
        raise BusinessRuleError(_("Say why the action is sent back."), field="note")
    if due_on is not None and due_on < timezone.localdate():
        raise BusinessRuleError(_("The new due date is in the past."), field="due_on")
    before = audit.snapshot(action, ["status", "verification_note", "closed_at", "due_on", "times_returned"])
    action.verification_note = note.strip()[:5000]
    action.verified_by = actor.user
    if accept:
        action.status = CorrectiveAction.Status.CLOSED
        action.closed_at = timezone.now()
    else:
        action.status = CorrectiveAction.Status.OPEN
        action.times_returned += 1
        if due_on is not None:
            action.due_on = due_on
    action.save()
    audit.record_update(actor=actor, obj=action, before=before)
    subject = (
        _("Corrective action closed for %(unit)s") if accept else _("Corrective action sent back to %(unit)s")
    ) % {"unit": action.unit.name}
    notify(
        people=unit_people(action.unit),
        subject=subject,
        body=action.verification_note,
        source=action,
        key=f"inspections-action-{action.pk}-verified-{action.times_returned}-{accept}",
        url=_url(action),
    )
    return action


# --- by key (the page and the API alike): the record is found among those the actor may see (else 404) ---------


@write_service
def set_leak_suspected_by_id(*, actor: Actor, finding_id: int, suspected: bool) -> Finding:
    finding: Finding = policies.findings.get_visible(actor, finding_id)
    return set_leak_suspected(actor=actor, finding=finding, suspected=suspected)


@write_service
def answer_action_by_id(
    *, actor: Actor, action_id: int, response: str, evidence: "UploadedFile[bytes] | None" = None
) -> CorrectiveAction:
    action: CorrectiveAction = policies.actions.get_visible(actor, action_id)
    return answer_action(actor=actor, action=action, response=response, evidence=evidence)


@write_service
def verify_action_by_id(
    *, actor: Actor, action_id: int, accept: bool, note: str = "", due_on: date | None = None
) -> CorrectiveAction:
    action: CorrectiveAction = policies.actions.get_visible(actor, action_id)
    return verify_action(actor=actor, action=action, accept=accept, note=note, due_on=due_on)


def send_reminders(now: datetime | None = None) -> int:
    """Remind owner units before actions fall due and when overdue; tell the supervisors once an action is
    `escalate_after_days` overdue. Idempotent per action, stage and due date. Returns notifications written."""
    today = timezone.localdate(now or timezone.now())
    rules = rules_on(today)
    count = 0
    open_actions = CorrectiveAction.objects.filter(
        status=CorrectiveAction.Status.OPEN, due_on__lte=today + timedelta(days=rules.remind_before_days)
    ).select_related("unit", "finding__inspection__round")
    for action in open_actions:
        with transaction.atomic():
            count += _remind(action, today, rules.escalate_after_days)
    return count


def _remind(action: CorrectiveAction, today: date, escalate_after: int) -> int:
    stamp = action.due_on.isoformat()
    url, unit = _url(action), action.unit.name
    if action.due_on >= today:
        sent = notify(
            people=unit_people(action.unit),
            subject=_("Corrective action for %(unit)s is due on %(due)s") % {"unit": unit, "due": stamp},
            body=action.required,
            source=action,
            key=f"inspections-action-{action.pk}-due-{stamp}",
            url=url,
        )
        return _record_reminder(action, sent)
    sent = notify(
        people=unit_people(action.unit),
        subject=_("Corrective action for %(unit)s is overdue (due %(due)s)") % {"unit": unit, "due": stamp},
        body=action.required,
        source=action,
        key=f"inspections-action-{action.pk}-overdue-{stamp}",
        url=url,
    )
    if (today - action.due_on).days >= escalate_after:
        sent += notify(
            people=supervisors(action.unit),
            subject=_("Overdue corrective action in your unit %(unit)s (due %(due)s)") % {"unit": unit, "due": stamp},
            body=action.required,
            source=action,
            key=f"inspections-action-{action.pk}-escalated-{stamp}",
            url=url,
        )
    return _record_reminder(action, sent)


def _record_reminder(action: CorrectiveAction, sent: list[Any]) -> int:
    if sent:
        audit.record(
            actor=None,
            action=audit.Action.OTHER,
            obj=action,
            actor_label="reminders",
            changes={"reminded": [p.person_id for p in sent]},
        )
    return len(sent)
