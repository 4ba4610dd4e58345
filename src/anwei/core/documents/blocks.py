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

# What a section may say about its content in a window (see builders: `classification(window)`); the report's
# banner names every marking its sections returned, in this order.
CONFIDENTIAL = "confidential"  # 密: 一般公務機密, e.g. activity counts from the classified-document register
RESTRICTED = "restricted"  # 限閱: restricted reports (洩密, 危害國家安全 …), if only their reference and category
MARKINGS = (CONFIDENTIAL, RESTRICTED)


@dataclass
class Report:
    title: str
    subtitle: str = ""
    agency: str = ""
    generated: str = ""  # 民國 date and time, already formatted
    banner: str = ""  # classification banner when the report holds anything from restricted records, e.g. "密 · 限閱"
    watermark: str = ""  # the viewer's name and the time, printed across every page of an exported report
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> "Report":
        self.blocks.extend(blocks)
        return self

    def tables(self) -> list[Table | Figures]:
        return [b for b in self.blocks if isinstance(b, Table | Figures)]

    def charts(self) -> list[Chart]:
        return [b.chart for b in self.blocks if isinstance(b, ChartBlock)]
