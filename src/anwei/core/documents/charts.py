"""Charts drawn on the server as SVG, so the same picture goes into the page, the PDF and the ODT.

Plain SVG 1.1 with explicit sizes, no scripts and no external references; text uses the CJK font family so Chinese
labels render in WeasyPrint and office programs alike.

The category labels under the bars are laid out so that none runs into its neighbour however many there are: on one
line when each fits its slot, on two lines when that suffices, otherwise slanted (45°, then upright at 90°, then
every k-th label), the picture growing downwards to hold them. Counts get whole-number ticks (0, 1, 2 … never 0.75)."""

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

FONT = "Noto Sans CJK TC, Noto Sans TC, Microsoft JhengHei, PingFang TC, sans-serif"
PALETTE = ("#1f5f99", "#d9822b", "#3b8d4a", "#b33a3a", "#7a5aa6", "#5f7c8a")

LABEL_SIZE = 11  # font size of a category label, in SVG units (px)
LINE = 1.2  # a text line's height ÷ its font size (ascent + descent + a little air)
GAP = 4  # room kept between neighbouring labels


@dataclass(frozen=True)
class Chart:
    title: str
    svg: str
    width: int
    height: int
    # The figures behind the picture (for the ODS and for screen readers).
    labels: tuple[str, ...]
    series: tuple[tuple[str, tuple[float, ...]], ...]


