"""A profile's first screen on a phone and its printout (issue 16): on a 375 x 667 screen the verdict sentence is
visible without scrolling; printed to PDF from Chromium it fits on at most 8 A4 pages, without the site's header,
navigation or search, and nothing wider than the page.

Run with: .venv/bin/python -m pytest tests/browser/test_profile_phone_print.py -q
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

PROFILES = ["birmingham-and-solihull", "surrey-heartlands", "central-east"]  # current, closed, formed April 2026
MAX_PAGES = 8
A4_WIDTH_PX = 794  # 210 mm at 96 px per inch


def pdf_pages(pdf: bytes) -> int:
    """The number of pages of a PDF: its /Type /Page objects (Chromium writes them uncompressed)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def test_pdf_page_counter_reads_a_minimal_pdf():
    assert pdf_pages(b"<< /Type /Pages /Count 2 >> << /Type /Page >> << /Type/Page /Parent 1 0 R >>") == 2


@pytest.mark.parametrize("slug", PROFILES)
def test_the_verdict_is_on_the_first_screen_of_a_phone(chromium, site_server, slug):
    context = chromium.new_context(viewport={"width": 375, "height": 667})
    try:
        page = context.new_page()
        page.goto(site_server.url(f"ics/{slug}/"), wait_until="load")
        box = page.locator("p.verdict").bounding_box()
        assert box is not None and box["height"] > 0
        assert box["y"] >= 0 and box["y"] + box["height"] <= 667, (slug, box)
        assert page.locator("p.verdict").inner_text().startswith(("Compared with England", page.locator(
            "h1").inner_text()))
        # the skip link, navigation and illustrative-data notice are still there, above it
        assert page.locator("a.skip-link").count() == 1 and page.locator("nav[aria-label=Main] a").count() > 3
        notice = page.locator(".notice")
        assert notice.count() == 0 or notice.bounding_box()["y"] < box["y"]
    finally:
        context.close()


@pytest.mark.parametrize("slug", PROFILES)
def test_a_profile_prints_on_at_most_8_a4_pages_without_chrome(chromium, site_server, draw_charts, slug):
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.goto(site_server.url(f"ics/{slug}/"), wait_until="load")
        draw_charts(page)
        pages = pdf_pages(page.pdf(format="A4"))
        assert 1 <= pages <= MAX_PAGES, (slug, pages)
        # laid out as printed: no site chrome or controls, and nothing wider than the page
        page.emulate_media(media="print")
        page.set_viewport_size({"width": A4_WIDTH_PX, "height": 1123})
        hidden = page.evaluate("""() => ['.site-header', '.site-search', 'nav[aria-label=Main]', '.skip-link',
            '.toc', '.chart-controls', '.chart-links', 'section[aria-labelledby=trends]']
            .flatMap(s => [...document.querySelectorAll(s)]).every(e => e.getBoundingClientRect().height === 0)""")
        assert hidden, slug
        wide = page.evaluate("""() => { const limit = document.querySelector('main').getBoundingClientRect().right + 1;
            return [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > limit)
                .map(e => e.tagName + '.' + e.className).slice(0, 5); }""")
        assert wide == [], (slug, wide)
        assert page.locator("figure.chart img.chart-image").first.is_visible()  # the spine chart, as its image
    finally:
        context.close()


def test_a_printed_profile_has_page_numbers_and_its_address(site_server, built_site):
    html = (built_site / "ics" / PROFILES[0] / "index.html").read_text(encoding="utf-8")
    assert re.search(r'@bottom-left \{ content: "[^"]*/ics-outcomes/ics/birmingham-and-solihull/"', html)
    css = (built_site / "assets" / "style.css").read_text(encoding="utf-8")
    assert 'counter(page) " of " counter(pages)' in css
