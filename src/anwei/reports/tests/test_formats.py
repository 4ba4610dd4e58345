"""The same report in PDF, ODT and ODS: Chinese text and charts present, fonts embedded, numbers as numbers."""

import ctypes
import io
import zipfile
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
from fontTools.ttLib import TTCollection
from odfdo import Document

from anwei.core.documents import render
from anwei.core.documents.blocks import ChartBlock, Figures, Heading, Para, Report, SignOff, Table
from anwei.core.documents.charts import PALETTE, bar_chart

TEXT = "本期間共受理通報四件，資安事件已依規定時限陳報調查處站。"


def sample() -> Report:
    report = Report("花蓮縣政府春節安全維護工作執行成果報告", "執行期間：103年1月21日22時至2月14日24時", "政風處")
    return report.add(
        Heading("一、通報案件統計"),
        Para(TEXT),
        Table("各類通報件數", ["類別", "件數"], [["資安事件", 3], ["竊盜", 1], ["合計", 4]], total_rows=1),
        Figures("摘要", [("通報件數", 4), ("缺失改善率", "75%")]),
        ChartBlock(bar_chart("各類通報件數", ["資安事件", "竊盜"], [("件數", [3, 1])])),
        SignOff(["承辦人", "機關首長"]),
    )


def _fonts(page: pdfium.PdfPage) -> set[tuple[str, bool]]:
    fonts = set()
    for obj in page.get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_TEXT], max_depth=5):
        font = pdfium_raw.FPDFTextObj_GetFont(obj.raw)
        size = pdfium_raw.FPDFFont_GetBaseFontName(font, None, 0)
        buf = ctypes.create_string_buffer(size)
        pdfium_raw.FPDFFont_GetBaseFontName(font, buf, size)
        fonts.add((buf.value.decode(), bool(pdfium_raw.FPDFFont_GetIsEmbedded(font))))
    return fonts


def _cjk_cmap() -> set[int]:
    path = next(Path("/usr/share/fonts/opentype/noto").glob("NotoSansCJK-Regular.tt*"))
    for font in TTCollection(str(path)).fonts:
        if "TC" in font["name"].getDebugName(1):
            return set(font.getBestCmap())
    raise AssertionError("no Noto Sans CJK TC in the collection")


def test_pdf_embeds_the_chinese_font_and_draws_every_character_and_the_chart() -> None:
    pdf = pdfium.PdfDocument(render.pdf(sample()))
    page = pdf[0]
    fonts = _fonts(page)
    assert fonts and all(embedded for _name, embedded in fonts)
    assert all("Noto-Sans-CJK-TC" in name for name, _e in fonts)
    text = page.get_textpage().get_text_range()
    assert TEXT in text.replace("\r\n", "").replace("\n", "")
    cmap = _cjk_cmap()
    missing = {ch for ch in text if not ch.isspace() and ord(ch) not in cmap}
    assert not missing, f"characters without a glyph (would be empty boxes): {missing}"
    image = page.render(scale=1).to_pil().convert("RGB")
    bar = tuple(int(PALETTE[0][i : i + 2], 16) for i in (1, 3, 5))
    assert sum(1 for pixel in image.get_flattened_data() if pixel == bar) > 500, "the chart's bars are not on the page"


def test_odt_has_text_tables_chart_and_cjk_fonts() -> None:
    data = render.odt(sample())
    archive = zipfile.ZipFile(io.BytesIO(data))
    pictures = [n for n in archive.namelist() if n.startswith("Pictures/")]
    assert len(pictures) == 1 and archive.read(pictures[0]).startswith(b"<svg")
    doc = Document(io.BytesIO(data))
    text = doc.get_formatted_text()
    assert TEXT in text and "資安事件" in text and "機關首長" in text
    assert len(doc.body.get_tables()) == 3
    styles = archive.read("styles.xml").decode()
    assert 'style:font-family-asian="Noto Sans CJK TC"' in styles


def test_ods_holds_the_same_numbers_as_numbers() -> None:
    doc = Document(io.BytesIO(render.ods(sample())))
    sheets = {t.name: t for t in doc.body.get_tables()}
    assert set(sheets) == {"各類通報件數", "摘要"}
    counts = sheets["各類通報件數"]
    assert counts.get_values() == [["類別", "件數"], ["資安事件", 3], ["竊盜", 1], ["合計", 4]]
    assert counts.get_cell("B2").type == "float"
