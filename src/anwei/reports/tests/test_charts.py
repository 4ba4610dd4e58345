"""Issue 21: charts that read. Category names under the bars never run into each other (18 categories, a 25-day and a
40-day period, in Chinese and in English), counts have whole-number ticks, and the legends and titles are in the
language of the report. Checked where the reader sees it: on the PDF page as WeasyPrint laid it out (each label's
box from its glyphs, turned as the label is turned) and in the page rendered to an image."""

import xml.etree.ElementTree as ET
from itertools import combinations

import pypdfium2 as pdfium
import pytest
from django.utils import translation

from anwei.core.documents import render
from anwei.core.documents.blocks import ChartBlock, Report
from anwei.core.documents.charts import bar_chart, ticks
from anwei.incidents.rules import CATEGORIES

from .pdftext import PlacedText, overlap, svg_texts

SVG = "{http://www.w3.org/2000/svg}"
PERIOD_25 = [f"1/{d}" for d in range(21, 32)] + [f"2/{d}" for d in range(1, 15)]
PERIOD_40 = [f"1/{d}" for d in range(1, 32)] + [f"2/{d}" for d in range(1, 10)]


def _tick_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)  # noqa: S314 (our own SVG)
    return [t.text or "" for t in root.iter(f"{SVG}text") if t.get("class") == "tick"]


def _label_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)  # noqa: S314 (our own SVG)
    return [t.text or "" for t in root.iter(f"{SVG}text") if t.get("class") == "label"]


@pytest.mark.parametrize(
    ("peak", "expected"),
    [
        (1, [0, 1]),
        (2, [0, 1, 2]),
        (3, [0, 1, 2, 3]),
        (7, [0, 2, 4, 6, 8]),
        (12, [0, 5, 10, 15]),
        (230, [0, 50, 100, 150, 200, 250]),
    ],
)
def test_counts_get_whole_number_ticks(peak: int, expected: list[int]) -> None:
    assert ticks(peak) == expected


def test_a_count_axis_never_shows_fractions() -> None:
    chart = bar_chart("各類通報件數", ["資安事件", "竊盜", "其他"], [("件數", [2, 1, 0])])
    assert _tick_texts(chart.svg) == ["0", "1", "2"]
    percent = bar_chart("完成率", ["政風室", "秘書室"], [("完成率", [50, 100])], percent=True)
    assert _tick_texts(percent.svg) == ["0%", "25%", "50%", "75%", "100%"]


def _charts() -> list[tuple[str, list[str]]]:
    """The pictures whose labels crowd most: every report category, the first 11 (the most that once went on one
    line), a Lunar New Year period, a 40-day period."""
    names = [str(c) for c in CATEGORIES.values()]
    return [("18", names), ("25", PERIOD_25), ("40", PERIOD_40), ("11", names[:11])]


def _report(language: str) -> tuple[Report, list[list[str]]]:
    with translation.override(language):
        report = Report("圖表")
        shown = []
        for title, labels in _charts():
            chart = bar_chart(f"chart {title}", labels, [("n", [i % 4 for i in range(len(labels))])], width=640)
            report.add(ChartBlock(chart))
            shown.append(_label_texts(chart.svg))
        return report, shown


@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_no_label_runs_into_another_on_the_pdf_page(language: str) -> None:
    report, shown = _report(language)
    lines = {line for chart in shown for line in chart}
    with translation.override(language):
        data = render.pdf(report)
    # every category is named under its bar, none dropped (wrapped in two lines, or whole); the days at least every
    # other one
    with translation.override(language):
        assert "".join(shown[0]) == "".join(str(c) for c in CATEGORIES.values())
    assert len(shown[1]) == len(PERIOD_25) and len(shown[2]) >= len(PERIOD_40) // 2
    placed: list[PlacedText] = []
    for page in pdfium.PdfDocument(data):
        texts = svg_texts(page)  # every text of the charts: titles, ticks, values, labels
        clashes = [(a.text, b.text) for a, b in combinations(texts, 2) if overlap(a, b, margin=0.3)]
        assert not clashes, f"texts that run into each other: {clashes[:5]}"
        placed += [t for t in texts if t.text in lines]
    assert len(placed) == sum(len(chart) for chart in shown)  # every label drawn
    assert any(t.angle for t in placed), "the crowded labels are not slanted"


@pytest.mark.django_db
def test_an_export_is_written_in_the_language_it_was_asked_in(world: object, client_for: object) -> None:
    """The worker builds the file later, in its own default language; the titles and legends of the charts and the
    report follow the officer who asked (here: English)."""
    from datetime import timedelta

    from django.utils import timezone

    from anwei.plans.models import Plan
    from anwei.reports.models import ExportJob
    from anwei.reports.tasks import run_export

    now = timezone.now()
    plan = Plan.objects.create(
        agency=world.agency,  # type: ignore[attr-defined]
        owning_unit=world.units["ethics"],  # type: ignore[attr-defined]
        title="測試春安計畫",
        period_start=now - timedelta(days=2),
        period_end=now + timedelta(days=2),
        status=Plan.Status.ACTIVE,
    )
    ethics = client_for("ethics")  # type: ignore[operator]
    ethics.cookies["django_language"] = "en"
    assert ethics.post(f"/reports/plans/{plan.pk}/final/export/", {"format": "odt"}).status_code == 302
    job = ExportJob.objects.get()
    with translation.override("zh-hant"):  # the worker, in the site's default language
        assert run_export.call(str(job.pk)) == "done"
    from odfdo import Document

    job.refresh_from_db()
    import io

    with job.file.open("rb") as f:
        text = Document(io.BytesIO(f.read())).get_formatted_text()
    assert "results report" in text and "執行成果報告" in text  # the English title keeps its Chinese term
    assert "Prepared by" in text
    assert job.filename.endswith("results report.odt")
