"""An ethics officer prepares an exercise on its pages (a CSV script typed in), starts it accelerated, watches it,
downloads the drill report, and deletes it: the drill reports and their messages go, the audit log keeps what
happened. A drill that says so tells the outside bodies too; the reports list, the report page and the API mark
every drill report 演練."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from anwei.accounts.models import User
from anwei.audit.models import AuditEntry
from anwei.core.errors import BusinessRuleError
from anwei.drills import script, services
from anwei.drills.models import Exercise
from anwei.incidents.models import Incident
from anwei.notifications.models import Notification
from anwei.plans.models import Plan
from anwei.plans.selectors import active_plan

pytestmark = pytest.mark.django_db

CSV = (
    "offset,category,level,unit,text,filer,details\n"
    "0,cyber,3,行政暨研考處資訊科,演練：對外網站遭置換,it.staff@hualien.example,首頁遭竄改\n"
    "1:30,theft,,財政處,演練：公務電腦失竊,finance.staff@hualien.example,\n"
)


def _client(username: str) -> Client:
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from tests.personas import PERSONA_DEVICE, pass_second_factor

    client = Client()
    user = User.objects.get(username=username)
    TOTPDevice.objects.create(user=user, name=PERSONA_DEVICE, confirmed=True)
    client.force_login(user)
    pass_second_factor(client, user)
    return client


def test_an_exercise_from_its_pages_to_its_deletion() -> None:
    call_command("demo", verbosity=0)
    plan = active_plan(Plan.objects.first().agency)  # type: ignore[union-attr]
    assert plan is not None
    client = _client("ethics")
    form = client.get("/drills/new/").content.decode()
    assert "新增演練" in form and "加速倍數" in form and 'name="viewport"' in form

    response = client.post(
        "/drills/new/", {"plan": plan.pk, "name": "資安演練", "speed": 1, "tells_outside": "on", "script": CSV}
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    exercise = Exercise.objects.get()
    assert [
        (i.offset_minutes, i.category, i.cyber_level, i.unit.name, i.filer.name) for i in exercise.injects.all()
    ] == [  # type: ignore[union-attr]
        (0, "cyber", 3, "行政暨研考處資訊科", User.objects.get(username="staff").person.name),  # type: ignore[union-attr]
        (90, "theft", None, "財政處", User.objects.get(username="finance").person.name),  # type: ignore[union-attr]
    ]
    # one more written on the page; a unit that does not exist is refused, in words
    refused = client.post(
        f"/drills/{exercise.pk}/injects/", {"offset": 2, "category": "other", "text": "x", "unit": "無此單位"}
    )
    assert refused.status_code == 400 and "查無單位 無此單位" in refused.content.decode()
    added = {"offset": 45, "category": "petition", "text": "演練：民眾陳情", "unit": "pr", "filer": "陳處長"}
    assert client.post(f"/drills/{exercise.pk}/injects/", added).status_code == 302
    assert exercise.injects.get(text="演練：民眾陳情").filer.name == "陳處長"  # type: ignore[union-attr]
    exercise.injects.filter(text="演練：民眾陳情").delete()  # the rest of the test plays the two of the script
    assert client.post(f"/drills/{exercise.pk}/start/", {"speed": 60}).status_code == 302
    assert client.post(f"/drills/{exercise.pk}/injects/", added).status_code == 400  # no more once it runs
    exercise.refresh_from_db()
    assert exercise.status == "running" and exercise.speed == 60
    first, second = exercise.injects.all()
    assert second.due_at - first.due_at == timedelta(seconds=90)  # 90 scripted minutes at ×60  # type: ignore[operator]

    # the runner files the first inject now, the second when its (accelerated) time comes
    assert services.file_due(exercise.pk) == second.due_at
    live = client.get(f"/drills/{exercise.pk}/status/").content.decode()
    assert "演練：對外網站遭置換" in live and "hx-trigger" in live
    assert services.file_due(exercise.pk, now=timezone.now() + timedelta(minutes=2)) is None
    exercise.refresh_from_db()
    assert exercise.status == "finished"
    drills = list(Incident.objects.filter(drill=True).order_by("pk"))
    assert [i.title for i in drills] == ["演練：對外網站遭置換", "演練：公務電腦失竊"]
    assert all(i.drill_tells_outside for i in drills)
    told = Notification.objects.filter(source_type="incidents.incident", source_id__in=[str(i.pk) for i in drills])
    # the exercise says so: the outside bodies the rules name are told too, marked 【演練】 like everyone else
    assert told.filter(contact__isnull=False).exists()
    assert all(n.subject.startswith("【演練】") for n in told)

    # marked 演練 on the report page, the reports list and in the API
    page = client.get(f"/incidents/{drills[0].pk}/").content.decode()
    assert "演練" in page and "不列入任何報告或統計" in page
    assert client.get(f"/api/v1/incidents/{drills[0].pk}").json()["drill"] is True
    listed = client.get("/incidents/reports.csv")
    rows = b"".join(listed.streaming_content).decode("utf-8-sig").splitlines()  # type: ignore[attr-defined]
    assert rows[0].endswith(",演練")
    assert [r.split(",")[0] for r in rows[1:] if r.endswith(",演練")] == sorted(i.reference for i in drills)[::-1]

    pdf = client.get(f"/drills/{exercise.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    odt = client.get(f"/drills/{exercise.pk}/report.odt")
    assert odt.status_code == 200 and odt["Content-Type"] == "application/vnd.oasis.opendocument.text"

    # the agency head reads but does not run drills
    head = _client("head")
    assert head.get(f"/drills/{exercise.pk}/").status_code == 200
    assert head.post(f"/drills/{exercise.pk}/delete/").status_code == 403

    # every inject is filed but the exercise goes on until it is ended: then its drill reports close and stop
    # escalating, and only then may it be deleted
    assert client.post(f"/drills/{exercise.pk}/delete/").status_code == 400
    assert Incident.objects.filter(drill=True, status="open").count() == 2
    assert client.post(f"/drills/{exercise.pk}/stop/").status_code == 302
    assert Incident.objects.filter(drill=True, status="closed").count() == 2
    references = [i.reference for i in drills]
    assert client.post(f"/drills/{exercise.pk}/delete/").status_code == 302
    assert not Exercise.objects.exists() and not Incident.objects.filter(drill=True).exists()
    assert not told.all().exists()  # a fresh query (the one above is cached)
    entry = AuditEntry.objects.get(object_type="drills.exercise", action="delete")
    assert entry.changes["drill_reports"] == references
    # what happened stays in the log: the drill reports' filing entries are still there
    assert (
        AuditEntry.objects.filter(
            object_type="incidents.incident", action="create", object_id__in=[str(i.pk) for i in drills]
        ).count()
        == 2
    )


def test_a_yaml_script_and_a_bad_one() -> None:
    parsed = script.parse(
        "name: 演練\nspeed: 30\ninjects:\n  - {offset: '0:05', category: fraud-impersonation, text: 假冒詐騙}\n",
        "drill.yaml",
    )
    assert (parsed.name, parsed.speed, parsed.rows[0]["offset"], parsed.rows[0]["category"]) == (
        "演練",
        30,
        "5",
        "fraud-impersonation",
    )
    with pytest.raises(BusinessRuleError, match=r"第 1 則|Inject 1"):
        script.parse("offset,category,text\nsoon,theft,失竊\n", "drill.csv")
