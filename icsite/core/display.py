"""What pages show and data sets list: links to other pages and files, and data tables."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Link:
    """A link to another page of the site; `href` is relative to the site root (`ics/devon/`)."""

    text: str
    href: str
    note: str = ""


@dataclass
class Table:
    """A data table: caption, column headings, rows of cells (already formatted), first cell a row heading."""

    caption: str
    columns: list[str]
    rows: list[list]
    numeric: list[bool] = field(default_factory=list)  # per column: right-align
    stack: bool = False  # on a phone, show each row as a card of "column: value" lines
