"""Charts on pages: a `Figure` is what a chart shows; `place` makes the page's finished `Chart`s from its figures.

A chart's files follow from its id and sit beside its page: `<id>.csv`, `<id>.vl.json`, the static image
`<id>.svg` (for every chart, the page's first only or none: the `images` setting) and, for the page's first chart
only, `<id>.png`, which is also the page's link preview (`preview`). Its embed page is `<page path><id>/`.
"""

from __future__ import annotations

from dataclasses import dataclass

from icsite.charts.serialise import spec_json
from icsite.core.config import IMAGE_MODES
from icsite.pages.contexts import Chart, Page, Table

#: the single charts of a page, in page order (before a page's list of `charts`): what `page_charts` walks
CHART_FIELDS = ("spine", "ranked", "funnel", "tiles", "over_time", "chart")


@dataclass(frozen=True)
class Figure:
    """A chart before it has a place on a page: its spec, caption, text description and data table."""

    id: str
    spec_json: str  # JSON, safe inside <script type="application/json">
    caption: str
    description: str
    table: Table


def figure(id: str, spec: dict, caption: str, description: str, table: Table) -> Figure:
    """A figure from a Vega-Lite spec (serialised here, once)."""
    return Figure(id, spec_json(spec), caption, description, table)


def place(path: str, figures: list[Figure | None], images: str = "all") -> list[Chart | None]:
    """The charts of the page at `path`, in page order (None stays None): each with its files and embed page.

    `images` (one of IMAGE_MODES) says which charts have a static image (an SVG): all, the first only, or none.
    The first chart, if it has an SVG, also has the PNG that previews the page.
    """
    if images not in IMAGE_MODES:
        raise ValueError(f"images must be one of {', '.join(IMAGE_MODES)}, not {images!r}")
    out: list[Chart | None] = []
    for f in figures:
        if f is None:
            out.append(None)
            continue
        first = not any(c is not None for c in out)
        svg = images == "all" or (images == "first" and first)
        out.append(Chart(f.id, f.spec_json, f.caption, f.description, f.table, image=f"{f.id}.svg" if svg else "",
                         data=f"{f.id}.csv", spec=f"{f.id}.vl.json", embed=f"{path}{f.id}/",
                         png=f"{f.id}.png" if first and svg else ""))
    return out


def preview(path: str, charts: list[Chart | None]) -> str:
    """The link-preview picture of the page at `path`: its first chart's PNG, relative to the site root ("" without)."""
    first = next((c for c in charts if c is not None), None)
    return f"{path}{first.png}" if first is not None and first.png else ""


def page_charts(page: Page) -> list[Chart]:
    """Every chart on a page, in page order."""
    found = [getattr(page, name, None) for name in CHART_FIELDS]
    found += list(getattr(page, "charts", []))
    return [c for c in found if c is not None]
