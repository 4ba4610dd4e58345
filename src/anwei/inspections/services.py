"""Writes for inspections: templates and their versions, rounds and their targets, answers, photos and submission.
Each write is one transaction with its audit entry. Findings and corrective actions are in `corrective.py`."""

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, write_service
from anwei.accounts.models import User
from anwei.audit import services as audit
from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.directory.models import Unit
from anwei.directory.policies import units as unit_policy
from anwei.notifications.services import notify
from anwei.plans.models import Plan

from . import corrective, policies, uploads
from .models import Answer, ChecklistItem, ChecklistTemplate, Inspection, Photo, Round, TemplateVersion
from .rules import PHOTO_TYPES
from .seed import STANDARD_TEMPLATES

ITEM_FIELDS = ("order", "section", "question", "guidance", "answer_type", "severity", "minimum")


# --- templates ---------------------------------------------------------------------------------------------------


def _add_items(version: TemplateVersion, items: list[dict[str, Any]]) -> None:
    for order, item in enumerate(items, start=1):
        fields = {k: item.get(k) for k in ITEM_FIELDS if k in item}
        fields["order"] = order
        ChecklistItem.objects.create(version=version, **fields)


@write_service
@transaction.atomic
def install_standard_templates(*, actor: Actor) -> list[ChecklistTemplate]:
    """Create the checklists drawn from the seed plan that do not exist yet (by code). Safe to call again."""
    created = []
    for spec in STANDARD_TEMPLATES:
        if ChecklistTemplate.objects.filter(code=spec["code"]).exists():
            continue
        template = ChecklistTemplate.objects.create(
            code=spec["code"], name=spec["name"], basis=spec["basis"], description=spec["description"]
        )
        audit.record_create(actor=actor, obj=template)
        items = [
            {"section": s, "question": q, "guidance": g, "answer_type": t, "severity": sev}
            for s, q, g, t, sev in spec["items"]
        ]
        _new_version(actor=actor, template=template, items=items, note=_("Standard checklist"))
        created.append(template)
    return created


def _new_version(
    *, actor: Actor, template: ChecklistTemplate, items: list[dict[str, Any]], note: str
) -> TemplateVersion:
    current = template.current
    version = TemplateVersion.objects.create(
        template=template,
        number=(current.number + 1) if current else 1,
        note=note,
        created_by=actor.user,
    )
    _add_items(version, items)
    audit.record(
        actor=actor,
        action=audit.Action.CREATE,
        obj=version,
        changes={"items": [[i.get("question"), i.get("answer_type"), i.get("severity")] for i in items]},
    )
    return version


@write_service
@transaction.atomic
def edit_template(
    *, actor: Actor, template: ChecklistTemplate, items: list[dict[str, Any]], note: str = "", **fields: Any
) -> TemplateVersion:
    """Admins edit a template: its items become a new version. Rounds already started keep theirs."""
    policies.templates.require(actor, "inspections.edit_templates")
    if not items:
        raise BusinessRuleError(_("A checklist needs at least one item."), field="items")
    if fields:
        before = audit.snapshot(template, list(fields))
        for name, value in fields.items():
            setattr(template, name, value)
        template.full_clean()
        template.save()
        audit.record_update(actor=actor, obj=template, before=before)
    return _new_version(actor=actor, template=template, items=items, note=note)


# --- rounds ------------------------------------------------------------------------------------------------------


def plan_dates(plan: Plan) -> tuple[date, date]:
    """The plan's period as local dates; an end at 24:00 (midnight) belongs to the day before."""
    start = timezone.localtime(plan.period_start).date()
    end = timezone.localtime(plan.period_end - timedelta(microseconds=1)).date()
    return start, end


def occurrences(round_: Round) -> list[date]:
    if round_.recurrence == Round.Recurrence.ONCE:
        return [round_.starts_on]
    if round_.recurrence == Round.Recurrence.DATES:
        return sorted(date.fromisoformat(d) for d in round_.dates)
    step = timedelta(days=1 if round_.recurrence == Round.Recurrence.DAILY else 7)
    days, day = [], round_.starts_on
    while day <= round_.ends_on:
        days.append(day)
        day += step
    return days


