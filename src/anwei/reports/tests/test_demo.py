"""The first "done when" of issue 8: for the demo plan with its demo data, the final results report downloads as ODT
and PDF; rendered to images, every chart and Chinese character shows (no empty boxes); the ODS opens with the same
numbers as the page. Everything goes through the pages and the export jobs an ethics officer uses (the worker's task
run in-process)."""

import base64
import io
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from typing import Any

import lxml.html
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
from django.core.management import call_command
from django.test import Client
from odfdo import Document
from PIL import Image

from anwei.core.documents.charts import PALETTE, Chart
from anwei.plans.models import Plan
from anwei.plans.selectors import active_plan
from anwei.reports import builders
from anwei.reports.tasks import run_export

from .pdftext import overlap, svg_texts
from .test_formats import _cjk_cmap, _fonts

pytestmark = pytest.mark.django_db(transaction=True)

SVG = "{http://www.w3.org/2000/svg}"
SCALE = 2  # rendering scale: 144 dpi
AXIS = (0x55, 0x55, 0x55)


def _rgb(colour: str) -> tuple[int, int, int]:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def _near(pixel: tuple[int, ...], colour: tuple[int, int, int], tolerance: int) -> bool:
    return sum(abs(a - b) for a, b in zip(pixel[:3], colour, strict=True)) <= tolerance


# What the chart's SVG says ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str


@dataclass(frozen=True)
class Drawing:
    width: float
    height: float
    axis: tuple[float, float, float]  # x1, x2, y of the value axis' baseline
    bars: list[Bar]


def _drawing(svg: str) -> Drawing:
    root = ET.fromstring(svg)  # noqa: S314 (our own SVG)
    assert root.tag == f"{SVG}svg"
    axis_line = next(line for line in root.iter(f"{SVG}line") if line.get("stroke") == "#555")
    x1, x2, y = (float(axis_line.get(a, "0")) for a in ("x1", "x2", "y1"))
    bars = [
        Bar(*(float(rect.get(a, "0")) for a in ("x", "y", "width", "height")), rect.get("fill", ""))
        for rect in root.iter(f"{SVG}rect")
        if rect.get("fill") in PALETTE and float(rect.get("x", "0")) < x2  # the legend's squares are right of the plot
    ]
    return Drawing(float(root.get("width", "0")), float(root.get("height", "0")), (x1, x2, y), bars)


def _assert_drawing_holds_the_data(chart: Chart, drawing: Drawing) -> None:
    """One bar per non-zero value, in the series' colour, its height in proportion to the value."""
    for i, (name, values) in enumerate(chart.series):
        bars = [b for b in drawing.bars if b.colour == PALETTE[i % len(PALETTE)] and b.height > 0]
        nonzero = [v for v in values if v]
        assert len(bars) == len(nonzero), (chart.title, name)
        if bars:  # heights are written to a tenth of a unit
            tallest, peak = max(zip(bars, nonzero, strict=True), key=lambda pair: pair[1])
            per_unit = tallest.height / peak
            for bar, value in zip(bars, nonzero, strict=True):
                assert abs(bar.height - value * per_unit) <= 0.2, (chart.title, name, bar, value)


# What the picture shows ------------------------------------------------------------------------------------------


def _axis_like(pixel: tuple[int, ...]) -> bool:
    """The axis' dark grey, as drawn anti-aliased, between the text's near-black and the gridlines' light grey; under
    the watermark's faint red too."""
    r, g, b = pixel[:3]
    return abs(g - b) <= 12 and 0 <= r - g <= 45 and 60 <= g <= 160


def _axis_in(image: Image.Image, box: tuple[int, int, int, int], gap: int = 5) -> tuple[int, int, int]:
    """The longest horizontal run of axis-grey inside `box` (gaps of a few pixels, where the watermark crosses it,
    bridged): (x start, x end, row)."""
    left, top, right, bottom = (max(box[0], 0), max(box[1], 0), min(box[2], image.width), min(box[3], image.height))
    pixels = image.load()
    best = (0, 0, 0)
    for row in range(top, bottom):
        xs = [x for x in range(left, right) if _axis_like(pixels[x, row])]
        start = previous = xs[0] if xs else 0
        for x in [*xs[1:], None]:
            if x is None or x - previous > gap:
                if previous - start > best[1] - best[0]:
                    best = (start, previous + 1, row)
                start = x if x is not None else 0
            previous = x if x is not None else previous
    return best


