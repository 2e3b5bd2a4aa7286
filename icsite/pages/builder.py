"""Every page context of the site from the model, its comparisons and the download links: `PageBuilder`.

The data is indexed once (`SiteIndex`); each page family's module builds its pages from its slice, complete.
The data set pages (pages.data) and the embed pages (pages.embed) are made by the build from these.
"""

from __future__ import annotations

from icsite.compute.comparisons import Comparisons
from icsite.core.display import Link
from icsite.inputs.model import SiteData
from icsite.pages.compare import compare_pages
from icsite.pages.contexts import ContentPage, Page
from icsite.pages.index import SiteIndex
from icsite.pages.indicator import indicator_page
from icsite.pages.profile import profile_page
from icsite.pages.site import content_page, home_page, ics_index_page, indicator_index_page, search_page


class PageBuilder:
    """Builds the site's page contexts; keeps the model (`data`) for a rebuild of content pages alone."""

    def __init__(self, data: SiteData, comp: Comparisons, downloads: dict[str, list[Link]], images: str = "all"):
        self.data = data
        self.index = SiteIndex(data, comp, downloads, images)

    def all_pages(self) -> list[Page]:
        """Every page of the site made from the model, in a stable order (not 404.html: see `not_found_page`)."""
        ix = self.index
        pages: list[Page] = [home_page(ix), ics_index_page(ix), indicator_index_page(ix)]
        pages += [profile_page(ix, code) for code in sorted(ix.with_data)]
        pages += [indicator_page(ix, ind) for ind in ix.indicators.index]
        pages += [self.content(p) for p in self.data.pages]
        pages.append(search_page(ix))
        return pages + compare_pages(ix)

    def content(self, src) -> ContentPage:
        """The page of one markdown source."""
        return content_page(src)
