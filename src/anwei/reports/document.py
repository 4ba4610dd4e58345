"""A report as a list of blocks, independent of its format; render.py turns it into HTML, PDF, ODT and ODS."""

from dataclasses import dataclass, field
from typing import Any

from .charts import Chart


@dataclass
class Heading:
    text: str
    level: int = 2


@dataclass
class Para:
    text: str
    emphasis: bool = False


@dataclass
class Table:
    caption: str
    header: list[str]
    rows: list[list[Any]]
    # Rows that are totals are shown in bold.
    total_rows: int = 0


@dataclass
class Figures:
    """Key figures (label → value) shown as a two-column table and exported to the ODS."""

    caption: str
    items: list[tuple[str, Any]]


@dataclass
class ChartBlock:
    chart: Chart


@dataclass
class SignOff:
    """Signature fields at the end (承辦人, 單位主管, 機關首長 …)."""

    roles: list[str]


Block = Heading | Para | Table | Figures | ChartBlock | SignOff


@dataclass
class Report:
    title: str
    subtitle: str = ""
    agency: str = ""
    generated: str = ""  # 民國 date and time, already formatted
    banner: str = ""  # classification banner for restricted content, e.g. "限閱"
    watermark: str = ""  # the viewer's name and the time, printed across restricted pages
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> "Report":
        self.blocks.extend(blocks)
        return self

    def tables(self) -> list[Table | Figures]:
        return [b for b in self.blocks if isinstance(b, Table | Figures)]

    def charts(self) -> list[Chart]:
        return [b.chart for b in self.blocks if isinstance(b, ChartBlock)]
