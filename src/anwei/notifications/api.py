from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from anwei.accounts.actor import actor_of
from anwei.core.pagination import Paginated
from anwei.core.schema import IsoDateTime

from . import policies, selectors, services
from .models import Notification

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    subject: str
    body: str
    url: str
    source_type: str
    source_id: str
    require_ack: bool
    acknowledged_at: IsoDateTime | None
    read_at: IsoDateTime | None
    created_at: datetime


class UnreadOut(Schema):
    unread: int


@router.get("/inbox", response=list[NotificationOut])
@paginate(Paginated)
# the ignore below: ninja serialises what this returns by the route's response schema
def my_inbox(request: HttpRequest, unread: bool = False):  # type: ignore[no-untyped-def]
    """The signed-in user's notifications, newest first."""
    return selectors.inbox(actor_of(request), unread_only=unread)


@router.get("/inbox/unread", response=UnreadOut)
def unread_count(request: HttpRequest) -> dict[str, int]:
    return {"unread": selectors.unread_count(actor_of(request))}


@router.get("/inbox/{notification_id}", response=NotificationOut)
def get_notification(request: HttpRequest, notification_id: int) -> Notification:
    notification: Notification = policies.inbox.get_visible(actor_of(request), notification_id)
    services.mark_read(notification)
    return notification


@router.post("/inbox/{notification_id}/acknowledge", response=NotificationOut)
def acknowledge(request: HttpRequest, notification_id: int) -> Notification:
    return services.acknowledge_own(actor=actor_of(request), notification_id=notification_id, via="api")
