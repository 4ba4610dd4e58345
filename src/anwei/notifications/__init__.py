"""Notifications: the outbox, its delivery, the in-app inbox and acknowledgement.

What other apps use:
- `services.notify(people=…, contacts=…, subject=…, body=…, source=obj, key=…, url=…, channels=None,
  require_ack=False)` — in the caller's transaction; idempotent per (key, recipient).
- `selectors.for_source(obj)` — a record's notifications with their deliveries (for its timeline);
  `selectors.unacknowledged(source=None, older_than=None)` — for escalation.
- `signals.delivery_failed(delivery, notification)` and `signals.notification_acknowledged(notification, actor,
  via)` — sent after commit.
"""
