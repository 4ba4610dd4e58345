"""`{{ e.object_type|record_type }}`, `{{ e.object_repr|record_text }}`, `{% for c in e|readable_changes %}`."""

from typing import Any

from django import template

from anwei.audit import display

register = template.Library()


@register.filter
def record_type(value: str) -> str:
    return display.record_type(value)


@register.filter
def record_text(value: str) -> str:
    return display.record_text(value)


@register.filter
def readable_changes(entry: Any) -> list[display.Change]:
    return display.changes(entry.object_type, entry.changes)
