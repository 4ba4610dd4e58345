"""To-do items of kind "acknowledge": a notification that asks this person to acknowledge it, until they do."""

from typing import Any

import pytest

from anwei.notifications import services, todo
from anwei.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_a_notification_to_acknowledge_is_on_the_list_until_acknowledged(world: Any, client_for: Any) -> None:
    services.notify(people=[world.people["staff_a"]], subject="請確認：停電演練", url="/incidents/", require_ack=True)
    services.notify(people=[world.people["staff_a"]], subject="僅供參考", url="/plans/")  # no acknowledgement asked
    services.notify(people=[world.people["staff_b"]], subject="他人的通知", require_ack=True)

    response = client_for("staff_a").get("/api/v1/todo")
    assert response.json() == [
        {"kind": "acknowledge", "title": "請確認：停電演練", "due_at": None, "url": "/incidents/", "detail": ""}
    ]
    notification = Notification.objects.get(subject="請確認：停電演練")
    services.acknowledge(notification, actor=world.users["staff_a"], via="web")
    assert list(todo.items(world.users["staff_a"], notification.created_at)) == []
