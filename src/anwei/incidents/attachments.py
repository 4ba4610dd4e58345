"""Attachments of a report: size and type limits (the type is read from the content, not trusted from the
browser), SHA-256 recorded, stored through Django's storage API.

A file is stored before its row commits, so a write that rolls back would leave it behind: files stored inside
`removed_on_rollback()` are deleted again when the block fails, and `remove_orphans()` (hourly) deletes any file
no row points at that is older than an hour — left by a caller's outer transaction rolling back later, or by a
process that died between storing and committing."""

import contextvars
import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.storage import Storage
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.audit import services as audit
from anwei.core.errors import BusinessRuleError

from .models import Attachment, Incident

MAX_FILES = 10
OFFICE_ZIP = {
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
SIGNATURES = [
    (b"%PDF-", "application/pdf", {".pdf"}),
    (b"\x89PNG\r\n\x1a\n", "image/png", {".png"}),
    (b"\xff\xd8\xff", "image/jpeg", {".jpg", ".jpeg"}),
    (b"GIF87a", "image/gif", {".gif"}),
    (b"GIF89a", "image/gif", {".gif"}),
]
TEXT_SUFFIXES = {".txt", ".csv", ".log", ""}


log = logging.getLogger(__name__)
_stored: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("incidents_stored_files", default=None)


def storage() -> Storage:
    return Attachment._meta.get_field("file").storage  # type: ignore[attr-defined, no-any-return]


@contextmanager
def removed_on_rollback() -> Iterator[None]:
    """Put around a write transaction that stores files: if the block raises, the transaction has rolled back and
    no row points at the files stored inside it, so they are deleted. Nested blocks clean up with the outermost."""
    if _stored.get() is not None:
        yield
        return
    stored: list[str] = []
    token = _stored.set(stored)
    try:
        yield
    except BaseException:
        for name in stored:
            try:
                storage().delete(name)
            except Exception:  # the sweep (remove_orphans) tries again
                log.exception("could not delete %s after a rollback", name)
        raise
    finally:
        _stored.reset(token)


def _month_dirs(now: datetime) -> set[str]:
    """The upload folders (upload_to incidents/%Y/%m/, in the server's local time) of this month and the last."""
    days = [now, now - timedelta(days=31)]
    return {d.strftime("incidents/%Y/%m") for moment in days for d in (moment, timezone.localtime(moment))}


def remove_orphans(*, older_than: timedelta = timedelta(hours=1), now: datetime | None = None) -> list[str]:
    """Delete stored files of the last two months that no attachment row points at and that are older than
    `older_than` (younger ones may belong to a filing still in its transaction). Returns the names deleted."""
    now = now or timezone.now()
    files = storage()
    names: list[str] = []
    for folder in sorted(_month_dirs(now)):
        try:
            _dirs, entries = files.listdir(folder)
        except (FileNotFoundError, NotImplementedError):
            continue
        names += [f"{folder}/{entry}" for entry in entries]
    kept = set(Attachment.objects.filter(file__in=names).values_list("file", flat=True))
    removed = []
    for name in names:
        if name not in kept and files.get_modified_time(name) < now - older_than:
            files.delete(name)
            removed.append(name)
    return removed


@dataclass(frozen=True)
class Checked:
    name: str
    size: int
    sha256: str
    content_type: str


def sniff(head: bytes, data_is_text: bool, suffix: str) -> str | None:
    for magic, mime, suffixes in SIGNATURES:
        if head.startswith(magic):
            return mime if suffix in suffixes else None
    if head.startswith(b"PK\x03\x04"):
        return OFFICE_ZIP.get(suffix)
    if data_is_text and suffix in TEXT_SUFFIXES:
        return "text/plain"
    return None


def check(upload: Any) -> Checked:
    """Read the upload once: its size, SHA-256 and type by content. Raises a field error on `attachments`."""
    name = PurePath(str(getattr(upload, "name", "") or "file")).name[:200]
    limit = settings.ANWEI_MAX_UPLOAD_BYTES
    digest = hashlib.sha256()
    size = 0
    head = b""
    text = True
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
        if not head:
            head = chunk[:16]
        size += len(chunk)
        if size > limit:
            raise BusinessRuleError(
                _("%(name)s is larger than %(mb)d MB.") % {"name": name, "mb": limit // (1024 * 1024)},
                field="attachments",
            )
        digest.update(chunk)
        if text and (b"\x00" in chunk):
            text = False
    upload.seek(0)
    if size == 0:
        raise BusinessRuleError(_("%(name)s is empty.") % {"name": name}, field="attachments")
    if text:
        try:
            upload.read().decode("utf-8")
        except UnicodeDecodeError:
            text = False
        upload.seek(0)
    mime = sniff(head, text, PurePath(name).suffix.lower())
    if mime is None:
        raise BusinessRuleError(
            _(
                "%(name)s: only PDF, images (PNG, JPEG, GIF), plain text and ODF/Office documents are accepted, "
                "and the content must match the file name."
            )
            % {"name": name},
            field="attachments",
        )
    return Checked(name, size, digest.hexdigest(), mime)


def store(incident: Incident, upload: Any, info: Checked, *, actor: Any) -> Attachment:
    if incident.attachments.count() >= MAX_FILES:
        raise BusinessRuleError(_("A report takes at most %(n)d files.") % {"n": MAX_FILES}, field="attachments")
    attachment = Attachment(
        incident=incident,
        name=info.name,
        size=info.size,
        sha256=info.sha256,
        content_type=info.content_type,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    upload.seek(0)
    attachment.file.save(f"{info.sha256[:16]}{PurePath(info.name).suffix.lower()}", upload, save=False)
    if (stored := _stored.get()) is not None:
        stored.append(str(attachment.file.name))
    attachment.save()
    audit.record(
        actor=actor,
        action=audit.Action.CREATE,
        obj=attachment,
        object_repr=f"{incident.reference} {info.sha256[:12]}",
        changes={"sha256": info.sha256, "size": info.size, "type": info.content_type},
    )
    from .models import TimelineEntry

    TimelineEntry.objects.create(
        incident=incident,
        kind=TimelineEntry.Kind.ATTACHMENT,
        actor=attachment.uploaded_by,
        text=info.name,
        data={"sha256": info.sha256, "size": info.size},
    )
    return attachment
