from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.matrix import ROLE_HOLDERS, Case, api, everyone, page
from tests.personas import World

from anwei.accounts.models import AccessGrant
from anwei.incidents import services, unit_tasks
from anwei.incidents.models import Attachment, Deadline, RoutingRule
from anwei.notifications.models import Notification

RESTRICTED_TITLE = "機密公文疑似外流-矩陣測試"
OPEN_TITLE = "財政處資安事件-矩陣測試"


def setup_world(world: World) -> None:
    report = services.file_report(
        actor=world.users["staff_b"], agency=world.agency, category="cyber", title=OPEN_TITLE, cyber_level=2
    )
    secret = services.file_report(
        actor=world.users["staff_b"], agency=world.agency, category="leak", title=RESTRICTED_TITLE
    )
    AccessGrant.objects.create(
        user=world.users["head"],
        content_type=ContentType.objects.get_for_model(secret),
        object_id=str(secret.pk),
        reason="處理洩密案",
        granted_by=world.users["ethics"],
    )
    world.records["report_b"] = report
    world.records["secret_b"] = secret
    world.records["incident_task_b"] = unit_tasks.give_task(incident=report, unit=world.units["b"], title="清查帳號")


def _secret(world: World) -> str:
    return RESTRICTED_TITLE


def _report(w: World) -> int:
    return int(w.records["report_b"].pk)


def _attachment_url(w: World) -> str:
    item = Attachment(
        incident=w.records["report_b"], name="log.txt", size=5, sha256="0" * 64, content_type="text/plain"
    )
    item.file.save("matrix-log.txt", ContentFile(b"hello"), save=False)
    item.save()
    return f"/incidents/attachments/{item.pk}/"


def _ack_url(w: World) -> str:
    n = Notification.objects.filter(
        person=w.people["ethics"], source_type="incidents.incident", source_id=str(_report(w)), require_ack=True
    ).first()
    assert n is not None
    return f"/incidents/{_report(w)}/acknowledge/{n.pk}/"


def _clock(w: World) -> int:
    """The report's 1-hour clock for 調查處站 (a recorded phone call meets it)."""
    return int(
        Deadline.objects.filter(incident=w.records["report_b"], body="org:investigation").values_list("pk", flat=True)[
            0
        ]
    )


def _rule(w: World) -> int:
    return RoutingRule.objects.order_by("pk").values_list("pk", flat=True)[0]


FILERS = ROLE_HOLDERS - {"auditor"}
SEES_B = {"admin", "ethics", "head", "auditor", "duty", "staff_b"}  # staff_b: own report and own unit
SEES_SECRET = frozenset({"ethics", "staff_b", "head"})  # ethics office, the filer, a need-to-know grant
HANDLERS = {"ethics", "duty"}


def _handle(ok: int) -> dict[str, int]:
    return page({**everyone(403, SEES_B), **everyone(ok, HANDLERS)})


RULE_DATA = {
    "name": "測試規則",
    "category": "theft",
    "recipients": '["role:ethics_officer"]',
    "channels": "[]",
    "deadlines": '[{"code": "report", "hours": 2}]',
    "tasks": "[]",
    "ack_minutes": 20,
    "effective_from": "2026-01-01",
    "source": "DOMAIN §5",
    "active": "on",
}