@write_service
@transaction.atomic
def create_round(
    *,
    actor: Actor,
    plan: Plan,
    unit: Unit,
    template: ChecklistTemplate,
    title: str,
    starts_on: date,
    ends_on: date,
    inspectors: Sequence[User],
    joint_units: Sequence[Unit] = (),
    recurrence: str = Round.Recurrence.ONCE,
    targets: Sequence[Unit] = (),
    dates: Sequence[date] = (),
) -> Round:
    if not policies.rounds.scope(actor, "inspections.manage").covers(unit):
        raise NotAllowed()
    if unit.agency_id != plan.agency_id:
        raise BusinessRuleError(_("The unit belongs to another agency."), field="unit")
    if ends_on < starts_on:
        raise BusinessRuleError(_("The window must end on or after its first day."), field="ends_on")
    first, last = plan_dates(plan)
    if starts_on < first or ends_on > last:
        raise BusinessRuleError(_("The window must lie within the plan's period."), field="starts_on")
    if recurrence == Round.Recurrence.DATES:
        if not dates:
            raise BusinessRuleError(_("Give at least one date."), field="dates")
        if any(d < starts_on or d > ends_on for d in dates):
            raise BusinessRuleError(_("Every chosen date must lie within the window."), field="dates")
    if plan.status == Plan.Status.CLOSED:
        raise BusinessRuleError(_("The plan is closed."), field="plan")
    version = template.current
    if version is None or not template.active:
        raise BusinessRuleError(_("This checklist cannot be used."), field="template")
    if not inspectors:
        raise BusinessRuleError(_("Name at least one inspector."), field="inspectors")
    round_ = Round.objects.create(
        plan=plan,
        unit=unit,
        version=version,
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        recurrence=recurrence,
        dates=sorted({d.isoformat() for d in dates}) if recurrence == Round.Recurrence.DATES else [],
        created_by=actor.user,
    )
    round_.inspectors.set(inspectors)
    round_.joint_units.set(joint_units)
    audit.record_create(actor=actor, obj=round_)
    audit.record(
        actor=actor,
        action=audit.Action.UPDATE,
        obj=round_,
        changes={
            "inspectors": [None, sorted(u.pk for u in inspectors)],
            "joint_units": [None, sorted(u.pk for u in joint_units)],
        },
    )
    if targets:
        add_targets(actor=actor, round_=round_, units=list(targets))
    notify(
        people=inspectors,
        subject=_("You are an inspector of %(round)s (%(start)s to %(end)s)")
        % {"round": title, "start": starts_on.isoformat(), "end": ends_on.isoformat()},
        body=template.name,
        source=round_,
        key=f"inspections-round-{round_.pk}-inspectors",
        url=reverse("inspections:round", args=[round_.pk]),
    )
    return round_


@write_service
@transaction.atomic
def create_round_by_ids(
    *,
    actor: Actor,
    plan_id: int,
    unit_id: int,
    template_id: int,
    title: str,
    starts_on: date,
    ends_on: date,
    inspector_ids: Sequence[int],
    joint_unit_ids: Sequence[int] = (),
    recurrence: str = Round.Recurrence.ONCE,
    target_ids: Sequence[int] = (),
    dates: Sequence[date] = (),
) -> Round:
    """A round from keys (the page's form and the API alike): the unit, its joint units and targets are found among
    the units the actor may see in the unit's agency, the plan in that agency, the inspectors among its active users;
    then `create_round` checks the rest."""
    if not policies.rounds.can(actor, "inspections.manage"):
        raise NotAllowed()
    unit: Unit = unit_policy.get_visible(actor, unit_id)

    def units(ids: Sequence[int]) -> list[Unit]:
        found = list(unit_policy.visible(actor).filter(pk__in=ids, agency=unit.agency_id))
        if len(found) != len(set(ids)):
            raise BusinessRuleError(_("A unit was not found."), field="target_ids")
        return found

    plan = Plan.objects.filter(pk=plan_id, agency=unit.agency_id).first()
    template = ChecklistTemplate.objects.filter(pk=template_id).first()
    if plan is None or template is None:
        raise BusinessRuleError(_("The plan or the checklist was not found."), field="plan_id")
    if recurrence not in Round.Recurrence.values:
        raise BusinessRuleError(_("Unknown recurrence."), field="recurrence")
    inspectors = list(User.objects.filter(pk__in=inspector_ids, agency=unit.agency_id, is_active=True))
    if len(inspectors) != len(set(inspector_ids)):
        raise BusinessRuleError(_("An inspector was not found."), field="inspector_ids")
    return create_round(
        actor=actor,
        plan=plan,
        unit=unit,
        template=template,
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        recurrence=recurrence,
        dates=dates,
        inspectors=inspectors,
        joint_units=units(joint_unit_ids),
        targets=units(target_ids),
    )


