"""Attachments of a report: size and type limits (the type is read from the content, not trusted from the
browser), SHA-256 recorded, stored through Django's storage API.

A file is stored before its row commits, so a write that rolls back would leave it behind: files stored inside
`removed_on_rollback()` are deleted again when the block fails, and `remove_orphans()` (hourly) deletes any file
no row points at that is older than an hour — left by a caller's outer transaction rolling back later, or by a
process that died between storing and committing."""

import contextvars
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePath
from typing import Any

from django.core.files.storage import Storage
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor
from anwei.audit import services as audit
from anwei.core import uploads
from anwei.core.errors import BusinessRuleError

from .models import Attachment, Incident

MAX_FILES = 10
TEXT_SUFFIXES = {".txt", ".csv", ".log", ""}
# what core.uploads recognises by content → the file names it may have and the type it is served as
KINDS: dict[str, tuple[set[str], str]] = {
    "pdf": ({".pdf"}, "application/pdf"),
    "png": ({".png"}, "image/png"),
    "jpeg": ({".jpg", ".jpeg"}, "image/jpeg"),
    "gif": ({".gif"}, "image/gif"),
    "text": (TEXT_SUFFIXES, "text/plain"),
    "odt": ({".odt"}, "application/vnd.oasis.opendocument.text"),
    "ods": ({".ods"}, "application/vnd.oasis.opendocument.spreadsheet"),
    "docx": ({".docx"}, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ({".xlsx"}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


log = logging.getLogger(__name__)
_stored: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("incidents_stored_files", default=None)


def storage() -> Storage:
    return Attachment._meta.get_field("file").storage


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


def check(upload: Any) -> Checked:
    """The shared upload checks (core.uploads: size, type by content, ZIP bombs, members that point outside the
    document, a safe file name), then the report's own rule that the content matches the file's name. Raises a
    field error on `attachments` that names the file."""
    name = uploads.safe_filename(str(getattr(upload, "name", "") or ""), default="file")[:200]
    try:
        inspected = uploads.inspect_upload(upload, allowed=set(KINDS))
    except BusinessRuleError as exc:
        raise BusinessRuleError(f"{name}: {exc.message}", field="attachments") from None
    suffixes, content_type = KINDS[inspected.kind]
    if PurePath(name).suffix.lower() not in suffixes:
        raise BusinessRuleError(
            _(
                "%(name)s: only PDF, images (PNG, JPEG, GIF), plain text and ODF/Office documents are accepted, "
                "and the content must match the file name."
            )
            % {"name": name},
            field="attachments",
        )
    upload.seek(0)
    return Checked(name, inspected.size, inspected.sha256, content_type)


def store(incident: Incident, upload: Any, info: Checked, *, actor: Actor) -> Attachment:
    if incident.attachments.count() >= MAX_FILES:
        raise BusinessRuleError(_("A report takes at most %(n)d files.") % {"n": MAX_FILES}, field="attachments")
    attachment = Attachment(
        incident=incident,
        name=info.name,
        size=info.size,
        sha256=info.sha256,
        content_type=info.content_type,
        uploaded_by=actor.user,
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
