"""Signals of the directory, for apps above it.

- `protected_fields_changed(sender=Person, person=…, actor=…, fields=[names], before={name: old value})`: sent inside
  the transaction of a change to a person's protected fields (policies.PROTECTED_PERSON_FIELDS); the notifications
  app tells the person, at the old e-mail address too."""

from django.dispatch import Signal

protected_fields_changed = Signal()