@write_service
@transaction.atomic
def add_targets(*, actor: Actor, round_: Round, units: list[Unit]) -> int:
    """Add target units (one inspection per unit and occurrence). Units already in the round are skipped."""
    policies.rounds.require(actor, "inspections.manage", round_)
    agency_id = round_.plan.agency_id
    if any(u.agency_id != agency_id for u in units):
        raise BusinessRuleError(_("A target belongs to another agency."), field="targets")
    days = occurrences(round_)
    existing = set(round_.inspections.values_list("target_id", "due_on"))
    new = [
        Inspection(round=round_, target=unit, due_on=day)
        for unit in units
        for day in days
        if (unit.pk, day) not in existing
    ]
    Inspection.objects.bulk_create(new)
    if new:
        audit.record(
            actor=actor,
            action=audit.Action.UPDATE,
            obj=round_,
            changes={"targets_added": sorted({i.target.pk for i in new}), "inspections_added": len(new)},
        )
    return len(new)


@write_service
@transaction.atomic
def close_round(*, actor: Actor, round_: Round) -> Round:
    policies.rounds.require(actor, "inspections.manage", round_)
    before = audit.snapshot(round_, ["status"])
    round_.status = Round.Status.CLOSED
    round_.save(update_fields=["status"])
    audit.record_update(actor=actor, obj=round_, before=before)
    return round_


# --- filling an inspection ---------------------------------------------------------------------------------------


def _require_fillable(actor: Actor, inspection: Inspection) -> None:
    if not policies.inspections.can(actor, "inspections.inspect", inspection):
        raise NotAllowed()
    if inspection.status == Inspection.Status.DONE:
        raise BusinessRuleError(_("This inspection has been submitted and can no longer be changed."))


def _clean_answer(item: ChecklistItem, raw: dict[str, Any]) -> dict[str, Any]:
    field = f"item-{item.pk}"
    choice = str(raw.get("choice") or "")
    if choice and choice not in Answer.Choice.values:
        raise BusinessRuleError(_("Choose yes, no or not applicable."), field=field)
    number = raw.get("number")
    if number in ("", None):
        number = None
    else:
        try:
            number = Decimal(str(number))
        except InvalidOperation as exc:
            raise BusinessRuleError(_("Enter a number."), field=field) from exc
        if not number.is_finite() or abs(number) >= Decimal("1e10"):
            raise BusinessRuleError(_("Enter a number."), field=field)
    return {
        "choice": choice if item.answer_type == item.AnswerType.YES_NO else "",
        "number": number if item.answer_type == item.AnswerType.NUMBER else None,
        "text": str(raw.get("text") or "")[:5000] if item.answer_type == item.AnswerType.TEXT else "",
        "note": str(raw.get("note") or "")[:500],
    }


@write_service
@transaction.atomic
def save_answers(
    *, actor: Actor, inspection: Inspection, answers: dict[int, dict[str, Any]], remarks: str | None = None
) -> Inspection:
    """Save a draft: the answers given so far (item id → {choice, number, text, note}). Audited with old/new."""
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    _require_fillable(actor, inspection)
    items = {i.pk: i for i in inspection.round.version.items.all()}
    current = {a.item_id: a for a in inspection.answers.all()}
    changes: dict[str, Any] = {}
    for item_id, raw in answers.items():
        item = items.get(int(item_id))
        if item is None:
            raise BusinessRuleError(_("This item is not on the checklist."), field=f"item-{item_id}")
        answer = current.get(item.pk)
        old = {k: getattr(answer, k) for k in ("choice", "number", "text", "note")} if answer else {}
        values = _clean_answer(item, {**old, **raw})  # fields not sent keep their saved value
        if answer is None:
            if not any(values.values()) and values["number"] is None:
                continue
            answer = Answer.objects.create(inspection=inspection, item=item, **values)
        elif old != values:
            for k, v in values.items():
                setattr(answer, k, v)
            answer.save()
        else:
            continue
        changes[f"item-{item.pk}"] = [old or None, values]
    if remarks is not None and remarks != inspection.remarks:
        changes["remarks"] = [inspection.remarks, remarks[:5000]]
        inspection.remarks = remarks[:5000]
    if changes or inspection.status == Inspection.Status.PENDING:
        inspection.status = Inspection.Status.DRAFT
        inspection.saved_at = timezone.now()
        inspection.inspector = inspection.inspector or actor.user
        inspection.save(update_fields=["status", "saved_at", "inspector", "remarks"])
        audit.record(actor=actor, action=audit.Action.UPDATE, obj=inspection, changes=changes)
    return inspection


