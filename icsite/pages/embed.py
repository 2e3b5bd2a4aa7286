"""Embed pages: each chart alone at `<page path><chart id>/`, for an iframe, with links one folder up to its files."""

from __future__ import annotations

import dataclasses

from icsite.core.display import Link
from icsite.core.standard import OGL_TITLE
from icsite.pages.contexts import EmbedPage, Page
from icsite.pages.figures import page_charts


def embed_pages(pages: list[Page]) -> list[EmbedPage]:
    """An embed page for every chart of `pages` (each page is left as it is)."""
    out = []
    for page in pages:
        indicator = getattr(page, "indicator", {})
        source = indicator.get("source", "") or "the sources named on each indicator's page"
        illustrative = bool(indicator.get("illustrative", True))
        for chart in page_charts(page):
            alone = dataclasses.replace(chart, image=f"../{chart.image}" if chart.image else "",
                                        data=f"../{chart.data}", spec=f"../{chart.spec}",
                                        png=f"../{chart.png}" if chart.png else "")
            out.append(EmbedPage("embed.html", chart.embed, chart.caption, chart.description, has_charts=True,
                                 chart=alone, from_page=Link(page.title, page.path), source=source,
                                 licence=OGL_TITLE, illustrative=illustrative))
    return out
