"""To-do items of kind "acknowledge": notifications that ask this user to acknowledge them and are not yet
acknowledged, each linking to what it is about (else the inbox)."""

from collections.abc import Iterator
from datetime import datetime

from django.urls import reverse

from anwei.accounts.actor import Actor, Who
from anwei.core.todo import TodoItem

from .models import Notification

LIMIT = 200  # a to-do list, not an archive


def items(user: Who, now: datetime) -> Iterator[TodoItem]:
    person_id = Actor.of(user).person_id
    if person_id is None:
        return
    waiting = Notification.objects.filter(person_id=person_id, require_ack=True, acknowledged_at__isnull=True)
    inbox = reverse("notifications:inbox")
    for notification in waiting.order_by("created_at", "pk")[:LIMIT]:
        yield TodoItem(kind="acknowledge", title=notification.subject, url=notification.url or inbox)
