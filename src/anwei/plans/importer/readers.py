"""Read the agency's plan document into lines of text: .txt (UTF-8 or Big5, detected), .odt and .docx.

The kind is decided by the content, not the file name. Office files are ZIP archives, so they are checked before
any library opens them: number of members, declared and real sizes, and compression ratio (a "zip bomb" is
refused). Every member is read with a hard cap and copied into a fresh archive, so a lying header cannot make a
library inflate more than the cap."""

import io
import zipfile
from dataclasses import dataclass
from typing import Any

import charset_normalizer
from django.utils.translation import gettext as _

from .outline import marker_of

MAX_FILE_BYTES = 5 * 1024 * 1024  # the upload itself
MAX_MEMBERS = 500  # members of an office archive
MAX_UNPACKED_BYTES = 40 * 1024 * 1024  # all members together, inflated
MAX_RATIO = 100  # inflated size / compressed size of one member (text XML is ~5-15)
RATIO_FLOOR = 1024 * 1024  # members smaller than this are never refused for their ratio

_DTD_MARKERS = tuple(m.encode(enc) for m in ("<!DOCTYPE", "<!ENTITY") for enc in ("utf-8", "utf-16-le", "utf-16-be"))
ODT_MIMETYPE = "application/vnd.oasis.opendocument.text"
TEXT_ENCODINGS = ["utf_8", "big5", "cp950", "big5hkscs", "utf_16"]


class UnreadableDocument(Exception):
    """The file cannot be read as a plan document; the message says why, in the user's words."""


@dataclass(frozen=True)
class Document:
    kind: str  # "txt" | "odt" | "docx"
    encoding: str  # of a .txt; "" for office files
    lines: list[str]
    notes: list[str]  # reader warnings (e.g. automatic numbering that is not in the text)


def read_document(data: bytes) -> Document:
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableDocument(
            _("The file is too large (%(size)d KB; at most %(limit)d KB).")
            % {"size": len(data) // 1024, "limit": MAX_FILE_BYTES // 1024}
        )
    if not data.strip():
        raise UnreadableDocument(_("The file is empty."))
    if data[:4] == b"PK\x03\x04":
        return _read_office(data)
    if data[:5] == b"%PDF-" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise UnreadableDocument(
            _("PDF and old Word (.doc) files cannot be read; save the plan as .odt, .docx or .txt.")
        )
    document = _read_text(data)
    if not any(line.strip() for line in document.lines):
        raise UnreadableDocument(_("The file is empty."))
    return document


# ---- text -----------------------------------------------------------------------------------------------------


def _read_text(data: bytes) -> Document:
    if b"\x00" in data[:4096] and data[:2] not in (b"\xff\xfe", b"\xfe\xff"):
        raise UnreadableDocument(_("This is not a text document (.txt), an .odt or a .docx file."))
    encoding, text = _decode(data)
    if "\x00" in text or sum(1 for c in text if ord(c) < 32 and c not in "\r\n\t\f") > 8:
        raise UnreadableDocument(_("This is not a text document (.txt), an .odt or a .docx file."))
    return Document(kind="txt", encoding=encoding, lines=text.splitlines(), notes=[])


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return "utf_8", data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data, cp_isolation=TEXT_ENCODINGS).best()
    if best is not None:
        return best.encoding, str(best)
    raise UnreadableDocument(
        _("The text could not be decoded: save it as UTF-8 or Big5 text, or as an .odt or .docx file.")
    )


# ---- office archives ------------------------------------------------------------------------------------------


