"""Find your ICS from where you live, in Chromium: each of the six queries of issue 16 leads to the right ICS
within two steps from a page's search box, with JavaScript (the results of the search page, from the sharded place
index) and without (the lists the search page links: places by first letters, postcode areas, councils).

The bytes each query fetches from the place index are measured and printed (run with -s to see them).
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

BASE_PATH = "/ics-outcomes/"  # as in conftest.py
# query, the ICS it leads to, the link the search page (no JavaScript) leads through, the row's name on that page
QUERIES = [
    ("Truro", "ics/cornwall-and-the-isles-of-scilly/", "Tr", "Truro"),
    ("Harrogate", "ics/humber-and-north-yorkshire/", "Ha", "Harrogate"),
    ("LS1", "ics/west-yorkshire/", "LS", "LS1"),
    ("LS1 4AP", "ics/west-yorkshire/", "LS", "LS1"),
    ("Guildford", "ics/surrey-and-sussex/", "Gu", "Guildford"),
    ("Leeds council", "ics/west-yorkshire/", "Councils A to Z", "Leeds"),
]
MEASURED: dict[str, dict] = {}
#: a result: name, kind (and postcode district), then each council (and share) and its ICS(s), with spaces
ROW = re.compile(r"^.+ (?:city|town|suburb|village|hamlet|settlement|council|postcode district)(?:, [A-Z0-9]+)? · "
                 r"(?:.+ council(?: \([0-9]+%\))?: )?ICS [A-Z]")


def search_from_header(page, site_server, query: str) -> None:
    """Step 1: type the query into the header's search box of another page and submit it."""
    page.goto(site_server.url("indicators/"))
    page.get_by_label("Search ICSs, places and indicators").fill(query)
    page.get_by_role("button", name="Search").first.click()
    page.wait_for_load_state("load")
    assert "search/?q=" in page.url


@pytest.mark.parametrize("query,expected,_link,_name", QUERIES, ids=[q[0] for q in QUERIES])
def test_each_query_leads_to_its_ics_with_javascript(js_context, site_server, query, expected, _link, _name):
    page = js_context.new_page()
    errors, fetched = [], {}
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: fetched.__setitem__(r.url.rsplit("/", 1)[1], len(r.body()))
            if "/places/find/" in r.url else None)
    search_from_header(page, site_server, query)
    page.wait_for_function("() => document.body.dataset.search === 'done'", timeout=15_000)
    rows = page.locator("#place-list > li")
    texts = rows.all_inner_texts()
    assert texts, f"{query}: no place found; status: {page.inner_text('#search-status')}"
    assert len(texts) == len(set(texts)), f"{query}: a result repeats: {texts}"
    for text in texts:  # words never run together: "Cornwall council: ICS Cornwall ..."
        assert ROW.match(text) and not re.search(r"[a-z]ICS|ICS[A-Z]|council[A-Z]|\)[0-9]", text), text
    first = rows.first
    link = first.locator("a").first
    assert link.get_attribute("href") == BASE_PATH + expected, f"{query}: first result {texts[0]}"
    if query == "Guildford":  # the current board first, the earlier ones marked closed
        assert "ICS Surrey and Sussex; earlier Surrey Heartlands (closed 31 March 2026) 86%" in texts[0]
    if query == "Leeds council":  # the council first, then a choice of the places called Leeds
        assert texts[0].startswith("Leeds council") and any("Maidstone council" in t for t in texts)
    link.click()  # step 2
    page.wait_for_load_state("load")
    assert page.url == site_server.url(expected) and not errors
    MEASURED[query] = fetched
    print(f"\n{query!r}: {expected} in 2 steps with JavaScript; place index fetched: {fetched} "
          f"({sum(fetched.values())} bytes)")
    assert "index.json" in fetched and len(fetched) == 2 and sum(fetched.values()) < 60_000, fetched


@pytest.mark.parametrize("query,expected,via,name", QUERIES, ids=[q[0] for q in QUERIES])
def test_each_query_leads_to_its_ics_without_javascript(no_js_context, site_server, query, expected, via, name):
    page = no_js_context.new_page()
    search_from_header(page, site_server, query)
    page.get_by_role("link", name=via, exact=True).first.click()  # step 1 from the search page
    page.wait_for_load_state("load")
    row = page.locator("li", has=page.locator("strong", has_text=re.compile(f"^{name}$"))).first
    assert row.count(), f"{query}: no row named {name} on {page.url}"
    link = row.locator("a").first
    print(f"\n{query!r} without JavaScript: search page -> {via} -> {row.inner_text()}")
    link.click()  # step 2
    page.wait_for_load_state("load")
    assert page.url == site_server.url(expected)


def test_results_come_as_you_type(js_context, site_server):
    page = js_context.new_page()
    page.goto(site_server.url("search/"))
    page.locator("#search-page-q").press_sequentially("Harrog", delay=30)
    page.wait_for_function("() => document.querySelector('#place-list li strong')?.textContent === 'Harrogate'",
                           timeout=15_000)
    assert "q=Harrog" in page.url  # the address keeps the query, to share or come back to


def test_a_name_several_places_share_offers_a_choice(js_context, no_js_context, site_server):
    page = js_context.new_page()
    page.goto(site_server.url("search/?q=Leeds"))
    page.wait_for_function("() => document.body.dataset.search === 'done'", timeout=15_000)
    texts = page.locator("#place-list > li").all_inner_texts()
    assert texts[0].startswith("Leeds city, LS1 · Leeds council: ICS West Yorkshire")
    assert "Leeds village, ME17 · Maidstone council: ICS Kent and Medway" in texts
    static = no_js_context.new_page()
    static.goto(site_server.url("places/le/"))
    rows = static.locator("li", has=static.locator("strong", has_text=re.compile("^Leeds$"))).all_inner_texts()
    assert [r.split(" · ")[0] for r in rows] == ["Leeds city, LS1", "Leeds village, ME17"]


@pytest.mark.parametrize("path", ["places/tr/", "postcodes/ls/", "places/councils/", "search/?q=Guildford"])
def test_place_pages_pass_axe_and_fit_a_phone(chromium, site_server, path):
    from axe_playwright_python.sync_playwright import Axe

    context = chromium.new_context(viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        page.goto(site_server.url(path), wait_until="load")
        if "?q=" in path:
            page.wait_for_function("() => document.body.dataset.search === 'done'", timeout=15_000)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
        options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
                   "resultTypes": ["violations"]}
        violations = Axe().run(page, options=options).response["violations"]
        assert not violations, [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in violations]
    finally:
        context.close()


def test_page_results_keep_words_apart_and_mark_closed_boards(js_context, site_server):
    """Pagefind's excerpts keep a label and its value apart ("Population 1,096,733"), and a closed board's profile
    says it is closed, so two boards of one name are told apart."""
    page = js_context.new_page()
    page.goto(site_server.url("search/?q=Surrey+Heartlands+population"))
    page.wait_for_function("() => document.body.dataset.search === 'done'", timeout=15_000)
    texts = page.locator("#search-list > li").all_inner_texts()
    assert texts and not any(re.search(r"Population[0-9]", t) for t in texts), texts
    heartlands = [t.split("\n")[0] for t in texts if t.startswith("Surrey Heartlands")]
    assert len(heartlands) == len(set(heartlands)) >= 2 and all("closed" in t for t in heartlands), heartlands