def text_width(text: str, size: float) -> float:
    """The advance of `text` at `size` in a CJK sans font: full-width characters (漢字, full-width punctuation) one
    em, others (Latin, digits, the slash of "1/21") about 0.6 em — generous, so a label never takes more room than
    its layout reserved."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else 0.6 * size for ch in text)


def ticks(peak: float, *, percent: bool = False, whole: bool = True) -> list[float]:
    """The value axis' ticks from 0 to at least `peak`: at most 6 of them, a step of 1, 2 or 5 times a power of ten,
    and for counts (`whole`) never less than 1 (so 0, 1, 2, 3 — not 0, 0.75, 1.5)."""
    if percent:
        return [0, 25, 50, 75, 100]
    if peak <= 0:
        return [0, 1]
    raw = peak / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    if whole:
        step = max(round(step), 1)
    count = math.ceil(peak / step - 1e-9)
    return [i * step for i in range(count + 1)]


def _text(x: float, y: float, content: str, size: float = 12, anchor: str = "middle", extra: str = "") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" text-anchor="{anchor}" '
        f'font-family="{FONT}" fill="#222"{extra}>{escape(content)}</text>'
    )


def _frame(title: str, width: int, height: int, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title, {chr(34): "&quot;"})}">'
        f"<title>{escape(title)}</title>"
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>'
        + _text(width / 2, 20, title, 14, extra=' font-weight="bold"')
        + "".join(body)
        + "</svg>"
    )


def _legend(series: Sequence[tuple[str, Sequence[float]]], x: float, y: float) -> list[str]:
    if len(series) < 2:
        return []
    out = []
    for i, (name, _values) in enumerate(series):
        out.append(f'<rect x="{x:.1f}" y="{y + i * 16:.1f}" width="10" height="10" fill="{PALETTE[i % 6]}"/>')
        out.append(_text(x + 14, y + i * 16 + 9, name, 11, anchor="start", extra=' class="legend"'))
    return out


def _pieces(text: str) -> list[str]:
    """Where a label may break: after every full-width character (Chinese breaks anywhere) and at spaces; a run of
    Latin letters or digits ("1/21", "Finance") stays whole."""
    pieces: list[str] = []
    for ch in text:
        wide = unicodedata.east_asian_width(ch) in "WF"
        if pieces and not wide and ch != " " and not pieces[-1].endswith(" "):
            last = pieces[-1][-1]
            if unicodedata.east_asian_width(last) not in "WF":
                pieces[-1] += ch
                continue
        pieces.append(ch)
    return pieces


def _two_lines(text: str, size: float) -> list[str]:
    """`text` in one line, or in two lines of the most even widths (集體陳情 / 請願抗議)."""
    pieces = _pieces(text)
    best = [text]
    widest = text_width(text, size)
    for i in range(1, len(pieces)):
        first, second = "".join(pieces[:i]).rstrip(), "".join(pieces[i:]).lstrip()
        width = max(text_width(first, size), text_width(second, size))
        if first and second and width < widest:
            best, widest = [first, second], width
    return best


@dataclass(frozen=True)
class LabelLayout:
    """How the category labels sit under the plot: `lines` per label (flat), or slanted by `angle` degrees; only
    every `every`-th label shown; `depth` is the room they take below the axis."""

    size: float
    angle: int
    every: int
    lines: list[list[str]]
    depth: float


def label_layout(labels: Sequence[str], slot: float) -> LabelLayout:
    if not labels:
        return LabelLayout(LABEL_SIZE, 0, 1, [], 20)
    room = slot - GAP
    size = LABEL_SIZE if len(labels) <= 12 else 9
    if all(text_width(label, size) <= room for label in labels):
        return LabelLayout(size, 0, 1, [[label] for label in labels], 10 + size * LINE)
    wrapped = [_two_lines(label, size) if text_width(label, size) > room else [label] for label in labels]
    if all(text_width(line, size) <= room for lines in wrapped for line in lines):
        return LabelLayout(size, 0, 1, wrapped, 10 + 2 * size * LINE)
    longest = max(text_width(label, size) for label in labels)
    # Slanted labels are parallel strips `size * LINE` thick; neighbours `every * slot` apart on the axis are
    # `every * slot * sin(angle)` apart across the strips.
    for angle in (45, 90):
        sine, cosine = math.sin(math.radians(angle)), math.cos(math.radians(angle))
        every = max(1, math.ceil((size * LINE + GAP / 2) / (slot * sine)))
        if angle == 90 or every == 1:
            depth = 8 + longest * sine + size * cosine
            return LabelLayout(size, angle, every, [[label] for label in labels], depth)
    raise AssertionError("unreachable")


def _labels(layout: LabelLayout, left: float, slot: float, axis_y: float) -> list[str]:
    out = []
    for i, lines in enumerate(layout.lines):
        if i % layout.every:
            continue
        cx = left + i * slot + slot / 2
        if not layout.angle:
            for j, line in enumerate(lines):
                out.append(
                    _text(cx, axis_y + 6 + layout.size * (1 + j * LINE), line, layout.size, extra=' class="label"')
                )
            continue
        # The text ends at the tick and runs down to the left; its middle line passes through the tick.
        shift = layout.size * 0.35
        x = cx + shift * math.sin(math.radians(layout.angle))
        y = axis_y + 6 + shift * math.cos(math.radians(layout.angle))
        turn = f' transform="rotate(-{layout.angle} {x:.1f} {y:.1f})"'
        out.append(_text(x, y, lines[0], layout.size, anchor="end", extra=f' class="label"{turn}'))
    return out


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    width: int = 640,
    height: int = 300,
    percent: bool = False,
) -> Chart:
    """Vertical bars, one group per label and one bar per series. With `percent`, the axis runs 0–100. `height` is
    the picture's height with one line of labels; slanted or wrapped labels make it taller, never the plot smaller."""
    legend_w = max((text_width(name, 11) for name, _v in series), default=0) + 24 if len(series) > 1 else 0
    left, right, top = 44.0, 16 + legend_w, 34
    plot_h = height - top - 58
    values = [v for _n, vals in series for v in vals]
    whole = all(float(v).is_integer() for v in values)
    scale = ticks(max(values, default=0), percent=percent, whole=whole)
    peak = scale[-1]
    n = max(len(labels), 1)
    layout = label_layout(labels, (width - left - right) / n)
    if layout.angle:  # a slanted first label must not run off the picture's left edge
        first = text_width(labels[0], layout.size) * math.cos(math.radians(layout.angle)) + layout.size
        left = max(left, first - (width - left - right) / n / 2 + 4)
        layout = label_layout(labels, (width - left - right) / n)
    plot_w = width - left - right
    slot = plot_w / n
    axis_y = top + plot_h
    height = max(height, math.ceil(axis_y + layout.depth + 6))
    body = []
    for value in scale:
        y = axis_y - plot_h * value / peak
        if value:  # the axis itself is drawn last, over the bars' feet, where the zero gridline would be
            body.append(f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{left + plot_w:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        body.append(
            _text(left - 6, y + 4, f"{value:g}{'%' if percent else ''}", 10, anchor="end", extra=' class="tick"')
        )
    bar_w = max(slot * 0.8 / max(len(series), 1), 1)
    for gi in range(len(labels)):
        gx = left + gi * slot + slot * 0.1
        for si, (_name, vals) in enumerate(series):
            value = vals[gi] if gi < len(vals) else 0
            h = plot_h * (value / peak) if peak else 0
            x, y = gx + si * bar_w, axis_y - h
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{PALETTE[si % 6]}"/>'
            )
            shown = f"{value:g}{'%' if percent else ''}"
            if value and text_width(shown, 9) <= slot:
                body.append(_text(x + bar_w / 2, y - 3, shown, 9))
    body += _labels(layout, left, slot, axis_y)
    body.append(f'<line x1="{left:.1f}" y1="{axis_y}" x2="{left + plot_w:.1f}" y2="{axis_y}" stroke="#555"/>')
    body += _legend(series, width - right + 10, top)
    return Chart(
        title,
        _frame(title, width, height, body),
        width,
        height,
        tuple(labels),
        tuple((name, tuple(float(v) for v in values)) for name, values in series),
    )
