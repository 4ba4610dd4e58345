"""The watermark every document made for someone carries: their name and the time, across every page."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.core import rocdate


def viewer_name(viewer: Any) -> str:
    if viewer is None:
        return ""
    return str(getattr(viewer, "display_name", viewer))


def watermark(viewer: Any) -> str:
    """The viewer's name and the time, printed across every page so a leaked copy names whom it was made for."""
    name = viewer_name(viewer)
    if not name:
        return ""
    return _("Viewer: %(viewer)s · %(when)s") % {"viewer": name, "when": rocdate.format_datetime(timezone.now())}
