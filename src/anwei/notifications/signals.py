"""Signals other apps (incidents) listen to. Both are sent after the transaction commits.

- `delivery_failed(sender=Delivery, delivery=…, notification=…)`: a delivery gave up after its last retry.
- `notification_acknowledged(sender=Notification, notification=…, actor=…, via=…)`: via "inapp", "link" or "api".
"""

from django.dispatch import Signal

delivery_failed = Signal()
notification_acknowledged = Signal()
