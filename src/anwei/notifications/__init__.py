"""Notifications: the outbox, its delivery, the in-app inbox and acknowledgement.

What other apps use:
- `services.notify(people=…, contacts=…, subject=…, body=…, source=obj, key=…, url=…, channels=None,
  add_channels=(), require_ack=False)` — in the caller's transaction; idempotent per (key, recipient);
  `add_channels` adds to the default and registered channels, `channels` replaces them.
- `services.lock(name, seconds)` — a named lease lock row (one sweeper at a time).
- `selectors.for_source(obj)` — a record's notifications with their deliveries (for its timeline);
  `selectors.unacknowledged(source=None, older_than=None)` — for escalation.
- `signals.delivery_failed(delivery, notification)` and `signals.notification_acknowledged(notification, actor,
  via)` — sent after commit.
"""
