"""What the incidents app does when the notifications app signals (connected in apps.IncidentsConfig.ready)."""

import logging
from typing import Any

from django.dispatch import receiver

from anwei.notifications.models import Delivery, Notification
from anwei.notifications.signals import delivery_failed

from . import escalation

log = logging.getLogger(__name__)


@receiver(delivery_failed, dispatch_uid="incidents.escalate_undeliverable")
def escalate_undeliverable(sender: Any, delivery: Delivery, notification: Notification, **kwargs: Any) -> None:
    """A delivery that failed for good escalates its notification at once (if it needs acknowledgement and is
    about a report). Runs after the worker's commit; if it fails, the next sweep escalates instead."""
    try:
        escalation.escalate_undeliverable(notification)
    except Exception:
        log.exception(
            "escalating notification %s after delivery %s failed; the sweep will retry", notification.pk, delivery.pk
        )
