"""What pages show and data sets list: links to other pages and files, data tables, and sizes of files."""

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


def size_text(size: int) -> str:
    """A size in bytes as people read it: "512 bytes", "34 kB", "1.2 MB", "2.41 GB" (decimal units, as hosts state
    their limits)."""
    if size >= 1_000_000_000:
        return f"{size / 1_000_000_000:.2f} GB"
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    if size >= 1_000:
        return f"{size / 1_000:.0f} kB"
    return f"{size} bytes"
