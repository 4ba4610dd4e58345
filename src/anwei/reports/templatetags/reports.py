from django import template

from anwei.reports.document import ChartBlock, Figures, Heading, Para, SignOff, Table

register = template.Library()
KINDS = {Heading: "heading", Para: "para", Table: "table", Figures: "figures", ChartBlock: "chart", SignOff: "signoff"}


@register.filter
def report_block(block: object) -> str:
    return KINDS.get(type(block), "")
