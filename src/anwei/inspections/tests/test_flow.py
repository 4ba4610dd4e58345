"""The issue's "Done when": a round over 120 imported schools, one school inspected with a failed item and a
photo, 1/120 done, the school's unit answers the corrective action and the inspector closes it — all audited;
and a CSV with one bad row out of 120 imports nothing and names the bad row."""

from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from tests.personas import World

from anwei.accounts import services as accounts
from anwei.accounts.roles import Role
from anwei.audit.models import AuditEntry
from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.directory.models import Unit
from anwei.inspections import corrective, imports, selectors, services
from anwei.inspections.models import ChecklistTemplate, CorrectiveAction, Inspection
from anwei.notifications.models import Notification
from anwei.plans.models import Plan

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 64


def schools_csv(n: int = 120, bad_line: int | None = None) -> bytes:
    lines = ["代碼,名稱,類別"]
    for i in range(1, n + 1):
        name = f"縣立第{i}國民小學"
        if bad_line is not None and i + 1 == bad_line:
            name = ""
        lines.append(f"S{i:03d},{name},學校")
    return ("\n".join(lines) + "\n").encode()


def school_round(world: World, setup: dict[str, Any]) -> Any:
    template = ChecklistTemplate.objects.get(code="school-computer")
    today = timezone.localdate()
    return services.create_round(
        actor=world.users["ethics"],
        plan=setup["plan"],
        unit=world.units["ethics"],
        template=template,
        title="國民中小學電腦資訊機密維護檢查",
        starts_on=today,
        ends_on=today,
        inspectors=[setup["inspector"]],
        joint_units=[world.units["a"]],
    )


def test_done_when_round_over_120_schools_to_closure(world: World, setup: dict[str, Any]) -> None:
    ethics, inspector = world.users["ethics"], setup["inspector"]
    round_ = school_round(world, setup)
    parent = world.units["b"]
    checked = imports.import_targets(actor=ethics, round_=round_, parent=parent, data=schools_csv())
    assert len(checked.good) == 120
    assert round_.inspections.count() == 120
    assert selectors.summary(round_).total == 120

    inspection = round_.inspections.get(target__code="S007")
    items = list(round_.version.items.all())
    answers: dict[int, dict[str, Any]] = {}
    for item in items:
        if item.answer_type == "yes_no":
            answers[item.pk] = {"choice": "yes"}
        elif item.answer_type == "number":
            answers[item.pk] = {"number": "12"}
    failing = items[0]
    answers[failing.pk] = {"choice": "no", "note": "教師共用帳號，密碼貼於螢幕"}
    services.save_answers(actor=inspector, inspection=inspection, answers=answers)
    photo_item = next(i for i in items if i.answer_type == "photo")
    photo = services.add_photo(
        actor=inspector,
        inspection=inspection,
        item=photo_item,
        upload=SimpleUploadedFile("x.jpg", JPEG, content_type="image/jpeg"),
    )
    assert photo.content_type == "image/jpeg" and photo.file.name.endswith(".jpg")
    services.submit_inspection(actor=inspector, inspection=inspection)

    summary = selectors.summary(round_)
    assert (summary.done, summary.total, summary.findings, summary.open) == (1, 120, 1, 1)

    action = CorrectiveAction.objects.get(finding__inspection=inspection)
    school = inspection.target
    assert action.unit == school and action.finding.severity == failing.severity
    # the school's supervisor hears of it, answers; the inspector closes it
    principal = world.people["in_b"]
    principal.unit = school
    principal.save()
    user = accounts.create_user(actor=None, username="principal", password="x-Passw0rd!", person=principal)
    accounts.assign_role(actor=None, user=user, role=Role.UNIT_SUPERVISOR, unit=school)
    assert selectors.actions(user).get() == action
    assert not selectors.actions(world.users["supervisor_a"]).exists()
    with pytest.raises(NotAllowed):
        corrective.answer_action(actor=world.users["supervisor_a"], action=action, response="已改善")
    corrective.answer_action(
        actor=user,
        action=action,
        response="已取消共用帳號並重設密碼",
        evidence=SimpleUploadedFile("e.pdf", b"%PDF-1.4\n...", content_type="application/pdf"),
    )
    with pytest.raises(NotAllowed):
        corrective.verify_action(actor=user, action=action, accept=True)
    corrective.verify_action(actor=inspector, action=action, accept=True, note="複查確認")
    action.refresh_from_db()
    assert action.status == CorrectiveAction.Status.CLOSED
    assert selectors.summary(round_).corrected == 1

    logged = set(AuditEntry.objects.filter(object_type__startswith="inspections.").values_list("object_type", "action"))
    assert {
        ("inspections.round", "create"),
        ("inspections.inspection", "update"),
        ("inspections.photo", "create"),
        ("inspections.finding", "create"),
        ("inspections.correctiveaction", "create"),
        ("inspections.correctiveaction", "update"),
    } <= logged
    assert AuditEntry.objects.filter(object_type="inspections.correctiveaction", actor=user).exists()
    assert AuditEntry.objects.filter(object_type="inspections.correctiveaction", actor=inspector).exists()
    assert Notification.objects.filter(source_type="inspections.correctiveaction", person=principal).exists()


