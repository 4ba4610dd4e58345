"""Checking uploads by what they contain (not by their name or the browser's claim) and by size."""

from typing import Any

from django.utils.translation import gettext as _

from anwei.core.errors import BusinessRuleError

from .rules import MAX_PHOTO_BYTES

SIGNATURES: list[tuple[bytes, int, str]] = [
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"WEBP", 8, "image/webp"),
    (b"%PDF-", 0, "application/pdf"),
]


def sniff(head: bytes) -> str:
    for magic, offset, content_type in SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            if content_type == "image/webp" and not head.startswith(b"RIFF"):
                continue
            return content_type
    return ""


def check(upload: Any, allowed: set[str], *, field: str, limit: int = MAX_PHOTO_BYTES, message: str = "") -> str:
    """The upload's real content type, or a BusinessRuleError naming the field."""
    size = getattr(upload, "size", None) or 0
    if size <= 0:
        raise BusinessRuleError(_("The file is empty."), field=field)
    if size > limit:
        raise BusinessRuleError(
            _("The file is too large (at most %(mb)d MB).") % {"mb": limit // (1024 * 1024)}, field=field
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff(head)
    if content_type not in allowed:
        raise BusinessRuleError(
            message or _("This kind of file is not accepted: send a JPEG, PNG or WebP photo."), field=field
        )
    return content_type
