"""Each ICS's peer-challenge pack (issue 17) in Chromium: every current and closed ICS has one, linked from its
profile; printed to PDF it fits on at most 8 A4 pages, without the site's header, navigation or search, and nothing
in it is wider than the page's printable width.

Run with: .venv/bin/python -m pytest tests/browser/test_pack_print.py -q
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO_ROOT = Path(__file__).resolve().parents[2]
MAX_PAGES = 8
#: the width a printed A4 page lays its content out in: 210 mm less style.css's 12 mm margins each side, at 96 px
#: to the inch
PRINTABLE_PX = round((210 - 2 * 12) / 25.4 * 96)
CHROME = ["header.site-header", ".site-search", "nav[aria-label=Main]", ".skip-link", ".toc"]


def boards() -> dict[str, bool]:
    """Every ICB of the registry: slug -> whether it is current."""
    with open(REPO_ROOT / "datapackages" / "areas" / "areas.csv", newline="", encoding="utf-8") as f:
        return {row["slug"]: row["valid_to"] == "" for row in csv.DictReader(f) if row["type"] == "icb"}


BOARDS = boards()


def pdf_pages(pdf: bytes) -> int:
    """The number of pages of a PDF: its /Type /Page objects (Chromium writes them uncompressed)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def test_every_current_and_closed_ics_has_a_pack_linked_from_its_profile(built_site):
    assert any(BOARDS.values()) and not all(BOARDS.values()), "the registry should have current and closed boards"
    missing = [slug for slug in BOARDS if not (built_site / "ics" / slug / "pack" / "index.html").is_file()]
    assert missing == []
    unlinked = [slug for slug in BOARDS
                if 'href="pack/"' not in (built_site / "ics" / slug / "index.html").read_text(encoding="utf-8")]
    assert unlinked == []


@pytest.fixture(scope="module")
def browser_page(chromium):
    context = chromium.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.mark.parametrize("slug", sorted(BOARDS))
def test_a_pack_prints_on_at_most_8_a4_pages_with_nothing_cut_off(browser_page, site_server, slug):
    page = browser_page
    page.emulate_media(media="print")  # as page.pdf lays it out (the page is shared: set it each time)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(site_server.url(f"ics/{slug}/pack/"), wait_until="load")
    pages = pdf_pages(page.pdf(format="A4"))
    assert 1 <= pages <= MAX_PAGES, (slug, pages)
    # laid out as printed: no site chrome, and nothing wider than the printable width
    page.set_viewport_size({"width": PRINTABLE_PX, "height": 1000})
    hidden = page.evaluate("""(selectors) => selectors.flatMap(s => [...document.querySelectorAll(s)])
        .every(e => e.getBoundingClientRect().height === 0)""", CHROME)
    assert hidden, slug
    wide = page.evaluate("""(width) => [...document.querySelectorAll('main *')]
        .filter(e => e.getBoundingClientRect().right > width + 1 || e.getBoundingClientRect().left < -1)
        .map(e => e.tagName + '.' + e.className).slice(0, 5)""", PRINTABLE_PX)
    assert wide == [], (slug, wide)
    image = page.locator("img.chart-image")
    if image.count():  # the profile's spine chart, loaded and within the page
        assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", image.element_handle()), slug