def test_one_bad_row_in_120_imports_nothing_and_names_it(world: World, setup: dict[str, Any]) -> None:
    round_ = school_round(world, setup)
    units_before = Unit.objects.count()
    with pytest.raises(BusinessRuleError) as exc:
        imports.import_targets(
            actor=world.users["ethics"], round_=round_, parent=world.units["b"], data=schools_csv(bad_line=58)
        )
    assert "58" in str(exc.value.message)
    assert Unit.objects.count() == units_before
    assert round_.inspections.count() == 0
    checked = imports.check(schools_csv(bad_line=58), agency_id=world.agency.pk)
    assert [(r.line, r.errors) for r in checked.bad] == [(58, ["The name is missing."])]
    # the user explicitly imports the good rows
    imports.import_targets(
        actor=world.users["ethics"],
        round_=round_,
        parent=world.units["b"],
        data=schools_csv(bad_line=58),
        good_rows_only=True,
    )
    assert round_.inspections.count() == 119


def test_csv_checks_duplicates_kinds_and_big5(world: World) -> None:
    data = "代碼,名稱,類別\nS1,甲校,學校\nS1,乙校,學校\nS2,丙工地,倉庫\n".encode("cp950")
    checked = imports.check(data, agency_id=world.agency.pk)
    assert [r.line for r in checked.bad] == [3, 4]
    assert "line 2" in checked.bad[0].errors[0]
    assert imports.check(b"foo,bar\n1,2\n", agency_id=world.agency.pk).file_errors


def test_round_keeps_its_version_when_template_is_edited(world: World, setup: dict[str, Any]) -> None:
    round_ = school_round(world, setup)
    template = round_.version.template
    with pytest.raises(NotAllowed):
        services.edit_template(actor=world.users["ethics"], template=template, items=[{"question": "新題目"}])
    version = services.edit_template(
        actor=world.users["admin"], template=template, items=[{"question": "新題目", "answer_type": "yes_no"}]
    )
    assert version.number == 2 and template.current == version
    round_.refresh_from_db()
    assert round_.version.number == 1 and round_.version.items.count() == 10


def test_submit_needs_every_answer_and_locks(world: World, setup: dict[str, Any]) -> None:
    round_ = school_round(world, setup)
    services.add_targets(actor=world.users["ethics"], round_=round_, units=[world.units["a"]])
    inspection = round_.inspections.get()
    with pytest.raises(BusinessRuleError):
        services.submit_inspection(actor=setup["inspector"], inspection=inspection)
    with pytest.raises(NotAllowed):
        services.save_answers(actor=world.users["staff_a"], inspection=inspection, answers={})
    answers = {i.pk: {"choice": "yes", "number": "1"} for i in round_.version.items.all()}
    services.save_answers(actor=setup["inspector"], inspection=inspection, answers=answers)
    services.submit_inspection(actor=setup["inspector"], inspection=inspection)
    assert Inspection.objects.get(pk=inspection.pk).status == "done"
    with pytest.raises(BusinessRuleError):
        services.save_answers(actor=setup["inspector"], inspection=inspection, answers=answers)


