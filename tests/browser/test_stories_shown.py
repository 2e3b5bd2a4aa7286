"""Improvement stories in Chromium, on the shipped site: each shipped story shows on its board's profile, on each
indicator page it names, and wherever its board is offered as a system to learn from (the profiles' "what they
did"); its page says it is an example in large type before anything else, and its chart draws.

The places a story should appear are worked out from the site's own API (the comparisons), not from the pages.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from icsite.inputs.load import front_matter

pytestmark = pytest.mark.browser

STORIES = Path(__file__).resolve().parents[2] / "content" / "stories"


def shipped_stories() -> list[tuple[str, dict]]:
    return [(p.stem, front_matter(p.read_text(encoding="utf-8"))[0]) for p in sorted(STORIES.glob("*.md"))]


def board_of(site: Path, code: str) -> dict:
    """The board's registry row from the site's API, by ODS or ONS code."""
    areas = json.loads((site / "api" / "v1" / "areas.json").read_text(encoding="utf-8"))["areas"]
    return next(a for a in areas if code in (a["code"], a["ods_code"]))


def test_the_shipped_stories_are_examples_and_say_so(js_context, site_server, shipped_site, draw_charts):
    assert 1 <= len(shipped_stories()) <= 2  # the template and at most two examples (issue 17)
    page = js_context.new_page()
    for slug, meta in shipped_stories():
        assert meta["example"] is True
        page.goto(site_server.url(f"stories/{slug}/"))
        banner = page.locator(".example-banner-head").first
        assert "invented, not a real account" in banner.inner_text()
        size = float(banner.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
        assert size >= 24  # large type: the first thing on the page
        body = page.locator("main").inner_text()
        assert body.index("invented, not a real account") < body.index(str(meta["title"]))
        draw_charts(page)
        assert page.locator("#story-target svg").count() == 1  # the chart draws


def test_a_story_shows_on_its_profile_its_indicator_pages_and_where_its_board_is_offered(
        js_context, site_server, shipped_site):
    page = js_context.new_page()
    for slug, meta in shipped_stories():
        href = f"stories/{slug}/"
        board = board_of(shipped_site, str(meta["board"]))
        profile_path = board["profile"]  # "ics/<slug>/"
        page.goto(site_server.url(profile_path))
        assert page.locator(f"section[aria-labelledby=stories] a[href$='{href}']").count() == 1
        for ind in meta["indicators"]:
            page.goto(site_server.url(f"indicators/{ind.replace('_', '-')}/"))
            assert page.locator(f"section[aria-labelledby=stories] a[href$='{href}']").count() == 1
        # where the board is offered as a system to learn from on one of the story's indicators: every profile
        # whose table of systems to learn from names the board on that indicator links the story beside it
        offered = 0
        for profile in sorted((shipped_site / "ics").glob("*/index.html")):
            html = profile.read_text(encoding="utf-8")
            if "What they did</th>" not in html or board["short_name"] not in html:
                continue
            page.goto(site_server.url(f"ics/{profile.parent.name}/"))
            for ind in meta["indicators"]:
                row = page.locator("table:has(caption:text('Systems to learn from')) tbody tr").filter(
                    has=page.locator(f"th a[href$='indicators/{ind.replace('_', '-')}/']"))
                offers = row.locator("td[data-label^='Similar systems'] a, td[data-label='Improving most'] a").filter(
                    has_text=board["short_name"])
                if row.count() and offers.count():
                    cell = row.locator("td[data-label='What they did']")
                    assert cell.locator(f"a[href$='{href}']").count() == 1, profile.parent.name
                    assert "Example, not a real account" in cell.inner_text()
                    offered += 1
        assert offered >= 1, f"{profile_path} is offered as a system to learn from nowhere"
