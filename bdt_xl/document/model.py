"""The document as data: headings, paragraphs, tables and charts, independent of Word.

``drafting`` fills it from the report, ``render`` turns it into a .docx; tests can read the
model without opening Word's XML.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PIE = "pie"
COLUMN = "column"
BAR = "bar"


@dataclass
class Heading:
    text: str
    level: int = 1
    number: str = ""


@dataclass
class Paragraph:
    text: str
    style: str = "body"  # "body", or "note" (the draft's notice, in italics)


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    right_aligned: tuple[int, ...] = ()  # columns holding amounts
    font_size: float = 10.0
    widths: tuple[float, ...] = ()  # in centimetres; empty = Word's default


@dataclass
class Series:
    name: str
    values: list[float]


@dataclass
class Chart:
    """A native chart: categories, one or more series, a title (the seed's caption)."""
    kind: str  # PIE, COLUMN or BAR
    title: str
    categories: list[str]
    series: list[Series]
    number_format: str = "0%"  # of the data labels and the value axis
    labels: bool = True  # data labels on the points


@dataclass
class Landscape:
    """Starts a landscape section (the annex's wide table)."""


Block = Heading | Paragraph | Table | Chart | Landscape


@dataclass
class Document:
    title: str
    language: str
    blocks: list[Block] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # for the user, not in the document

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)

    @property
    def text(self) -> str:
        """Every heading, paragraph and table cell, one per line (what a reader reads)."""
        lines: list[str] = [self.title]
        for block in self.blocks:
            if isinstance(block, Heading | Paragraph):
                lines.append(block.text)
            elif isinstance(block, Table):
                lines.extend(" | ".join(row) for row in [block.header, *block.rows])
            elif isinstance(block, Chart):
                lines.append(block.title)
        return "\n".join(lines)

    @property
    def charts(self) -> list[Chart]:
        return [block for block in self.blocks if isinstance(block, Chart)]

    @property
    def tables(self) -> list[Table]:
        return [block for block in self.blocks if isinstance(block, Table)]
