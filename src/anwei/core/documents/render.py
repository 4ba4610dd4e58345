"""One report, four formats: HTML (the page and the PDF's source), PDF (WeasyPrint, CJK fonts embedded), ODT and ODS
(odfdo). Charts are the same SVG everywhere."""

import io
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from odfdo import Cell, Document, Frame, Header, Paragraph, Row, Style, StyleMasterPage
from odfdo import Table as OdfTable

from .blocks import ChartBlock, Figures, Heading, Para, Report, SignOff, Table
from .charts import FONT

CJK = "Noto Sans CJK TC"
PX_TO_CM = 2.54 / 96


def html(report: Report, *, standalone: bool = True) -> str:
    return render_to_string(
        "documents/document.html" if standalone else "documents/_blocks.html",
        {"report": report, "blocks": report.blocks, "font": FONT},
    )


def pdf(report: Report) -> bytes:
    from weasyprint import HTML  # imported late: loading its fonts is not free

    pdf: bytes = HTML(string=html(report)).write_pdf()
    return pdf


def saved(doc: Document) -> bytes:
    """The document (text or spreadsheet) as the bytes of its file."""
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ODT -----------------------------------------------------------------------------------------------------------


def text_style(name: str, *, size: str, bold: bool = False, family: str = "paragraph", **kwargs: Any) -> Style:
    """A named style in the CJK font at `size` (bold if asked), with `kwargs` for the Style itself (align, color)."""
    style = Style(family, name=name, display_name=name, **kwargs)
    props = {
        "fo:font-family": CJK,
        "style:font-family-asian": CJK,
        "style:font-family-complex": CJK,
        "fo:font-size": size,
        "style:font-size-asian": size,
        "style:font-size-complex": size,
    }
    if bold:
        props |= {"fo:font-weight": "bold", "style:font-weight-asian": "bold", "style:font-weight-complex": "bold"}
    style.set_properties(props, area="text")
    return style


def _odt_styles(doc: Document) -> None:
    for style in (
        text_style("AnweiBody", size="11pt"),
        text_style("AnweiBold", size="11pt", bold=True),
        text_style("AnweiTitle", size="18pt", bold=True, align="center"),
        text_style("AnweiSubtitle", size="12pt", align="center"),
        text_style("AnweiH2", size="14pt", bold=True),
        text_style("AnweiH3", size="12pt", bold=True),
        text_style("AnweiBanner", size="12pt", bold=True, align="center", color="#b00000"),
        text_style("AnweiWatermark", size="9pt", align="center", color="#b00000"),
        text_style("AnweiCell", size="10pt"),
        text_style("AnweiCellBold", size="10pt", bold=True),
    ):
        doc.insert_style(style, automatic=False)
    cell = Style("table-cell", name="AnweiGrid", border="0.5pt solid #000000", padding="0.08cm")
    doc.insert_style(cell, automatic=True)


def _odt_table(name: str, rows: list[list[Any]], *, header_rows: int = 1, total_rows: int = 0) -> OdfTable:
    table = OdfTable(name)
    for r, values in enumerate(rows):
        bold = r < header_rows or r >= len(rows) - total_rows
        row = Row()
        for value in values:
            cell = Cell(style="AnweiGrid")
            cell.append(Paragraph(_plain(value), style="AnweiCellBold" if bold else "AnweiCell"))
            row.append(cell)
        table.append(row)
    return table


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float | Decimal):
        return f"{value:,.1f}".rstrip("0").rstrip(".")
    return str(value)


def _odt_page_marks(doc: Document, report: Report) -> None:
    """The banner at the top of every page and the viewer's watermark at the foot of every page."""
    page = doc.get_style("master-page", "Standard")
    if not isinstance(page, StyleMasterPage):
        return
    if report.banner:
        page.set_page_header(Paragraph(report.banner, style="AnweiBanner"))
    if report.watermark:
        page.set_page_footer(Paragraph(report.watermark, style="AnweiWatermark"))


def odt(report: Report) -> bytes:
    doc = Document("text")
    _odt_styles(doc)
    body = doc.body
    body.clear()
    if report.banner:
        body.append(Paragraph(report.banner, style="AnweiBanner"))
    body.append(Paragraph(report.title, style="AnweiTitle"))
    for line in (report.subtitle, report.agency):
        if line:
            body.append(Paragraph(line, style="AnweiSubtitle"))
    for n, block in enumerate(report.blocks, start=1):
        if isinstance(block, Heading):
            level = min(max(block.level, 2), 3)
            body.append(Header(level - 1, block.text, style=f"AnweiH{level}"))
        elif isinstance(block, Para):
            body.append(Paragraph(block.text, style="AnweiBold" if block.emphasis else "AnweiBody"))
        elif isinstance(block, Table):
            body.append(Paragraph(block.caption, style="AnweiBold"))
            body.append(_odt_table(f"T{n}", [block.header, *block.rows], total_rows=block.total_rows))
        elif isinstance(block, Figures):
            body.append(Paragraph(block.caption, style="AnweiBold"))
            body.append(_odt_table(f"T{n}", [list(item) for item in block.items], header_rows=0))
        elif isinstance(block, ChartBlock):
            chart = block.chart
            uri = doc.add_file(io.BytesIO(chart.svg.encode()))
            doc.manifest.set_media_type(uri, "image/svg+xml")  # office programs go by the manifest
            width_cm = min(chart.width * PX_TO_CM, 16.5)
            height_cm = chart.height * PX_TO_CM * width_cm / (chart.width * PX_TO_CM)
            frame = Frame.image_frame(
                uri, name=f"chart{n}", size=(f"{width_cm:.2f}cm", f"{height_cm:.2f}cm"), anchor_type="as-char"
            )
            para = Paragraph("", style="AnweiBody")
            para.append(frame)
            body.append(para)
        elif isinstance(block, SignOff):
            body.append(_odt_table(f"T{n}", [block.roles, [""] * len(block.roles)]))
    _odt_page_marks(doc, report)
    return saved(doc)


# ODS -----------------------------------------------------------------------------------------------------------


def ods(report: Report) -> bytes:
    """Every table and figure list of the report as a sheet, numbers as numbers."""
    doc = Document("spreadsheet")
    body = doc.body
    body.clear()
    used: set[str] = set()
    for i, block in enumerate(report.tables(), start=1):
        caption = block.caption
        name = "".join(ch for ch in caption if ch not in "[]*?:/\\'")[:28] or f"Sheet{i}"
        if name in used:
            name = f"{name[:24]}-{i}"
        used.add(name)
        sheet = OdfTable(name)
        if isinstance(block, Figures):
            rows: list[list[Any]] = [[label, value] for label, value in block.items]
        else:
            rows = [block.header, *block.rows]
        for values in rows:
            row = Row()
            for value in values:
                row.append(Cell(value if isinstance(value, int | float | Decimal) else _plain(value)))
            sheet.append(row)
        body.append(sheet)
    if not used:
        body.append(OdfTable("Report"))
    return saved(doc)
