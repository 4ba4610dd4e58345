"""Where the texts of a chart land on a PDF page, as WeasyPrint laid them out: each SVG <text> is a form XObject
whose matrix places (and turns) it on the page; the glyphs inside it are text objects in the form's own space. A
text's box is the box round its glyphs in the form's space, carried to the page by the form's matrix: a rotated
rectangle (four corners) for a slanted label."""

import ctypes
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw

Point = tuple[float, float]


@dataclass(frozen=True)
class PlacedText:
    text: str
    corners: tuple[Point, Point, Point, Point]  # on the page, in PDF points

    @property
    def angle(self) -> float:
        """The direction of the text's baseline on the page, in degrees (0 = left to right, 45 = slanted up)."""
        import math

        (x0, y0), (x1, y1) = self.corners[0], self.corners[1]
        return round(math.degrees(math.atan2(y1 - y0, x1 - x0)))


def _glyph_text(obj: pdfium.PdfObject, textpage: pdfium.PdfTextPage) -> str:
    size = pdfium_raw.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
    buffer = ctypes.create_string_buffer(size)
    pdfium_raw.FPDFTextObj_GetText(obj.raw, textpage.raw, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)), size)
    return buffer.raw.decode("utf-16-le").rstrip("\x00")


def svg_texts(page: pdfium.PdfPage) -> list[PlacedText]:
    """Every text drawn from an SVG on the page, with its box on the page."""
    textpage = page.get_textpage()
    placed: list[PlacedText] = []
    form: pdfium.PdfObject | None = None
    glyphs: list[tuple[str, tuple[float, float, float, float]]] = []

    def close() -> None:
        if form is None or not glyphs:
            return
        left = min(box[0] for _t, box in glyphs)
        bottom = min(box[1] for _t, box in glyphs)
        right = max(box[2] for _t, box in glyphs)
        top = max(box[3] for _t, box in glyphs)
        a, b, c, d, e, f = form.get_matrix().get()
        # In the form's space y runs down (SVG); the baseline runs from (left, ·) to (right, ·).
        corners = tuple(
            (a * x + c * y + e, b * x + d * y + f)
            for x, y in ((left, top), (right, top), (right, bottom), (left, bottom))
        )
        placed.append(PlacedText("".join(t for t, _b in glyphs).strip(), corners))  # type: ignore[arg-type]

    for obj in page.get_objects(max_depth=2):
        if obj.level == 0:
            close()
            form, glyphs = (obj, []) if obj.type == pdfium_raw.FPDF_PAGEOBJ_FORM else (None, [])
        elif form is not None and obj.type == pdfium_raw.FPDF_PAGEOBJ_TEXT:
            glyphs.append((_glyph_text(obj, textpage), obj.get_bounds()))
    close()
    return placed


def _axes(corners: tuple[Point, ...]) -> list[Point]:
    out = []
    for i in range(len(corners)):
        (x0, y0), (x1, y1) = corners[i], corners[(i + 1) % len(corners)]
        out.append((y0 - y1, x1 - x0))
    return out


def overlap(one: PlacedText, other: PlacedText, margin: float = 0.0) -> bool:
    """Whether two (possibly rotated) boxes overlap by more than `margin` points (the separating-axis test)."""
    for ax, ay in _axes(one.corners) + _axes(other.corners):
        length = (ax * ax + ay * ay) ** 0.5 or 1
        first = [(x * ax + y * ay) / length for x, y in one.corners]
        second = [(x * ax + y * ay) / length for x, y in other.corners]
        if max(first) <= min(second) + margin or max(second) <= min(first) + margin:
            return False
    return True
