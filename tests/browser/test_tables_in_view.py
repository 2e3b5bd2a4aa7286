"""Side-by-side tables keep the indicator and England in view (issue 16, item 4): on the compare, peers and region
pages, from a 320 px phone to a desktop, with and without JavaScript.

Each table sits in a labelled, keyboard-focusable scroll region; its first two columns (the indicator, England) stay
where they are when the region is scrolled to its far right end; and nothing on the page is wider than the viewport
outside such a region. The compare page's England column shows England's values from the static API.
"""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.browser

ENGLAND = "E92000001"
KENT, WEST_YORKSHIRE, GREATER_MANCHESTER, CHESHIRE = "E54000032", "E54000054", "E54000057", "E54000008"
COMPARE = "compare/?" + "&".join(f"ics={c}" for c in (KENT, WEST_YORKSHIRE, GREATER_MANCHESTER, CHESHIRE))
PAGES = [("compare", COMPARE), ("peers", "ics/kent-and-medway/peers/"), ("region", "regions/midlands/")]
WIDTHS = [320, 375, 768, 1280]

#: for each side-by-side table: its scroll region's labels, whether England (2nd column) and the indicator (1st)
#: are inside the region's visible box before and after scrolling it to the far right, and what pokes out of the
#: viewport outside any labelled region
MEASURE = """() => {
  const vw = document.documentElement.clientWidth;
  const box = (el) => el.getBoundingClientRect();
  const inside = (el, region) => { const b = box(el), r = box(region);
                                   return b.left >= r.left - 1 && b.right <= Math.min(r.right, vw) + 1; };
  const tables = [...document.querySelectorAll('main table.side-by-side')].map((table) => {
    const region = table.closest('.table-scroll');
    const heads = [...table.querySelectorAll('thead th')];
    const out = {role: region.getAttribute('role'), label: region.getAttribute('aria-label'),
                 tabindex: region.getAttribute('tabindex'), columns: heads.map((h) => h.textContent.trim()),
                 scrolls: region.scrollWidth > region.clientWidth, before: inside(heads[1], region)};
    region.scrollLeft = region.scrollWidth;
    out.scrolled = region.scrollLeft;
    out.after = [inside(heads[0], region), inside(heads[1], region)];
    const cell = table.querySelector('tbody tr > :nth-child(2)');
    out.cellAfter = inside(cell, region);
    region.scrollLeft = 0;
    return out;
  });
  const outside = [...document.body.querySelectorAll('*')].filter((el) => {
    if (el.closest('[role=region][aria-label][tabindex="0"]')) return false;
    const b = box(el);
    return b.width > 0 && (b.right > vw + 0.5 || (b.left < -0.5 && b.right > 0));  // a skip link waits off-screen
  }).map((el) => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') + ' ' + Math.round(box(el).right));
  return {vw, doc: document.documentElement.scrollWidth, tables, outside: outside.slice(0, 5)};
}"""


def new_context(chromium, site_server, width: int, javascript: bool = True):
    context = chromium.new_context(viewport={"width": width, "height": 800}, java_script_enabled=javascript)
    local = site_server.origin + "/"  # other hosts are aborted: the tests never touch the network
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(local) else route.abort())
    return context


def measured(chromium, site_server, path: str, width: int, javascript: bool = True) -> dict:
    context = new_context(chromium, site_server, width, javascript)
    try:
        page = context.new_page()
        page.goto(site_server.url(path), wait_until="load")
        if javascript and path.startswith("compare/"):
            page.wait_for_function("() => document.body.dataset.compare === 'done'", timeout=15_000)
        return page.evaluate(MEASURE)
    finally:
        context.close()


def check(result: dict, where: str) -> None:
    assert result["doc"] <= result["vw"], f"{where}: the page is {result['doc']} px wide"
    assert not result["outside"], f"{where}: wider than the viewport outside a labelled region: {result['outside']}"
    assert result["tables"], f"{where}: no side-by-side table"
    for t in result["tables"]:
        assert (t["role"], t["tabindex"]) == ("region", "0") and t["label"], f"{where}: {t['label']!r}"
        assert t["columns"][1] == "England", f"{where}: {t['columns']}"
        assert t["before"], f"{where}, {t['label']}: England is not in view"
        assert t["after"] == [True, True] and t["cellAfter"], (
            f"{where}, {t['label']}: scrolled {t['scrolled']} px, the indicator and England columns left view")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name,path", PAGES, ids=[p[0] for p in PAGES])
def test_indicator_and_england_stay_in_view(chromium, site_server, name, path, width):
    result = measured(chromium, site_server, path, width)
    check(result, f"{name} at {width} px")
    if width <= 375:  # on a phone the systems do not fit: the region scrolls, the two first columns stay
        assert all(t["scrolls"] and t["scrolled"] > 0 for t in result["tables"]), name


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("name,path", PAGES[1:], ids=[p[0] for p in PAGES[1:]])
def test_the_same_without_javascript(chromium, site_server, name, path, width):
    check(measured(chromium, site_server, path, width, javascript=False), f"{name} at {width} px, no JavaScript")


def test_compare_page_without_javascript_fits_and_offers_the_ready_made_tables(chromium, site_server):
    context = new_context(chromium, site_server, 320, javascript=False)
    try:
        page = context.new_page()
        page.goto(site_server.url(COMPARE), wait_until="load")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
        assert page.locator("a[href$='ics/kent-and-medway/peers/']").count() == 1
    finally:
        context.close()


def test_compare_page_shows_englands_values_from_the_data(js_context, site_server):
    page = js_context.new_page()
    page.goto(site_server.url(COMPARE))
    page.wait_for_function("() => document.body.dataset.compare === 'done'", timeout=15_000)
    area = json.loads((site_server.root / "api" / "v1" / "areas" / f"{ENGLAND}.json").read_text(encoding="utf-8"))
    indicators = json.loads((site_server.root / "api" / "v1" / "indicators.json").read_text(encoding="utf-8"))
    england = {row[area["columns"].index("indicator_id")]: row for row in area["rows"]}
    shown = page.evaluate("""() => [...document.querySelectorAll('#compare-result tbody tr')].map((tr) =>
        [tr.querySelector('th a').getAttribute('href'), tr.children[1].textContent])""")
    assert shown, "no rows"
    by_page = {ind["page"]: ind for ind in indicators["indicators"]}
    checked = 0
    for href, text in shown:
        ind = by_page[href.removeprefix("../")]
        row = england.get(ind["id"])
        value = None if row is None else row[area["columns"].index("value")]
        expected = "–" if row is None else "Suppressed" if value is None else f"{value:,.{ind['decimals']}f}"
        assert text == expected, (ind["id"], text, expected)
        checked += value is not None
    assert checked >= 10, "England has a value on at least ten of the compared indicators"


def test_scroll_region_scrolls_from_the_keyboard(chromium, site_server):
    context = new_context(chromium, site_server, 375)
    try:
        page = context.new_page()
        page.goto(site_server.url("regions/midlands/"), wait_until="load")
        region = page.locator("main .table-scroll[role=region]").first
        region.focus()
        assert page.evaluate("() => document.activeElement.getAttribute('role')") == "region"
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.activeElement.scrollLeft > 0", timeout=5_000)
    finally:
        context.close()
