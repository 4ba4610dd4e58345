from typing import Any

from django import template

register = template.Library()


@register.filter
def files_upward(plan: Any) -> bool:
    """Whether the plan's agency has a superior to file its results report with (linked, or on this deployment)."""
    from anwei.upward import outbox

    return bool(plan.agency.superior_id) or outbox.upstream_agency_code() == plan.agency.code
