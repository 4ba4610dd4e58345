"""Channels are plug-ins: a Channel says where a notification goes (its address, or "" to skip) and sends one
delivery, raising on failure so the worker retries. Register new ones with `register()`."""

from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage

from .models import Delivery, Notification


class Channel(Protocol):
    code: str

    def address_for(self, notification: Notification) -> str: ...

    def send(self, delivery: Delivery) -> None: ...


CHANNELS: dict[str, Channel] = {}


def register(channel: Channel) -> Channel:
    CHANNELS[channel.code] = channel
    return channel


class InApp:
    """The recipient's inbox in Anwei: the Notification row itself; delivered as soon as it is committed."""

    code = "inapp"

    def address_for(self, notification: Notification) -> str:
        person = notification.person
        return "inbox" if person is not None and hasattr(person, "user") else ""

    def send(self, delivery: Delivery) -> None:
        return None


class Email:
    code = "email"

    def address_for(self, notification: Notification) -> str:
        target = notification.person or notification.contact
        return getattr(target, "email", "") or ""

    def send(self, delivery: Delivery) -> None:
        n = delivery.notification
        body = n.body if not n.url else f"{n.body}\n\n{settings.ANWEI_BASE_URL}{n.url}"
        EmailMessage(subject=n.subject, body=body, to=[delivery.address]).send()


register(InApp())
register(Email())
