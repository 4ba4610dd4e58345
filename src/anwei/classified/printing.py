"""Printed and PDF views of an item: the level banner at the top and bottom of every page, and a watermark with
the viewer's name and the time across every page (so a leaked printout names who printed it)."""

from datetime import datetime
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

from . import services
from .models import ClassifiedItem

CSS = Path(__file__).parent / "static" / "classified" / "classified.css"


def context(item: ClassifiedItem, *, viewer: str, now: datetime) -> dict[str, Any]:
    return {"item": item, "ends": services.protection_ends(item), "viewer": viewer, "now": now}


def css_string(text: str) -> str:
    """A CSS string literal; anything that could end the string or the style element is escaped."""
    return '"' + "".join(c if c.isalnum() or c in " ·-_()（）" else f"\\{ord(c):x} " for c in text) + '"'


def pdf_html(item: ClassifiedItem, *, viewer: str, now: datetime) -> str:
    top = f"{item.mark} · {item.copy_mark}" if item.is_copy else item.mark
    return render_to_string(
        "classified/item_pdf.html",
        {
            **context(item, viewer=viewer, now=now),
            "css": CSS.read_text(encoding="utf-8"),
            "top_banner": css_string(top),
            "bottom_banner": css_string(f"{item.mark} · {item.reference_no} · "),
        },
    )


def pdf(item: ClassifiedItem, *, viewer: str, now: datetime) -> bytes:
    from weasyprint import HTML  # imported late: loading its fonts is not free

    return HTML(string=pdf_html(item, viewer=viewer, now=now)).write_pdf()  # type: ignore[no-any-return]  # WeasyPrint is untyped