@write_service
@transaction.atomic
def add_photo(
    *,
    actor: Actor,
    inspection: Inspection,
    upload: "UploadedFile[bytes]",
    item: ChecklistItem | None = None,
    caption: str = "",
) -> Photo:
    _require_fillable(actor, inspection)
    if item is not None and item.version_id != inspection.round.version_id:
        raise BusinessRuleError(_("This item is not on the checklist."), field="item")
    content_type = uploads.check(upload, PHOTO_TYPES, field="photo")
    photo = Photo(
        inspection=inspection,
        item=item,
        content_type=content_type,
        size=upload.size or 0,  # uploads.check refused an empty file
        caption=caption[:200],
        uploaded_by=actor.user,
    )
    photo.file.save("photo", upload, save=False)
    photo.save()
    audit.record(
        actor=actor,
        action=audit.Action.CREATE,
        obj=photo,
        changes={"new": {"inspection": inspection.pk, "item": item.pk if item else None, "size": photo.size}},
    )
    return photo


@write_service
def save_answers_by_id(
    *, actor: Actor, inspection_id: int, answers: dict[int, dict[str, Any]], remarks: str | None = None
) -> Inspection:
    """`save_answers` for an inspection the actor may see (else 404)."""
    inspection: Inspection = policies.inspections.get_visible(actor, inspection_id)
    return save_answers(actor=actor, inspection=inspection, answers=answers, remarks=remarks)


def failed(item: ChecklistItem, answer: Answer | None) -> bool:
    if answer is None:
        return False
    if item.answer_type == item.AnswerType.YES_NO:
        return answer.choice == Answer.Choice.NO
    if item.answer_type == item.AnswerType.NUMBER and item.minimum is not None and answer.number is not None:
        return answer.number < item.minimum
    return False


@write_service
@transaction.atomic
def submit_inspection(*, actor: Actor, inspection: Inspection) -> Inspection:
    """Finish an inspection: every yes/no and number item must be answered; each failed item becomes a finding
    with a corrective action owed by the inspected unit."""
    inspection = Inspection.objects.select_for_update().select_related("round", "target").get(pk=inspection.pk)
    _require_fillable(actor, inspection)
    answers = {a.item_id: a for a in inspection.answers.all()}
    missing = [
        item
        for item in inspection.round.version.items.all()
        if item.answer_type in (item.AnswerType.YES_NO, item.AnswerType.NUMBER)
        and (
            item.pk not in answers
            or (item.answer_type == item.AnswerType.YES_NO and not answers[item.pk].choice)
            or (item.answer_type == item.AnswerType.NUMBER and answers[item.pk].number is None)
        )
    ]
    if missing:
        raise BusinessRuleError(
            _("Answer every question before submitting (%(n)d left): %(first)s")
            % {"n": len(missing), "first": missing[0].question},
            field=f"item-{missing[0].pk}",
        )
    before = audit.snapshot(inspection, ["status", "submitted_at"])
    inspection.status = Inspection.Status.DONE
    inspection.submitted_at = timezone.now()
    inspection.inspector = actor.user
    inspection.save(update_fields=["status", "submitted_at", "inspector"])
    audit.record_update(actor=actor, obj=inspection, before=before)
    for item in inspection.round.version.items.all():
        if failed(item, answers.get(item.pk)):
            corrective.open_finding(actor=actor, inspection=inspection, item=item, answer=answers[item.pk])
    return inspection


@write_service
def submit_inspection_by_id(*, actor: Actor, inspection_id: int) -> Inspection:
    """`submit_inspection` for an inspection the actor may see (else 404)."""
    inspection: Inspection = policies.inspections.get_visible(actor, inspection_id)
    return submit_inspection(actor=actor, inspection=inspection)


@write_service
def record_export(*, actor: Actor, round_: Round) -> None:
    audit.record(actor=actor, action=audit.Action.EXPORT, obj=round_)


@write_service
def record_list_export(*, actor: Actor, model: type[models.Model], filters: dict[str, Any]) -> None:
    """A list downloaded as CSV: who, which list, with which filters."""
    audit.record(actor=actor, action=audit.Action.EXPORT, object_type=model._meta.label_lower, changes=filters)
