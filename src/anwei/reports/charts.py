"""Charts drawn on the server as SVG, so the same picture goes into the page, the PDF and the ODT.

Plain SVG 1.1 with explicit sizes, no scripts and no external references; text uses the CJK font family so Chinese
labels render in WeasyPrint and office programs alike."""

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

FONT = "Noto Sans CJK TC, Noto Sans TC, Microsoft JhengHei, PingFang TC, sans-serif"
PALETTE = ("#1f5f99", "#d9822b", "#3b8d4a", "#b33a3a", "#7a5aa6", "#5f7c8a")


@dataclass(frozen=True)
class Chart:
    title: str
    svg: str
    width: int
    height: int
    # The figures behind the picture (for the ODS and for screen readers).
    labels: tuple[str, ...]
    series: tuple[tuple[str, tuple[float, ...]], ...]


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    step = 10 ** (len(str(int(value))) - 1)
    return float(((int(value) // step) + 1) * step) if value >= 10 else float(int(value) + 1)


def _text(x: float, y: float, content: str, size: int = 12, anchor: str = "middle", extra: str = "") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
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
        out.append(_text(x + 14, y + i * 16 + 9, name, 11, anchor="start"))
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
    """Vertical bars, one group per label and one bar per series. With `percent`, the axis runs 0–100."""
    left, right, top, bottom = 44, 120 if len(series) > 1 else 16, 34, 58
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = 100.0 if percent else _nice_max(max((v for _n, vals in series for v in vals), default=0))
    body = []
    for i in range(5):
        value = peak * i / 4
        y = top + plot_h - plot_h * i / 4
        if i:  # the axis itself is drawn last, over the bars' feet, where the zero gridline would be
            body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#ddd"/>')
        body.append(_text(left - 6, y + 4, f"{value:g}{'%' if percent else ''}", 10, anchor="end"))
    n = max(len(labels), 1)
    group_w = plot_w / n
    bar_w = max(group_w * 0.8 / max(len(series), 1), 1)
    for gi, label in enumerate(labels):
        gx = left + gi * group_w + group_w * 0.1
        for si, (_name, values) in enumerate(series):
            value = values[gi] if gi < len(values) else 0
            h = plot_h * (value / peak) if peak else 0
            x, y = gx + si * bar_w, top + plot_h - h
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{PALETTE[si % 6]}"/>'
            )
            if value and n <= 31:
                shown = f"{value:g}{'%' if percent else ''}"
                body.append(_text(x + bar_w / 2, y - 3, shown, 9))
        cx = left + gi * group_w + group_w / 2
        if n > 12 and gi % -(-n // 31):  # more than a month of days: label every k-th
            continue
        if n <= 12:
            body.append(_text(cx, top + plot_h + 16, label, 11))
        else:  # many labels (days): slant them
            ly = top + plot_h + 12
            body.append(_text(cx, ly, label, 9, anchor="end", extra=f' transform="rotate(-50 {cx:.1f} {ly:.1f})"'))
    body.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#555"/>')
    body += _legend(series, width - right + 10, top)
    return Chart(
        title,
        _frame(title, width, height, body),
        width,
        height,
        tuple(labels),
        tuple((name, tuple(float(v) for v in values)) for name, values in series),
    )