def _assert_picture_shows(image: Image.Image, box: tuple[int, int, int, int], chart: Chart) -> None:
    """Inside `box` of the page's image: the axis is drawn, and every bar of the chart's SVG is on the page in its
    colour, up to its height and no higher."""
    drawing = _drawing(chart.svg)
    _assert_drawing_holds_the_data(chart, drawing)
    x_start, x_end, row = _axis_in(image, box)
    (ax1, ax2, ay) = drawing.axis
    k = (x_end - x_start) / (ax2 - ax1)  # image pixels per SVG unit
    assert k > 0.5, f"{chart.title}: no axis drawn"
    ox, oy = x_start - ax1 * k, row - ay * k
    pixels = image.load()
    for bar in drawing.bars:
        if bar.height * k < 6:
            continue
        colour = _rgb(bar.colour)
        cx = round(ox + (bar.x + bar.width / 2) * k)
        inside = [
            pixels[cx + dx, round(oy + (bar.y + bar.height * f) * k)] for f in (0.3, 0.5, 0.8) for dx in (-1, 0, 1)
        ]
        assert sum(_near(p, colour, 90) for p in inside) >= 6, f"{chart.title}: a bar is missing at {bar}"
        above = pixels[cx, round(oy + bar.y * k) - 4]
        assert not _near(above, colour, 90), f"{chart.title}: a bar is drawn taller than {bar}"


def _chart_titles(page: pdfium.PdfPage) -> list[tuple[str, tuple[float, float, float, float]]]:
    """The texts drawn from SVG (WeasyPrint puts each in a form XObject) with their boxes in PDF points."""
    textpage = page.get_textpage()
    out = []
    for obj in page.get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_FORM], max_depth=1):
        bounds = obj.get_bounds()
        out.append((textpage.get_text_bounded(*bounds), bounds))
    return out


def _assert_pdf_shows_every_chart(data: bytes, charts: list[Chart]) -> None:
    pdf = pdfium.PdfDocument(data)
    cmap = _cjk_cmap()
    remaining = list(charts)
    for page in pdf:
        fonts = _fonts(page)
        assert fonts and all(embedded and "Noto-Sans-CJK" in name for name, embedded in fonts)
        text = page.get_textpage().get_text_range()
        assert not {ch for ch in text if not ch.isspace() and ord(ch) not in cmap}, "a character without a glyph"
        texts = svg_texts(page)  # issue 21: no chart text (label, tick, value, title) runs into another
        clashes = [(a.text, b.text) for i, a in enumerate(texts) for b in texts[i + 1 :] if overlap(a, b, margin=0.3)]
        assert not clashes, f"chart texts that run into each other: {clashes[:5]}"
        image = page.render(scale=SCALE).to_pil().convert("RGB")
        height = page.get_height()
        for label, (left, _bottom, right, top) in _chart_titles(page):
            if not remaining or remaining[0].title not in label:
                continue
            chart = remaining.pop(0)
            centre, half = (left + right) / 2, chart.width * 0.75 / 2
            box_pt = (centre - half - 6, top + 4, centre + half + 6, top - (chart.height - 24) * 0.75)
            box = (
                round(box_pt[0] * SCALE),
                round((height - box_pt[1]) * SCALE),
                round(box_pt[2] * SCALE),
                round((height - box_pt[3]) * SCALE),
            )
            _assert_picture_shows(image, box, chart)
    assert not remaining, f"charts not found in the PDF: {[c.title for c in remaining]}"


def _svg_as_image(svg: str, chart: Chart) -> Image.Image:
    """An ODT's picture drawn on its own (WeasyPrint's SVG renderer), to see that it draws what it says."""
    from weasyprint import HTML

    page = (
        f"<style>@page {{ size: {chart.width}px {chart.height}px; margin: 0 }} body {{ margin: 0 }}</style>"
        f'<img src="data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}" '
        f'width="{chart.width}" height="{chart.height}">'
    )
    pdf = pdfium.PdfDocument(HTML(string=page).write_pdf())
    return pdf[0].render(scale=SCALE).to_pil().convert("RGB")


def _assert_odt_pictures_are_the_charts(data: bytes, charts: list[Chart]) -> None:
    archive = zipfile.ZipFile(io.BytesIO(data))
    content = archive.read("content.xml").decode()
    ns = "{urn:oasis:names:tc:opendocument:xmlns:manifest:1.0}"
    manifest = {
        entry.get(f"{ns}full-path"): entry.get(f"{ns}media-type")
        for entry in ET.fromstring(archive.read("META-INF/manifest.xml")).iter(f"{ns}file-entry")  # noqa: S314
    }
    pictures = [n for n in archive.namelist() if n.startswith("Pictures/")]
    assert len(pictures) == len(charts)
    in_order = sorted(pictures, key=content.index)  # the order the document shows them
    for name, chart in zip(in_order, charts, strict=True):
        svg = archive.read(name).decode()
        assert manifest[name] == "image/svg+xml"
        drawing = _drawing(svg)  # well-formed SVG of the chart's size
        assert (drawing.width, drawing.height) == (chart.width, chart.height)
        assert svg == chart.svg  # the very picture the PDF and the page show
        _assert_picture_shows(_svg_as_image(svg, chart), (0, 0, chart.width * SCALE, chart.height * SCALE), chart)


