"""Channels are plug-ins, one folder each (healthchecks-style): a Channel says where a notification goes (its
address, or "" to skip) and sends one delivery, raising on failure so the worker retries. Every sub-package of
this one is imported at start-up and registers its channel with `register()`.

Settings are read from Django settings first, then from the environment (see README, "Notifications")."""

import importlib
import os
import pkgutil
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ..models import ContactChannel, Delivery, Notification


def conf(name: str, default: str = "") -> str:
    """A channel setting: Django settings, then the environment, then NAME_FILE (for secrets), then `default`."""
    value = getattr(settings, name, None)
    if value not in (None, ""):
        return str(value)
    if value := os.environ.get(name):
        return value
    if path := os.environ.get(f"{name}_FILE"):
        return Path(path).read_text(encoding="utf-8").strip()
    return default


class Channel:
    code: ClassVar[str]
    label: ClassVar[Any]
    # True for a channel whose message is the committed row itself (the in-app inbox): its delivery is written as
    # sent, and no worker is asked to send it.
    delivered_on_commit: ClassVar[bool] = False

    def address_for(self, notification: Notification) -> str:
        """Where this notification goes on this channel; "" when the recipient has no address here."""
        entry = self.contact_channel(notification)
        return entry.address if entry else ""

    def send(self, delivery: Delivery) -> str | None:
        """Send, or raise. Returns None when sent, or the status it ended in instead (Delivery.Status.STORED: kept
        in the local mailbox)."""
        raise NotImplementedError

    def permanent(self, error: Exception) -> bool:
        """Whether a failure of `send` will fail the same way however often it is tried (the receiver refused the
        address for good): then the delivery fails at once instead of being retried for half an hour while the
        report's clock runs and nobody is asked to call."""
        return False

    def contact_channel(self, notification: Notification, address: str | None = None) -> ContactChannel | None:
        preloaded = getattr(notification, "preloaded_channels", None)  # set by notifications.outbox (from its cache)
        if preloaded is not None and address is None:
            return next((entry for entry in preloaded if entry.channel == self.code), None)
        qs = ContactChannel.objects.filter(channel=self.code, active=True)
        if notification.person_id:
            qs = qs.filter(person_id=notification.person_id)
        else:
            qs = qs.filter(contact_id=notification.contact_id)
        if address is not None:
            qs = qs.filter(address=address)
        return qs.order_by("id").first()


CHANNELS: dict[str, Channel] = {}


def register(channel: Channel) -> Channel:
    CHANNELS[channel.code] = channel
    return channel


def labels() -> dict[str, Any]:
    return {code: channel.label for code, channel in CHANNELS.items()} | {"": _("none")}


def message_text(delivery: Delivery) -> str:
    """The plain-text message: body, the link to the record and, when acknowledgement is required, the signed link."""
    from ..links import ack_url

    n = delivery.notification
    parts = [n.body] if n.body else []
    if n.url:
        parts.append(f"{settings.ANWEI_BASE_URL}{n.url}")
    if n.require_ack:
        parts.append(f"{_('Acknowledge')}: {ack_url(n)}")
    return "\n\n".join(str(p) for p in parts)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is a failure: the body never goes to a second address


_opener = urllib.request.build_opener(_NoRedirect)


def post_json(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST `body` (JSON) to an http(s) URL; raises unless the answer is 2xx."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ValueError("only http and https addresses are allowed")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8", **headers}
    )
    with _opener.open(request, timeout=timeout) as response:
        status = int(response.status)
    if not 200 <= status < 300:
        raise OSError(f"HTTP {status}")
    return status


for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
