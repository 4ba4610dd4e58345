"""Uploading an evidence file on a task's page keeps the progress typed so far: the note and the status travel with
the file and are saved first."""

from typing import Any

import pytest
from tests.browser import PHONE, sign_in

from anwei.plans.models import Task

from .factories import make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_evidence_upload_keeps_the_progress_typed(
    browser_page: Any, live_server: Any, world: Any, tmp_path: Any, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    make_plan(world, approve=True)
    task = world.records["task_b"]
    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "staff_b")
    page.goto(f"{live_server.url}/plans/tasks/{task.pk}/")
    page.select_option("#id_status", "in_progress")
    page.fill("#id_note", "查獲私劣酒二箱，已移送")
    evidence = tmp_path / "查緝紀錄.pdf"
    evidence.write_bytes(b"%PDF-1.4 evidence")
    page.set_input_files("#id_file", str(evidence))
    with page.expect_navigation():
        page.click("button[name=upload]")

    assert "查獲私劣酒二箱，已移送" in page.inner_text("#notes-h + ul")
    assert "查緝紀錄.pdf" in page.inner_text("#files-h + ul")
    task.refresh_from_db()
    assert task.status == Task.Status.IN_PROGRESS
    assert list(task.notes.values_list("text", flat=True)) == ["查獲私劣酒二箱，已移送"]
