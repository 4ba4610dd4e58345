"""Import end to end: the seed becomes a draft plan with its tasks tree and contacts, with audit entries;
a refusal saves nothing."""

import re
from datetime import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError

from anwei.audit.models import AuditEntry
from anwei.core.rocdate import TAIPEI
from anwei.plans.models import Plan, PlanContact, Task

from .test_import_command import run
from .test_import_parser import SEED, english  # noqa: F401 (fixture)
from .test_import_readers import odt_bytes, seed_lines
from .test_import_views import in_english


def check_seed_plan(plan: Plan, world: Any) -> None:
    assert plan.title == "花蓮縣政府103年度春安工作期間公務機密暨機關安全維護執行計畫"
    assert plan.status == Plan.Status.DRAFT
    assert plan.agency == world.agency and plan.owning_unit == world.units["ethics"]
    assert plan.period_start == datetime(2014, 1, 21, 22, tzinfo=TAIPEI)
    assert plan.period_end == datetime(2014, 2, 15, 0, tzinfo=TAIPEI)
    assert len(plan.basis) == 2 and len(plan.missions) == 3
    groups = {t.number: t for t in Task.objects.filter(plan=plan, number__in=["（1）", "（2）", "（3）"])}
    assert [groups[n].children.count() for n in ("（1）", "（2）", "（3）")] == [9, 7, 2]
    report = Task.objects.get(plan=plan, text="狀況反映：")
    assert report.children.get().text.startswith("機關同仁若發現")
    construction = Task.objects.get(plan=plan, text__startswith="協請本府建設處加強工地安全")
    assert world.units["a"] in set(construction.responsible_units.all()) | set(construction.cooperating_units.all())
    contacts = {c.name: c for c in PlanContact.objects.filter(plan=plan)}
    assert set(contacts) == {"沈", "蔡", "政風處"}
    office = [(p["kind"], p["number"], p["ext"]) for p in contacts["政風處"].phones]
    assert ("office", "03-8227171", "315") in office and ("fax", "03-8222605", "") in office


def test_command_saves_the_seed_with_audit(world: Any) -> None:
    before = AuditEntry.objects.count()
    _out, err = run(str(SEED), "--agency", "test")
    plan = Plan.objects.get()
    assert f"saved: plan {plan.pk}" in err
    check_seed_plan(plan, world)
    entries = AuditEntry.objects.filter(seq__gt=before)
    assert entries.filter(object_type="plans.plan", object_id=str(plan.pk), action="create").exists()
    assert entries.filter(object_type="plans.task").count() == Task.objects.filter(plan=plan).count()


def test_command_without_a_known_agency_saves_nothing(world: Any) -> None:
    with pytest.raises(CommandError, match="agency of this plan is not known"):
        run(str(SEED))
    assert Plan.objects.count() == 0


def test_upload_preview_then_save(client_for: Any, world: Any) -> None:
    client = in_english(client_for("ethics"))
    preview = client.post("/plans/import/", {"document": SimpleUploadedFile("plan.odt", odt_bytes(seed_lines()))})
    assert Plan.objects.count() == 0
    token = re.search(r'name="token" value="([^"]+)"', preview.content.decode()).group(1)  # type: ignore[union-attr]
    response = client.post("/plans/import/save/", {"token": token})
    plan = Plan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/plans/{plan.pk}/"
    again = client.post("/plans/import/save/", {"token": token}, follow=True)  # a double click
    assert again.redirect_chain[-1][0] == f"/plans/{plan.pk}/"
    assert "This preview has already been saved." in again.content.decode()
    assert Plan.objects.count() == 1
    check_seed_plan(plan, world)
    entry = AuditEntry.objects.get(object_type="plans.plan", object_id=str(plan.pk), action="create")
    assert entry.actor_id == world.users["ethics"].pk
