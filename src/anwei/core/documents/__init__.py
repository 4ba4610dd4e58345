"""Documents independent of their format: a report as a list of blocks (blocks.py), its charts as SVG (charts.py),
the viewer's watermark (marks.py), and the renderers to HTML, PDF, ODT and ODS (render.py).

They sit in core, below every app, so that an app can put its figures in a report (its `report_sections.py`) or
print a document of its own (an investigation report, a drill's after-action report) without importing the
reports app that assembles the daily and results reports on top."""
