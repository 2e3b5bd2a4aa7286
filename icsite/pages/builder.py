"""Every page context of the site from the model, its comparisons and the download links: `PageBuilder`.

The data is indexed once (`SiteIndex`); each page family's module builds its pages from its slice, complete.
The data set pages (pages.data) and the embed pages (pages.embed) are made by the build from these.
"""

from __future__ import annotations

from collections.abc import Iterator

from icsite.compute.comparisons import Comparisons
from icsite.core.display import Link
from icsite.inputs.model import SiteData
from icsite.pages.compare import compare_pages
from icsite.pages.contexts import ContentPage, Page
from icsite.pages.index import SiteIndex
from icsite.pages.indicator import indicator_page
from icsite.pages.pack import pack_pages
from icsite.pages.places import place_finder
from icsite.pages.profile import profile_page
from icsite.inputs.stories import is_story
from icsite.pages.stories import stories_index_page, story_page
from icsite.pages.site import content_page, home_page, ics_index_page, indicator_index_page, search_page


class PageBuilder:
    """Builds the site's page contexts; keeps the model (`data`) for a rebuild of content pages alone."""

    def __init__(self, data: SiteData, comp: Comparisons, downloads: dict[str, list[Link]], images: str = "all",
                 packs: bool = True, pdf: bool = False):
        """`packs`: make each ICS's peer-challenge pack (pages.pack) and link it from its profile; `pdf`: the packs
        are also printed to PDF (by the build, at `pages.pack.pack_pdf_path`), and the pages link the PDF."""
        self.data = data
        self.index = SiteIndex(data, comp, downloads, images, packs=packs, pdf=pdf)
        self.places = place_finder(self.index)  # find your ICS from a place or postcode (None without a lookup)

    def pages(self) -> Iterator[Page]:
        """Every page of the site made from the model, one at a time, in a stable order (not 404.html: see
        `not_found_page`). A build renders each as it comes and keeps no more than it needs of it, so the memory a
        build takes does not grow with the pages' contents."""
        ix = self.index
        yield from (home_page(ix), ics_index_page(ix), indicator_index_page(ix))
        yield from (profile_page(ix, code) for code in sorted(ix.with_data))
        yield from pack_pages(ix, ix.pdf) if ix.packs else ()
        yield from (indicator_page(ix, ind) for ind in ix.indicators.index)
        yield from (self.content(p) for p in self.data.pages if not is_story(p))
        if ix.stories:
            yield stories_index_page(ix)
            yield from (story_page(ix, story) for story in ix.stories)
        yield search_page(ix, self.places)
        yield from self.places.pages() if self.places is not None else ()
        yield from compare_pages(ix)

    def files(self) -> dict[str, bytes]:
        """The files pages read besides themselves: the sharded place index of the search as you type."""
        return self.places.index_files() if self.places is not None else {}

    def all_pages(self) -> list[Page]:
        """Every page (`pages`), as a list."""
        return list(self.pages())

    def content(self, src) -> ContentPage:
        """The page of one markdown source."""
        return content_page(src)