# The page and the ODS ----------------------------------------------------------------------------------------


def _page_tables(page: str) -> list[tuple[str, list[list[str]]]]:
    """Every table and figure list of the report on the page, as (caption, rows of text); the sign-off excluded."""
    tree = lxml.html.fromstring(page)
    out = []
    for table in tree.xpath("//article[@class='report']//table[@class='report-table' or @class='report-figures']"):
        rows = [
            [cell.text_content().strip() for cell in tr.xpath("th|td")]
            for tr in table.xpath(".//tr")
            if not tr.xpath("td[@colspan]")  # "None." in an empty table
        ]
        out.append((table.xpath("caption")[0].text_content().strip(), rows))
    return out


def _as_shown(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value)


def _assert_ods_has_the_pages_numbers(data: bytes, page: str) -> None:
    sheets = Document(io.BytesIO(data)).body.get_tables()
    tables = _page_tables(page)
    assert len(sheets) == len(tables) >= 6
    for sheet, (caption, rows) in zip(sheets, tables, strict=True):
        assert caption.startswith(sheet.name.rsplit("-", 1)[0]), (sheet.name, caption)
        values = [[_as_shown(v) for v in row] for row in sheet.get_values()]
        assert values == rows, caption
        numbers = [cell for row in sheet.get_rows() for cell in row.get_cells() if cell.type == "float"]
        assert numbers or not any(v.isdigit() for row in rows for v in row), f"{caption}: numbers kept as text"


# The journey -----------------------------------------------------------------------------------------------------


def _ethics_officer() -> Client:
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from tests.personas import PERSONA_DEVICE, pass_second_factor

    from anwei.accounts.models import User

    client = Client()
    user = User.objects.get(username="ethics")
    TOTPDevice.objects.create(user=user, name=PERSONA_DEVICE, confirmed=True)
    client.force_login(user)
    pass_second_factor(client, user)
    return client


def _download(client: Client, plan: Plan, format: str) -> bytes:
    response = client.post(f"/reports/plans/{plan.pk}/final/export/", {"format": format})
    assert response.status_code == 302, response.status_code
    job = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    assert run_export.call(job) == "done"  # the worker's task, in-process
    download = client.get(f"/reports/exports/{job}/download/")
    assert download.status_code == 200 and f".{format}" in download["Content-Disposition"]
    return b"".join(download.streaming_content)  # type: ignore[attr-defined]


def test_the_demo_plans_results_report_downloads_and_shows_every_chart_and_character() -> None:
    call_command("demo", verbosity=0)
    plan = active_plan(Plan.objects.first().agency)  # type: ignore[union-attr]
    assert plan is not None
    client = _ethics_officer()
    page = client.get(f"/reports/plans/{plan.pk}/final/").content.decode()
    charts = builders.final_report(plan).charts()
    assert len(charts) >= 5
    for chart in charts:  # the page shows the same pictures, counts with whole-number ticks
        assert chart.svg in page
        ticks = [t.text or "" for t in ET.fromstring(chart.svg).iter(f"{SVG}text") if t.get("class") == "tick"]  # noqa: S314
        assert ticks and all(t.removesuffix("%").isdigit() for t in ticks), (chart.title, ticks)

    _assert_pdf_shows_every_chart(_download(client, plan, "pdf"), charts)
    _assert_odt_pictures_are_the_charts(_download(client, plan, "odt"), charts)
    _assert_ods_has_the_pages_numbers(_download(client, plan, "ods"), page)
    _assert_the_cover_letter_is_filled(client, plan)


def _assert_the_cover_letter_is_filled(client: Client, plan: Plan) -> None:
    """Issue 21: the 函稿 of the demo plan's results report, as the form fills it, downloads with every field."""
    url = f"/reports/plans/{plan.pk}/final/letter/letter/"
    tree = lxml.html.fromstring(client.get(url).content.decode())
    data = {el.get("name"): el.get("value", "") for el in tree.xpath("//form[@class='stacked']//input[@name]")}
    data |= {el.get("name"): (el.text or "").strip() for el in tree.xpath("//form[@class='stacked']//textarea")}
    data["speed"] = "普通件"
    response = client.post(url, data)
    assert response.status_code == 200
    content = zipfile.ZipFile(io.BytesIO(response.content)).read("content.xml").decode()
    for field in (
        "受文者：法務部廉政署",
        "發文日期：中華民國",
        "發文字號：政字第",
        "速別：普通件",
        "附件：",
        "主旨：檢送",
    ):
        assert field in content, field
    assert f"{plan.agency.name}　函" in content and plan.title in content
    assert "密等及解密條件或保密期限：" in content and "說明：" in content and "正本：法務部廉政署" in content
