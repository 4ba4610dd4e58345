"""Permission-matrix cases for inspections. staff_b is named inspector of the round (no inspection role): that
alone lets them see the round and fill and verify; supervisor_a and staff_a (roles on unit A) see and answer the
findings of unit A1 — the unit answers — but never verify or close them."""

from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from tests.matrix import ROLE_HOLDERS, Case, api, everyone, page
from tests.personas import World

from anwei.inspections import corrective, services
from anwei.inspections.models import ChecklistTemplate
from anwei.plans.models import Plan

SECRET = "保險櫃密碼貼在櫃門上"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 32
VIEWERS = frozenset({"admin", "ethics", "head", "auditor"})
ROUND_SEERS = VIEWERS | {"staff_b"}
FINDING_SEERS = ROUND_SEERS | {"supervisor_a", "staff_a"}
UNIT_ANSWERERS = {"supervisor_a", "staff_a"}
FILLERS = {"admin": 0, "ethics": 0, "staff_b": 0}


def setup_world(world: World) -> None:
    services.install_standard_templates(actor=None)
    now = timezone.now()
    plan = Plan.objects.create(
        agency=world.agency,
        owning_unit=world.units["ethics"],
        title="測試春安計畫",
        period_start=now - timedelta(days=1),
        period_end=now + timedelta(days=20),
        status=Plan.Status.ACTIVE,
    )
    ethics, inspector = world.users["ethics"], world.users["staff_b"]
    today = timezone.localdate()
    round_ = services.create_round(
        actor=ethics,
        plan=plan,
        unit=world.units["ethics"],
        template=ChecklistTemplate.objects.get(code="holiday-lock"),
        title="下班公文上鎖檢查",
        starts_on=today,
        ends_on=today,
        inspectors=[inspector],
        targets=[world.units["a1"], world.units["b"]],
    )
    done = round_.inspections.get(target=world.units["a1"])
    items = list(round_.version.items.all())
    answers: dict[int, dict[str, Any]] = {i.pk: {"choice": "yes"} for i in items if i.answer_type == "yes_no"}
    answers[items[2].pk] = {"choice": "no", "note": SECRET}
    answers[items[3].pk] = {"choice": "no"}
    services.save_answers(actor=inspector, inspection=done, answers=answers)
    photo = services.add_photo(
        actor=inspector, inspection=done, upload=SimpleUploadedFile("p.jpg", JPEG, content_type="image/jpeg")
    )
    services.submit_inspection(actor=inspector, inspection=done)
    open_action = done.findings.get(item=items[2]).action
    answered = done.findings.get(item=items[3]).action
    corrective.answer_action(
        actor=world.users["supervisor_a"],
        action=answered,
        response="已上鎖",
        evidence=SimpleUploadedFile("e.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
    )
    world.records.update(
        inspection_plan=plan,
        round=round_,
        pending=round_.inspections.get(target=world.units["b"]),
        photo=photo,
        action=open_action,
        answered=answered,
        template=round_.version.template,
        yes_item=items[0],
    )


def _secret(world: World) -> str:
    return SECRET


def _r(key: str, fmt: str) -> Any:
    return lambda w: fmt.format(pk=w.records[key].pk)


def _fill(statuses: dict[str, int], others: int, *, extra: frozenset[str] = frozenset()) -> dict[str, int]:
    """Allowed personas get their status; other viewers of the round get `others`; the rest the case default."""
    seers = ROUND_SEERS | extra
    return {**dict.fromkeys(seers, others), **statuses}


def _round_post(world: World) -> dict[str, Any]:
    today = timezone.localdate().isoformat()
    return {
        "plan": world.records["inspection_plan"].pk,
        "template": world.records["template"].pk,
        "title": "新梯次",
        "unit": world.units["ethics"].pk,
        "starts_on": today,
        "ends_on": today,
        "recurrence": "once",
        "inspectors": [world.users["staff_b"].pk],
    }


def _csv(world: World) -> dict[str, Any]:
    body = "代碼,名稱\nT1,測試國小\nT2,測試國中\n".encode()
    return {"file": SimpleUploadedFile("t.csv", body, content_type="text/csv"), "parent": world.units["b"].pk}


def _photo(world: World) -> dict[str, Any]:
    return {"photo": SimpleUploadedFile("p.jpg", JPEG, content_type="image/jpeg")}


MANAGERS_302 = {"admin": 302, "ethics": 302}
CASES = [
    Case(
        "inspections:index",
        "/inspections/",
        page({**everyone(200, FINDING_SEERS), "duty": 403, "outsider": 403}),
    ),
    Case(
        "inspections:rounds_csv",
        "/inspections/rounds.csv",
        page(everyone(200, ROUND_SEERS)),
        secret=_secret,  # titles and progress only
    ),
    Case("inspections:round_new", "/inspections/rounds/new/", page({"admin": 200, "ethics": 200})),
    Case(
        "inspections:round_new",
        "/inspections/rounds/new/",
        page(MANAGERS_302),
        method="post",
        data=_round_post,
        label="post",
    ),
    Case("inspections:round", _r("round", "/inspections/rounds/{pk}/"), page(everyone(200, ROUND_SEERS)), default=404),
    Case(
        "inspections:round_import",
        _r("round", "/inspections/rounds/{pk}/import/"),
        page(_fill({"admin": 200, "ethics": 200}, 403)),
        default=404,
    ),
    Case(
        "inspections:round_import",
        _r("round", "/inspections/rounds/{pk}/import/"),
        page(_fill(MANAGERS_302, 403)),
        default=404,
        method="post",
        data=_csv,
        label="post",
    ),
    Case(
        "inspections:round_targets",
        _r("round", "/inspections/rounds/{pk}/targets/"),
        page(_fill({"admin": 200, "ethics": 200}, 403)),
        default=404,
    ),
    Case(
        "inspections:round_targets",
        _r("round", "/inspections/rounds/{pk}/targets/"),
        page(_fill(MANAGERS_302, 403)),
        default=404,
        method="post",
        data=lambda w: {"units": [w.units["a"].pk]},
        label="post",
    ),
    Case(
        "inspections:round_export",
        _r("round", "/inspections/rounds/{pk}/export.csv"),
        page(everyone(200, ROUND_SEERS)),
        default=404,
        secret=_secret,  # remarks only, never answer notes
    ),
    Case(
        "inspections:round_close",
        _r("round", "/inspections/rounds/{pk}/close/"),
        page(_fill(MANAGERS_302, 403)),
        default=404,
        method="post",
        data={},
    ),
    Case(
        "inspections:inspection",
        _r("pending", "/inspections/inspections/{pk}/"),
        page(everyone(200, ROUND_SEERS)),
        default=404,
    ),
    Case(
        "inspections:inspection",
        lambda w: f"/inspections/inspections/{w.records['photo'].inspection_id}/",
        page(everyone(200, ROUND_SEERS)),
        default=404,
        secret=_secret,
        may_see=ROUND_SEERS,
        label="done",
    ),
    Case(
        "inspections:inspection",
        _r("pending", "/inspections/inspections/{pk}/"),
        page(_fill({"admin": 200, "ethics": 200, "staff_b": 200}, 403)),
        default=404,
        method="post",
        data=lambda w: {f"item-{w.records['yes_item'].pk}-choice": "yes"},
        label="save draft",
    ),
    Case(
        "inspections:photo_upload",
        _r("pending", "/inspections/inspections/{pk}/photos/"),
        page(_fill({"admin": 302, "ethics": 302, "staff_b": 302}, 403)),
        default=404,
        method="post",
        data=_photo,
    ),
    Case("inspections:photo", _r("photo", "/inspections/photos/{pk}/"), page(everyone(200, ROUND_SEERS)), default=404),
    Case(
        "inspections:target_history",
        lambda w: f"/inspections/units/{w.units['a1'].pk}/history/",
        page({**everyone(403, ROLE_HOLDERS), **everyone(200, VIEWERS)}),
        default=404,
    ),
    Case(
        "inspections:target_history_csv",
        lambda w: f"/inspections/units/{w.units['a1'].pk}/history.csv",
        page({**everyone(403, ROLE_HOLDERS), **everyone(200, VIEWERS)}),
        default=404,
        secret=_secret,
    ),
    Case(
        "inspections:actions_csv",
        "/inspections/actions.csv",
        page(everyone(200)),
        secret=lambda w: f"{w.units['a1'].name},",  # a row of unit A1's action
        may_see=FINDING_SEERS,
    ),
    Case(
        "inspections:actions_csv",
        "/inspections/actions.csv?status=open",
        page(everyone(200)),
        secret=_secret,  # the question, never the inspector's note
        label="no notes",
    ),
    Case(
        "inspections:actions",
        "/inspections/actions/",
        page(everyone(200)),
        secret=lambda w: w.units["a1"].name + "：",
        may_see=FINDING_SEERS,
    ),
    Case(
        "inspections:action",
        _r("action", "/inspections/actions/{pk}/"),
        page(everyone(200, FINDING_SEERS)),
        default=404,
        secret=_secret,
        may_see=FINDING_SEERS,
    ),
    Case(
        "inspections:action_answer",
        _r("action", "/inspections/actions/{pk}/answer/"),
        page({**everyone(403, FINDING_SEERS), **dict.fromkeys(UNIT_ANSWERERS, 302)}),
        default=404,
        method="post",
        data={"response": "已將公文收妥上鎖"},
    ),
    Case(
        "inspections:action_verify",
        _r("answered", "/inspections/actions/{pk}/verify/"),
        page({**everyone(403, FINDING_SEERS), "admin": 302, "ethics": 302, "staff_b": 302}),
        default=404,
        method="post",
        data={"decision": "close", "note": "複查無誤"},
    ),
    Case(
        "inspections:action_evidence",
        _r("answered", "/inspections/actions/{pk}/evidence/"),
        page(everyone(200, FINDING_SEERS)),
        default=404,
    ),
    Case(
        "inspections:finding_flag",
        lambda w: f"/inspections/findings/{w.records['action'].finding_id}/leak/",
        page({**everyone(403, FINDING_SEERS), "admin": 302, "ethics": 302, "staff_b": 302}),
        default=404,
        method="post",
        data={"leak": "1"},
    ),
    Case("inspections:templates", "/inspections/templates/", page(everyone(200, ROUND_SEERS))),
    Case(
        "inspections:template_install",
        "/inspections/templates/install/",
        page({"admin": 302}),
        method="post",
        data={},
    ),
    Case(
        "inspections:template",
        _r("template", "/inspections/templates/{pk}/"),
        page(everyone(200, ROUND_SEERS)),
        default=404,
    ),
    Case(
        "inspections:template_csv",
        _r("template", "/inspections/templates/{pk}/items.csv"),
        page(everyone(200, ROUND_SEERS)),
        default=404,
    ),
    Case(
        "inspections:template_edit",
        _r("template", "/inspections/templates/{pk}/edit/"),
        page({**everyone(403, ROUND_SEERS), "admin": 200}),
        default=404,
    ),
    Case("inspections:cadence", "/inspections/cadence/", page(everyone(200, VIEWERS))),
    # API
    Case("GET /api/v1/inspections/templates", "/api/v1/inspections/templates", api(everyone(200, ROUND_SEERS))),
    Case(
        "GET /api/v1/inspections/templates/{template_id}",
        _r("template", "/api/v1/inspections/templates/{pk}"),
        api(everyone(200, ROUND_SEERS)),
        default=404,
    ),
    Case("GET /api/v1/inspections/rounds", "/api/v1/inspections/rounds", api(everyone(200))),
    Case(
        "POST /api/v1/inspections/rounds",
        "/api/v1/inspections/rounds",
        api({**everyone(403), "admin": 201, "ethics": 201}),
        method="post",
        json=True,
        data=lambda w: {
            "plan_id": w.records["inspection_plan"].pk,
            "template_id": w.records["template"].pk,
            "unit_id": w.units["ethics"].pk,
            "title": "API 梯次",
            "starts_on": timezone.localdate().isoformat(),
            "ends_on": timezone.localdate().isoformat(),
            "inspector_ids": [w.users["staff_b"].pk],
            "target_ids": [w.units["b"].pk],
        },
    ),
    Case(
        "GET /api/v1/inspections/rounds/{round_id}",
        _r("round", "/api/v1/inspections/rounds/{pk}"),
        api(everyone(200, ROUND_SEERS)),
        default=404,
    ),
    Case(
        "GET /api/v1/inspections/rounds/{round_id}/inspections",
        _r("round", "/api/v1/inspections/rounds/{pk}/inspections"),
        api(everyone(200, ROUND_SEERS)),
        default=404,
    ),
    Case(
        "GET /api/v1/inspections/inspections/{inspection_id}",
        _r("pending", "/api/v1/inspections/inspections/{pk}"),
        api(everyone(200, ROUND_SEERS)),
        default=404,
    ),
    Case(
        "PATCH /api/v1/inspections/inspections/{inspection_id}",
        _r("pending", "/api/v1/inspections/inspections/{pk}"),
        api(_fill({"admin": 200, "ethics": 200, "staff_b": 200}, 403)),
        default=404,
        method="patch",
        json=True,
        data=lambda w: {"answers": [{"item_id": w.records["yes_item"].pk, "choice": "yes"}]},
    ),
    Case(
        "POST /api/v1/inspections/inspections/{inspection_id}/submit",
        _r("pending", "/api/v1/inspections/inspections/{pk}/submit"),
        api(_fill({"admin": 422, "ethics": 422, "staff_b": 422}, 403)),
        default=404,
        method="post",
        json=True,
        data={},
    ),
    Case(
        "GET /api/v1/inspections/findings",
        "/api/v1/inspections/findings",
        api(everyone(200)),
        secret=_secret,
        may_see=FINDING_SEERS,
    ),
    Case(
        "GET /api/v1/inspections/findings/{finding_id}",
        lambda w: f"/api/v1/inspections/findings/{w.records['action'].finding_id}",
        api(everyone(200, FINDING_SEERS)),
        default=404,
        secret=_secret,
        may_see=FINDING_SEERS,
    ),
    Case(
        "POST /api/v1/inspections/findings/{finding_id}/leak",
        lambda w: f"/api/v1/inspections/findings/{w.records['action'].finding_id}/leak",
        api({**everyone(403, FINDING_SEERS), "admin": 200, "ethics": 200, "staff_b": 200}),
        default=404,
        method="post",
        json=True,
        data={"suspected": True},
    ),
    Case(
        "GET /api/v1/inspections/actions",
        "/api/v1/inspections/actions",
        api(everyone(200)),
        secret=_secret,
        may_see=FINDING_SEERS,
    ),
    Case(
        "GET /api/v1/inspections/actions/{action_id}",
        _r("action", "/api/v1/inspections/actions/{pk}"),
        api(everyone(200, FINDING_SEERS)),
        default=404,
        secret=_secret,
        may_see=FINDING_SEERS,
    ),
    Case(
        "POST /api/v1/inspections/actions/{action_id}/answer",
        _r("action", "/api/v1/inspections/actions/{pk}/answer"),
        api({**everyone(403, FINDING_SEERS), **dict.fromkeys(UNIT_ANSWERERS, 200)}),
        default=404,
        method="post",
        json=True,
        data={"response": "已改善"},
    ),
    Case(
        "POST /api/v1/inspections/actions/{action_id}/verify",
        _r("answered", "/api/v1/inspections/actions/{pk}/verify"),
        api({**everyone(403, FINDING_SEERS), "admin": 200, "ethics": 200, "staff_b": 200}),
        default=404,
        method="post",
        json=True,
        data={"accept": True, "note": "複查無誤"},
    ),
]
