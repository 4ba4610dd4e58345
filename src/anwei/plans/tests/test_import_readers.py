"""Reading the document: Big5 and UTF-8 text, .odt and .docx made here with odfdo / python-docx, and refusals
(empty, not a document, too large, zip bombs)."""

import io
import zipfile

import docx
import odfdo
import pytest

from anwei.plans.importer import UnreadableDocument, parse_plan, read_document, readers

from .test_import_parser import SEED, english, seed_lines  # noqa: F401 (fixture)


def expected() -> dict[str, object]:
    return parse_plan(seed_lines()).to_dict()


def test_utf8_seed() -> None:
    document = read_document(SEED.read_bytes())
    assert (document.kind, document.encoding) == ("txt", "utf_8")
    assert parse_plan(document.lines).to_dict() == expected()


def test_utf8_with_bom_and_crlf() -> None:
    data = b"\xef\xbb\xbf" + "\r\n".join(seed_lines()).encode("utf-8")
    assert parse_plan(read_document(data).lines).to_dict() == expected()


def test_big5_copy_is_detected() -> None:
    data = SEED.read_text(encoding="utf-8").encode("big5")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    document = read_document(data)
    assert document.encoding in ("big5", "cp950", "big5hkscs")
    assert parse_plan(document.lines).to_dict() == expected()


def odt_bytes(lines: list[str]) -> bytes:
    document = odfdo.Document("text")
    body = document.body
    body.clear()
    for index, line in enumerate(lines):
        body.append(odfdo.Header(1, line) if index == 0 else odfdo.Paragraph(line))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_bytes(lines: list[str], *, contacts_as_table: bool = False) -> bytes:
    """The lines as paragraphs; with contacts_as_table the 通信聯絡 lines go into a table, one row each."""
    document = docx.Document()
    document.add_heading(lines[0], level=1)
    table = None
    for line in lines[1:]:
        if contacts_as_table and "本府政風處" in line:
            table = table or document.add_table(rows=0, cols=2)
            number, text = line.split(" ", 1)
            row = table.add_row().cells
            row[0].text, row[1].text = number, text
            continue
        if line.strip() or table is None:
            table = None
            document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_odt() -> None:
    document = read_document(odt_bytes(seed_lines()))
    assert document.kind == "odt"
    assert parse_plan(document.lines).to_dict() == expected()


def test_docx() -> None:
    document = read_document(docx_bytes(seed_lines()))
    assert document.kind == "docx"
    assert parse_plan(document.lines).to_dict() == expected()


def test_docx_contact_lines_in_a_table() -> None:
    document = read_document(docx_bytes(seed_lines(), contacts_as_table=True))
    assert "1、\u30001、 本府政風處行政科沈科長0982121209、蔡科員0989522247。" not in document.lines
    assert "1、\u3000本府政風處行政科沈科長0982121209、蔡科員0989522247。" in document.lines
    assert parse_plan(document.lines).to_dict() == expected()


def test_docx_automatic_numbering_is_noted() -> None:
    document = docx.Document()
    document.add_paragraph("標題")
    document.add_paragraph("依據", style="List Number")
    buffer = io.BytesIO()
    document.save(buffer)
    read = read_document(buffer.getvalue())
    assert read.notes and "automatic list numbering" in read.notes[0]


@pytest.mark.parametrize("data", [b"", b"   \n\r\n\t  ", "\u3000\n".encode()])
def test_empty_file(data: bytes) -> None:
    with pytest.raises(UnreadableDocument, match="empty"):
        read_document(data)


def test_binary_file_is_not_a_document() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    with pytest.raises(UnreadableDocument, match="not a text document"):
        read_document(png)


def test_pdf_is_refused_with_advice() -> None:
    with pytest.raises(UnreadableDocument, match="PDF"):
        read_document(b"%PDF-1.7\n...")


def test_other_zip_is_not_a_document() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("plan.txt", "一、依據")
    with pytest.raises(UnreadableDocument, match=r"only \.odt and \.docx"):
        read_document(buffer.getvalue())


def test_damaged_zip() -> None:
    with pytest.raises(UnreadableDocument, match="damaged"):
        read_document(b"PK\x03\x04" + b"\x00" * 100)


def test_zip_bomb_by_ratio_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w:document>" + b" " * (8 * 1024 * 1024))
    assert len(buffer.getvalue()) < 100_000
    with pytest.raises(UnreadableDocument, match="zip bomb"):
        read_document(buffer.getvalue())


def test_zip_bomb_by_total_size_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", readers.ODT_MIMETYPE)
        for index in range(50):  # many parts each under the ratio floor, together over the limit
            archive.writestr(f"Pictures/{index}.bin", b"\x00" * (1024 * 1024 - 1))
    with pytest.raises(UnreadableDocument, match="more than the allowed size"):
        read_document(buffer.getvalue())


def test_lying_size_headers_are_caught_while_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "MAX_UNPACKED_BYTES", 200_000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", readers.ODT_MIMETYPE)
        archive.writestr("content.xml", b" " * 500_000)
    data = bytearray(buffer.getvalue())
    # make the central directory claim the big member is small: the reader must not trust it
    central = data.rfind(b"PK\x01\x02")
    assert central > 0
    size_at = central + 24  # uncompressed size in the central directory header
    data[size_at : size_at + 4] = (1000).to_bytes(4, "little")
    with pytest.raises(UnreadableDocument, match="cannot be unpacked"):
        read_document(bytes(data))


def test_too_many_parts() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index in range(readers.MAX_MEMBERS + 1):
            archive.writestr(f"p{index}", b"")
    with pytest.raises(UnreadableDocument, match="too many parts"):
        read_document(buffer.getvalue())


def test_too_large_file() -> None:
    with pytest.raises(UnreadableDocument, match="too large"):
        read_document(b"a" * (readers.MAX_FILE_BYTES + 1))


def test_xml_entities_are_refused() -> None:
    """A "billion laughs" document.xml: refused before any XML parser sees it."""
    source = zipfile.ZipFile(io.BytesIO(docx_bytes(seed_lines())))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "word/document.xml":
                bomb = b'<!DOCTYPE w [<!ENTITY a "haha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                content = content.replace(b"?>", b"?>" + bomb, 1)
            archive.writestr(info, content)
    with pytest.raises(UnreadableDocument, match="XML declarations"):
        read_document(buffer.getvalue())
