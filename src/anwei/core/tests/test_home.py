"""The home page: 我要通報 for those who may file, the to-do list with its count in the navigation."""

from typing import Any

import pytest

from anwei.notifications import services

pytestmark = pytest.mark.django_db


def test_file_a_report_button_only_for_those_who_may_file(client_for: Any) -> None:
    staff = client_for("staff_a").get("/").content.decode()
    assert staff.count('class="button" href="/incidents/new/"') == 2, staff  # the menu and the home page
    assert ">我要通報<" in staff
    auditor = client_for("auditor").get("/").content.decode()  # auditors read, they do not file
    assert "/incidents/new/" not in auditor and "我要通報" not in auditor


def test_the_todo_list_and_its_count_agree(world: Any, client_for: Any) -> None:
    empty = client_for("staff_a").get("/").content.decode()
    assert "目前沒有待辦事項" in empty
    assert '<span class="badge" data-todo-count>0</span>' in empty
    services.notify(people=[world.people["staff_a"]], subject="請確認：停電演練", url="/plans/", require_ack=True)
    page = client_for("staff_a").get("/").content.decode()
    assert '<span class="badge warn" data-todo-count>1</span>' in page
    assert '<a href="/plans/">請確認：停電演練</a>' in page
    assert "待確認收悉" in page
