"""Template filters that put the code's words into the user's (see anwei.core.wording)."""

from django import template

from anwei.core.wording import readable_source

register = template.Library()


@register.filter
def source(value: str) -> str:
    """A legal rule's source as the office cites it: `{{ rule.source|source }}`."""
    return readable_source(value)
