"""The acknowledgement link in a message: signed (TimestampSigner), bound to one notification and its recipient,
expiring after ANWEI_ACK_LINK_MAX_AGE seconds (default 7 days) and single-use (once acknowledged, it does
nothing more)."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .channels import conf
from .models import Notification

SALT = "anwei.notifications.ack"


def _recipient(notification: Notification) -> str:
    return f"p{notification.person_id}" if notification.person_id else f"c{notification.contact_id}"


def ack_token(notification: Notification) -> str:
    return signing.TimestampSigner(salt=SALT).sign(f"{notification.pk}.{_recipient(notification)}")


def ack_url(notification: Notification) -> str:
    return settings.ANWEI_BASE_URL + reverse("notifications:ack_link", args=[ack_token(notification)])


def max_age() -> int:
    return int(conf("ANWEI_ACK_LINK_MAX_AGE", str(7 * 24 * 3600)))


def notification_for(token: str) -> Notification | None:
    """The notification a token names, or None when it is forged, expired or no longer matches its recipient."""
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(token, max_age=max_age())
    except signing.BadSignature:  # includes SignatureExpired
        return None
    pk, _, recipient = value.partition(".")
    notification = (
        Notification.objects.filter(pk=pk).select_related("person", "contact").first() if pk.isdigit() else None
    )
    if notification is None or _recipient(notification) != recipient:
        return None
    return notification