def test_photo_content_and_size_checked(world: World, setup: dict[str, Any]) -> None:
    round_ = school_round(world, setup)
    services.add_targets(actor=world.users["ethics"], round_=round_, units=[world.units["a"]])
    inspection = round_.inspections.get()
    fake = SimpleUploadedFile("x.jpg", b"<html>not a photo</html>", content_type="image/jpeg")
    with pytest.raises(BusinessRuleError):
        services.add_photo(actor=setup["inspector"], inspection=inspection, upload=fake)
    big = SimpleUploadedFile("x.jpg", JPEG + b"\x00" * (11 * 1024 * 1024), content_type="image/jpeg")
    with pytest.raises(BusinessRuleError):
        services.add_photo(actor=setup["inspector"], inspection=inspection, upload=big)


def test_window_within_plan_and_recurrence(world: World, setup: dict[str, Any]) -> None:
    template = ChecklistTemplate.objects.get(code="holiday-lock")
    today = timezone.localdate()
    with pytest.raises(BusinessRuleError):
        services.create_round(
            actor=world.users["ethics"],
            plan=setup["plan"],
            unit=world.units["ethics"],
            template=template,
            title="x",
            starts_on=date(2000, 1, 1),
            ends_on=today,
            inspectors=[setup["inspector"]],
        )
    round_ = services.create_round(
        actor=world.users["ethics"],
        plan=setup["plan"],
        unit=world.units["ethics"],
        template=template,
        title="連續假日公文上鎖檢查",
        starts_on=today,
        ends_on=today + __import__("datetime").timedelta(days=6),
        recurrence="daily",
        inspectors=[setup["inspector"]],
        targets=[world.units["a"], world.units["b"]],
    )
    assert round_.inspections.count() == 14
    with pytest.raises(NotAllowed):
        services.create_round(
            actor=world.users["supervisor_a"],
            plan=setup["plan"],
            unit=world.units["a"],
            template=template,
            title="x",
            starts_on=today,
            ends_on=today,
            inspectors=[setup["inspector"]],
        )


def test_lock_check_on_chosen_holiday_evenings(world: World, setup: dict[str, Any]) -> None:
    from datetime import timedelta

    from anwei.inspections.forms import RoundForm

    today = timezone.localdate()
    form = RoundForm(
        {"dates": f"{today.year - 1911}/{today.month}/{today.day}, {(today + timedelta(days=3)).isoformat()}"},
        plans=Plan.objects.none(),
        templates=ChecklistTemplate.objects.none(),
        units=Unit.objects.none(),
        users=Unit.objects.none(),
    )
    form.is_valid()
    days = form.cleaned_data["dates"]
    assert days == [today, today + timedelta(days=3)]
    round_ = services.create_round(
        actor=world.users["ethics"],
        plan=setup["plan"],
        unit=world.units["ethics"],
        template=ChecklistTemplate.objects.get(code="holiday-lock"),
        title="連續假日公文上鎖檢查",
        starts_on=today,
        ends_on=today + timedelta(days=5),
        recurrence="dates",
        dates=days,
        inspectors=[setup["inspector"]],
        targets=[world.units["a"]],
    )
    assert sorted(round_.inspections.values_list("due_on", flat=True)) == days
    with pytest.raises(BusinessRuleError):
        services.create_round(
            actor=world.users["ethics"],
            plan=setup["plan"],
            unit=world.units["ethics"],
            template=ChecklistTemplate.objects.get(code="holiday-lock"),
            title="x",
            starts_on=today,
            ends_on=today,
            recurrence="dates",
            dates=[today + timedelta(days=9)],
            inspectors=[setup["inspector"]],
        )
