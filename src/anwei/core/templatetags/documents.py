from django import template
from django.utils.safestring import SafeString, mark_safe

from anwei.core.documents.blocks import ChartBlock, Figures, Heading, Para, SignOff, Table

register = template.Library()
KINDS = {Heading: "heading", Para: "para", Table: "table", Figures: "figures", ChartBlock: "chart", SignOff: "signoff"}


@register.filter
def report_block(block: object) -> str:
    return KINDS.get(type(block), "")


@register.filter
def css_string(text: str) -> SafeString:
    """A CSS string literal (for `content:` in @page rules): anything that could end the string or the style element
    is written as a CSS escape."""
    return mark_safe('"' + "".join(c if c.isalnum() or c in " ·" else f"\\{ord(c):x} " for c in str(text)) + '"')
