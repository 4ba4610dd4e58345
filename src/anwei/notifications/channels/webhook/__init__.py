"""Webhook: a JSON POST to the recipient's URL (ContactChannel), signed with HMAC-SHA256.

Headers: `X-Anwei-Timestamp` (Unix seconds), `X-Anwei-Signature: sha256=<hex>` over `<timestamp>.<body>` with the
contact's secret (so a receiver can refuse stale replays), `X-Anwei-Delivery` (the same on every retry: the
receiver's idempotency key). Timeout ANWEI_WEBHOOK_TIMEOUT seconds (default 10); retries are the worker's."""

import hashlib
import hmac
import json
import time

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ...models import Delivery
from .. import Channel, conf, post_json, register


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def payload(delivery: Delivery) -> dict[str, object]:
    from ...links import ack_url

    n = delivery.notification
    return {
        "delivery": delivery.pk,
        "notification": n.pk,
        "key": n.key,
        "subject": n.subject,
        "body": n.body,
        "url": f"{settings.ANWEI_BASE_URL}{n.url}" if n.url else "",
        "source": {"type": n.source_type, "id": n.source_id} if n.source_type else None,
        "require_ack": n.require_ack,
        "ack_url": ack_url(n) if n.require_ack else "",
        "created_at": n.created_at.isoformat(),
    }


class Webhook(Channel):
    code = "webhook"
    label = _("Webhook")

    def send(self, delivery: Delivery) -> None:
        entry = self.contact_channel(delivery.notification, delivery.address)
        if entry is None:
            raise LookupError("the webhook address was removed")
        body = json.dumps(payload(delivery), ensure_ascii=False, sort_keys=True).encode()
        timestamp = str(int(time.time()))
        headers = {"X-Anwei-Timestamp": timestamp, "X-Anwei-Delivery": str(delivery.pk)}
        if entry.secret:
            headers["X-Anwei-Signature"] = signature(entry.secret, timestamp, body)
        post_json(delivery.address, body, headers, timeout=float(conf("ANWEI_WEBHOOK_TIMEOUT", "10")))


register(Webhook())