def _safe_archive(data: bytes) -> tuple[set[str], bytes]:
    """The member names and a re-packed copy of the archive whose members were read with a hard cap."""
    try:
        source = zipfile.ZipFile(io.BytesIO(data))
        members = source.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UnreadableDocument(_("The file is a damaged archive, not an .odt or .docx document.")) from exc
    if len(members) > MAX_MEMBERS:
        raise UnreadableDocument(_("The archive has too many parts to be an office document."))
    declared = sum(member.file_size for member in members)
    if declared > MAX_UNPACKED_BYTES:
        raise UnreadableDocument(_("The document unpacks to more than the allowed size; it is refused."))
    for member in members:
        if member.file_size > RATIO_FLOOR and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise UnreadableDocument(_("The document is compressed suspiciously well (a zip bomb?); it is refused."))
    out = io.BytesIO()
    total = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for member in members:
            if member.is_dir():
                continue
            try:
                with source.open(member) as handle:
                    content = handle.read(MAX_UNPACKED_BYTES - total + 1)
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError) as exc:
                raise UnreadableDocument(_("The document cannot be unpacked (damaged or encrypted).")) from exc
            total += len(content)
            if total > MAX_UNPACKED_BYTES:
                raise UnreadableDocument(_("The document unpacks to more than the allowed size; it is refused."))
            if any(marker in content for marker in _DTD_MARKERS):
                # office XML never declares a DTD; entities are how an "XML bomb" (billion laughs) is built
                raise UnreadableDocument(
                    _("The document contains XML declarations that are not allowed; it is refused.")
                )
            copy.writestr(member.filename, content)
    return {member.filename for member in members}, out.getvalue()


def _read_office(data: bytes) -> Document:
    names, safe = _safe_archive(data)
    if "mimetype" in names:
        with zipfile.ZipFile(io.BytesIO(safe)) as archive:
            mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
        if mimetype == ODT_MIMETYPE:
            return _read_odt(safe)
    if "word/document.xml" in names:
        return _read_docx(safe)
    raise UnreadableDocument(_("This archive is not a text document: only .odt and .docx are read."))


def _split(texts: list[str]) -> list[str]:
    lines: list[str] = []
    for text in texts:
        lines.extend(text.splitlines() or [""])
    return lines


def _read_odt(data: bytes) -> Document:
    from odfdo import Document as OdfDocument

    try:
        body = OdfDocument(io.BytesIO(data)).body
        texts = [element.text_recursive for element in body.get_elements("//text:p | //text:h")]
    except Exception as exc:  # odfdo raises many kinds on a broken file
        raise UnreadableDocument(_("The .odt document cannot be read (damaged?).")) from exc
    notes = []
    if body.get_elements("//text:list-item") and not any(_starts_numbered(t) for t in texts):
        notes.append(_("The document uses automatic list numbering, which is not part of its text; type the numbers."))
    return Document(kind="odt", encoding="", lines=_split(texts), notes=notes)


def _read_docx(data: bytes) -> Document:
    import docx
    from docx.table import Table

    texts: list[str] = []
    auto_numbered = 0
    try:
        for block in docx.Document(io.BytesIO(data)).iter_inner_content():
            if isinstance(block, Table):  # contact lists are often tables: one line per row
                for row in block.rows:
                    cells = [cell.text.strip() for cell in row.cells]
                    texts.append("\u3000".join(dict.fromkeys(cell for cell in cells if cell)))
                continue
            texts.append(block.text)
            if block.text.strip() and _auto_numbered(block):
                auto_numbered += 1
    except Exception as exc:  # python-docx raises many kinds on a broken file
        raise UnreadableDocument(_("The .docx document cannot be read (damaged?).")) from exc
    notes = []
    if auto_numbered:
        notes.append(
            _("%(count)d paragraphs use automatic list numbering, which is not part of their text; type the numbers.")
            % {"count": auto_numbered}
        )
    return Document(kind="docx", encoding="", lines=_split(texts), notes=notes)


def _auto_numbered(paragraph: Any) -> bool:
    """Numbered by Word (w:numPr on the paragraph or its style), so the number is not in the text."""
    if marker_of(paragraph.text) is not None:
        return False
    for element in (paragraph._p, getattr(paragraph.style, "element", None)):
        properties = getattr(element, "pPr", None)
        if properties is not None and properties.numPr is not None:
            return True
    return False


def _starts_numbered(text: str) -> bool:
    return marker_of(text) is not None
