"""SMS through a configurable HTTP gateway: a JSON POST {"to", "message", "sender", "reference"} to
ANWEI_SMS_URL with `Authorization: Bearer ANWEI_SMS_TOKEN` (or ANWEI_SMS_TOKEN_FILE); any 2xx answer means
accepted. `reference` is the delivery id, the same on every retry, for the gateway to drop duplicates.
Numbers: the recipient's SMS contact channel, else their mobile number (only when the caller asks for "sms")."""

import json

from django.utils.translation import gettext_lazy as _

from ...models import Delivery, Notification
from .. import Channel, conf, message_text, post_json, register

MAX_LENGTH = 335  # five concatenated UCS-2 parts of 67 characters


class Sms(Channel):
    code = "sms"
    label = _("SMS")

    def address_for(self, notification: Notification) -> str:
        if address := super().address_for(notification):
            return address
        target = notification.person or notification.contact
        return (getattr(target, "mobile", "") or "").replace(" ", "").replace("-", "")

    def send(self, delivery: Delivery) -> None:
        url = conf("ANWEI_SMS_URL")
        if not url:
            raise RuntimeError("no SMS gateway: set ANWEI_SMS_URL")
        n = delivery.notification
        text = f"{n.subject}\n{message_text(delivery)}".strip()[:MAX_LENGTH]
        body = {"to": delivery.address, "message": text, "reference": str(delivery.pk)}
        if sender := conf("ANWEI_SMS_SENDER"):
            body["sender"] = sender
        headers = {"Authorization": f"Bearer {token}"} if (token := conf("ANWEI_SMS_TOKEN")) else {}
        data = json.dumps(body, ensure_ascii=False).encode()
        post_json(url, data, headers, timeout=float(conf("ANWEI_SMS_TIMEOUT", "10")))


register(Sms())