CASES: list[Case] = [
    Case(
        "incidents:board",
        "/incidents/?status=all",
        page(everyone(200, ROLE_HOLDERS)),
        secret=_secret,
        may_see=SEES_SECRET,
    ),
    Case(
        "incidents:csv",
        "/incidents/reports.csv?status=all",
        page(everyone(200, ROLE_HOLDERS)),
        secret=_secret,
        may_see=SEES_SECRET,
    ),
    Case("incidents:new", "/incidents/new/", page(everyone(200, FILERS))),
    Case(
        "incidents:new",
        "/incidents/new/",
        page(everyone(302, FILERS)),
        method="post",
        data={"category": "theft", "title": "筆電失竊"},
        label="post",
    ),
    Case("incidents:detail", lambda w: f"/incidents/{_report(w)}/", page(everyone(200, SEES_B)), default=404),
    Case(
        "incidents:detail",
        lambda w: f"/incidents/{w.records['secret_b'].pk}/",
        page(everyone(200, SEES_SECRET)),
        default=404,
        secret=_secret,
        may_see=SEES_SECRET,
        label="restricted",
    ),
    Case(
        "incidents:level",
        lambda w: f"/incidents/{_report(w)}/level/",
        _handle(302),
        default=404,
        method="post",
        data={"cyber_level": 3},
    ),
    Case(
        "incidents:level",
        lambda w: f"/incidents/{w.records['secret_b'].pk}/level/",
        page({**everyone(403, SEES_SECRET), "ethics": 302}),
        default=404,
        method="post",
        data={"cyber_level": 3},
        secret=_secret,
        may_see=SEES_SECRET,
        label="restricted",
    ),
    Case(
        "incidents:note",
        lambda w: f"/incidents/{_report(w)}/note/",
        _handle(302),
        default=404,
        method="post",
        data={"text": "已聯繫資訊科"},
    ),
    Case(
        "incidents:task",
        lambda w: f"/incidents/{_report(w)}/tasks/",
        _handle(302),
        default=404,
        method="post",
        data={"title": "發布新聞稿"},
    ),
    Case(
        "incidents:task_detail",
        lambda w: f"/incidents/tasks/{w.records['incident_task_b'].pk}/",
        page(everyone(200, HANDLERS | {"staff_b"})),  # staff_b: the unit given the task
        default=404,
    ),
    Case(
        "GET /api/v1/incidents/tasks/{task_id}",
        lambda w: f"/api/v1/incidents/tasks/{w.records['incident_task_b'].pk}",
        api(everyone(200, HANDLERS | {"staff_b"})),
        default=404,
    ),
    Case(
        "POST /api/v1/incidents/tasks/{task_id}/answer",
        lambda w: f"/api/v1/incidents/tasks/{w.records['incident_task_b'].pk}/answer",
        api(everyone(200, HANDLERS | {"staff_b"})),
        default=404,
        method="post",
        json=True,
        data={"answer": "已清查"},
    ),
    Case(
        "incidents:task_done",
        lambda w: f"/incidents/tasks/{w.records['incident_task_b'].pk}/done/",
        page(everyone(302, HANDLERS | {"staff_b"})),
        default=404,
        method="post",
    ),
    Case(
        "incidents:recovered",
        lambda w: f"/incidents/{_report(w)}/recovered/",
        _handle(302),
        default=404,
        method="post",
    ),
    Case(
        "incidents:contact",
        lambda w: f"/incidents/{_report(w)}/contacts/",
        _handle(302),
        default=404,
        method="post",
        data=lambda w: {
            "target": f"clock:{_clock(w)}",
            "channel": "phone",
            "person_reached": "值日官",
            "reference": "1",
        },
    ),
    Case("incidents:close", lambda w: f"/incidents/{_report(w)}/close/", _handle(200), default=404),
    Case(
        "incidents:investigation_report",
        lambda w: f"/incidents/{_report(w)}/investigation-report/",
        page(everyone(200, SEES_B)),
        default=404,
    ),
    Case(
        "incidents:investigation_report",
        lambda w: f"/incidents/{_report(w)}/investigation-report/",
        _handle(302),
        default=404,
        method="post",
        data={"root_cause": "弱密碼"},
        label="post",
    ),
    Case(
        "incidents:investigation_report_pdf",
        lambda w: f"/incidents/{_report(w)}/investigation-report.pdf",
        page(everyone(200, SEES_B)),
        default=404,
    ),
    Case(
        "incidents:investigation_report_odt",
        lambda w: f"/incidents/{_report(w)}/investigation-report.odt",
        page(everyone(200, SEES_B)),
        default=404,
    ),
    Case(
        "incidents:acknowledge",
        _ack_url,
        page({**everyone(403, SEES_B), "ethics": 302}),
        default=404,
        method="post",
    ),
    Case("incidents:attachment", _attachment_url, page(everyone(200, SEES_B)), default=404),
    Case("incidents:rules", "/incidents/rules/", page({"admin": 200, "ethics": 200, "auditor": 200})),
    Case("incidents:rules_csv", "/incidents/rules.csv", page({"admin": 200, "ethics": 200, "auditor": 200})),
    Case("incidents:rule_new", "/incidents/rules/new/", page({"admin": 200})),
    Case(
        "incidents:rule_edit",
        lambda w: f"/incidents/rules/{_rule(w)}/edit/",
        page({"admin": 200, "ethics": 403, "auditor": 403}),
        default=404,
    ),
    Case(
        "incidents:rule_new",
        "/incidents/rules/new/",
        page({"admin": 302}),
        method="post",
        data=RULE_DATA,
        label="post",
    ),
    # API
    Case("GET /api/v1/incidents/categories", "/api/v1/incidents/categories", api(everyone(200))),
    Case(
        "GET /api/v1/incidents",
        "/api/v1/incidents?status=",
        api(everyone(200)),
        secret=_secret,
        may_see=SEES_SECRET,
    ),
    Case(
        "POST /api/v1/incidents",
        "/api/v1/incidents",
        api({**everyone(201, FILERS), "auditor": 403, "outsider": 403}),
        method="post",
        json=True,
        data={"category": "theft", "title": "電腦失竊"},
    ),
    Case(
        "GET /api/v1/incidents/{incident_id}",
        lambda w: f"/api/v1/incidents/{_report(w)}",
        api(everyone(200, SEES_B)),
        default=404,
    ),
    Case(
        "GET /api/v1/incidents/{incident_id}",
        lambda w: f"/api/v1/incidents/{w.records['secret_b'].pk}",
        api(everyone(200, SEES_SECRET)),
        default=404,
        secret=_secret,
        may_see=SEES_SECRET,
        label="restricted",
    ),
    Case(
        "POST /api/v1/incidents/{incident_id}/level",
        lambda w: f"/api/v1/incidents/{_report(w)}/level",
        api({**everyone(403, SEES_B), **everyone(200, HANDLERS)}),
        default=404,
        method="post",
        json=True,
        data={"cyber_level": 3},
    ),
    Case(
        "POST /api/v1/incidents/{incident_id}/contacts",
        lambda w: f"/api/v1/incidents/{_report(w)}/contacts",
        api({**everyone(403, SEES_B), **everyone(201, HANDLERS)}),
        default=404,
        method="post",
        json=True,
        data=lambda w: {"clock": _clock(w), "channel": "phone", "person_reached": "調查站值日官"},
    ),
    Case(
        "POST /api/v1/incidents/{incident_id}/attachments",
        lambda w: f"/api/v1/incidents/{_report(w)}/attachments",
        api({**everyone(403, SEES_B), **everyone(201, HANDLERS), "staff_b": 201}),  # staff_b filed it
        default=404,
        method="post",
        data=lambda w: {"files": SimpleUploadedFile("log.txt", "登入紀錄\n".encode())},
    ),
]
