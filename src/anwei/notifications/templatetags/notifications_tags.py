from typing import Any

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("notifications/_badge_link.html", takes_context=True)
def inbox_badge(context: Any) -> dict[str, Any]:
    """The inbox link with the unread count, for the site header."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    return {"show": True, "unread": selectors.unread_count(user)}
