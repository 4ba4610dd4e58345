"""Checks for uploaded files, for every app that takes them (plan documents, attachments, CSV imports).

A file is judged by its content, never by its name: `inspect_upload()` measures it, recognises what it is from its
first bytes (and, for ODF/OOXML documents, from the members of the ZIP inside), refuses ZIP bombs and members that
would unpack outside their folder, and gives back a safe file name. `decode_text()` reads UTF-8 or Big5 (cp950)
text, `read_csv()` reads a CSV strictly. Each refusal is a BusinessRuleError with a message for the user; none of
them writes anything."""

import csv
import hashlib
import io
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import BusinessRuleError

MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # a document that unpacks to more than this is refused
MAX_RATIO = 200  # a member that unpacks to more than 200× its packed size is a bomb, not a document
MAX_MEMBERS = 5000
MAX_NAME_LENGTH = 150

ZIP_KINDS = {"odt", "ods", "odp", "docx", "xlsx", "pptx", "zip"}
ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}
LABELS = {
    "pdf": "PDF",
    "odt": "ODF text (.odt)",
    "ods": "ODF spreadsheet (.ods)",
    "odp": "ODF presentation (.odp)",
    "docx": "Word (.docx)",
    "xlsx": "Excel (.xlsx)",
    "pptx": "PowerPoint (.pptx)",
    "png": "PNG",
    "jpeg": "JPEG",
    "gif": "GIF",
    "text": "text / CSV",
    "zip": "ZIP",
}


@dataclass(frozen=True)
class Inspected:
    kind: str
    name: str
    size: int
    sha256: str


def safe_filename(name: str, default: str = "upload") -> str:
    """The last part of `name` (either slash), without control characters, leading dots or reserved characters,
    NFC-normalised and at most MAX_NAME_LENGTH characters (keeping the extension). Chinese names stay as they are."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C" and ch not in '<>:"|?*')
    name = name.strip().lstrip(".").strip()
    if not name:
        return default
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        ext = ext[:10] if dot and stem else ""
        name = name[: MAX_NAME_LENGTH - len(ext) - 1] + "." + ext if ext else name[:MAX_NAME_LENGTH]
    return name


def _read_all(file: IO[bytes] | Any, limit: int) -> bytes:
    """Read at most limit + 1 bytes (so "too large" is known without reading a huge file whole)."""
    if hasattr(file, "seek"):
        file.seek(0)
    if hasattr(file, "chunks"):
        data = bytearray()
        for chunk in file.chunks():
            data += chunk
            if len(data) > limit:
                break
        return bytes(data[: limit + 1])
    return file.read(limit + 1)


def _zip_kind(data: bytes) -> str:
    """What an ODF/OOXML/ZIP file is, after checking it is safe to unpack."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise BusinessRuleError(_("The file is damaged: it cannot be opened."), field="file") from exc
    if len(members) > MAX_MEMBERS:
        raise BusinessRuleError(_("The document has too many parts to be a real document."), field="file")
    total = 0
    names = set()
    for member in members:
        path = PurePosixPath(member.filename.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or ":" in member.filename:
            raise BusinessRuleError(_("The document holds a file name that points outside it."), field="file")
        if member.flag_bits & 0x1:
            raise BusinessRuleError(_("The document is encrypted; upload it without a password."), field="file")
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if total > MAX_UNPACKED_BYTES or (member.file_size > 1024 * 1024 and ratio > MAX_RATIO):
            raise BusinessRuleError(
                _("The document unpacks to far more data than a real document (a “zip bomb”); it was refused."),
                field="file",
            )
        names.add(member.filename)
    if "mimetype" in names:
        with archive.open("mimetype") as fh:
            mimetype = fh.read(100).strip()
        if mimetype in ODF_MIMETYPES:
            return ODF_MIMETYPES[mimetype]
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "ppt/presentation.xml" in names:
            return "pptx"
    return "zip"


def sniff(data: bytes) -> str | None:
    """The kind of file by its content, or None when it is none of the kinds Anwei takes."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if b"\x00" not in data[:65536]:
        try:
            decode_text(data)
        except BusinessRuleError:
            return None
        return "text"
    return None


def inspect_upload(file: IO[bytes] | Any, *, allowed: set[str], max_bytes: int | None = None) -> Inspected:
    """Check an uploaded file (a Django UploadedFile or any binary file object) before anything is stored."""
    limit = max_bytes or settings.ANWEI_MAX_UPLOAD_BYTES
    data = _read_all(file, limit)
    if len(data) > limit:
        raise BusinessRuleError(
            _("The file is larger than %(mb)s MB.") % {"mb": round(limit / 1024 / 1024, 1)}, field="file"
        )
    if not data:
        raise BusinessRuleError(_("The file is empty."), field="file")
    kind = sniff(data)
    if kind not in allowed:
        expected = "、".join(LABELS.get(k, k) for k in sorted(allowed))
        raise BusinessRuleError(
            _("By its content this file is not one of the accepted kinds (%(kinds)s).") % {"kinds": expected},
            field="file",
        )
    if hasattr(file, "seek"):
        file.seek(0)
    name = safe_filename(getattr(file, "name", "") or "")
    return Inspected(kind=kind, name=name, size=len(data), sha256=hashlib.sha256(data).hexdigest())


def decode_text(data: bytes) -> str:
    """Text in UTF-8 (with or without a byte-order mark) or Big5 (Windows code page 950); anything else is refused
    rather than guessed."""
    if b"\x00" in data:
        raise BusinessRuleError(_("The file is not text (it holds NUL bytes)."), field="file")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "cp950"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BusinessRuleError(_("The file is neither UTF-8 nor Big5 text."), field="file")


def read_csv(data: bytes, *, required: list[str], max_rows: int = 10000, max_cell: int = 2000) -> list[dict[str, str]]:
    """Rows of a CSV file as dicts, strictly: a header with the required columns, the same number of fields on
    every line, no over-long cell. Errors name the line."""
    text = decode_text(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration as exc:
        raise BusinessRuleError(_("The CSV file is empty."), field="file") from exc
    except csv.Error as exc:
        raise BusinessRuleError(_("The CSV header cannot be read."), field="file") from exc
    missing = [name for name in required if name not in header]
    if missing:
        raise BusinessRuleError(
            _("The CSV file lacks the column(s): %(columns)s.") % {"columns": "、".join(missing)}, field="file"
        )
    rows = []
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                raise BusinessRuleError(
                    _("Line %(line)d has %(found)d fields; the header has %(expected)d.")
                    % {"line": line, "found": len(values), "expected": len(header)},
                    field="file",
                )
            if any(len(v) > max_cell for v in values):
                raise BusinessRuleError(_("Line %(line)d has a field that is too long.") % {"line": line}, field="file")
            rows.append(dict(zip(header, values, strict=True)))
            if len(rows) > max_rows:
                raise BusinessRuleError(_("The CSV file has more than %(max)d rows.") % {"max": max_rows}, field="file")
    except csv.Error as exc:
        raise BusinessRuleError(
            _("Line %(line)d cannot be read (a quote is not closed?).") % {"line": reader.line_num}, field="file"
        ) from exc
    return rows
