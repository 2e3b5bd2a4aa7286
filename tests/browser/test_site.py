"""Headless-Chromium checks of the built site, served under /ics-outcomes/: one page of each kind.

Each page is loaded once (JavaScript on, charts awaited) and shared by the tests below; the no-JavaScript check
uses its own context. Run with: .venv/bin/python -m pytest tests/browser -q
"""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.parse
import urllib.request

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
BASE_PATH = "/ics-outcomes/"  # as in conftest.py (not imported: conftest modules are not meant to be imported)

pytestmark = pytest.mark.browser

CURRENT_BOARD = "birmingham-and-solihull"  # open-ended, 2022 onwards
CLOSED_BOARD = "surrey-heartlands"  # valid_to 2026-03-31 (merged into Surrey and Sussex)
NEW_BOARD = "surrey-and-sussex"  # valid_from 2026-04-01

# (id, path under the base URL, has charts)
PAGES = [
    ("home", "", False),
    ("ics-index", "ics/", False),
    ("profile-current", f"ics/{CURRENT_BOARD}/", True),
    ("profile-closed", f"ics/{CLOSED_BOARD}/", True),
    ("profile-new", f"ics/{NEW_BOARD}/", True),
    ("indicators-index", "indicators/", False),
    ("indicator", "indicators/ae-4hr/", True),
    ("embed", "indicators/ae-4hr/ranked/", True),
    ("data-index", "data/", False),
    ("data-set", "data/urgent-emergency-care/", False),
    ("release", "data/urgent-emergency-care/1.0.0/", False),
    ("api", "api/", False),
    ("not-found", "404.html", False),
    ("search", "search/?q=Leeds", False),
    ("compare", "compare/", False),
    ("region", "regions/north-east-and-yorkshire/", False),
    ("peers", f"ics/{CURRENT_BOARD}/peers/", False),
    ("pack-current", f"ics/{CURRENT_BOARD}/pack/", False),  # the peer-challenge packs (issue 17)
    ("pack-closed", f"ics/{CLOSED_BOARD}/pack/", False),
    ("about", "about/", False),
    ("methodology", "methodology/", False),
    ("data-standard", "data-standard/", False),
    ("glossary", "glossary/", False),
    ("places", "places/tr/", False),
    ("postcodes", "postcodes/ls/", False),
    ("stories", "stories/", False),
    ("story", "stories/example-four-hour-flow/", True),
]
CHART_PAGES = [p for p in PAGES if p[2]]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
               "resultTypes": ["violations"]}  # resultTypes only trims the passes/incomplete lists: faster


def by_id(pages):
    return pytest.mark.parametrize("name,path,has_charts", pages, ids=[p[0] for p in pages])


def test_chosen_boards_match_the_areas_file():
    with open(REPO_ROOT / "datapackages" / "areas" / "areas.csv", newline="", encoding="utf-8") as f:
        areas = {row["slug"]: row for row in csv.DictReader(f) if row["type"] == "icb"}
    for slug in (CURRENT_BOARD, CLOSED_BOARD, NEW_BOARD):
        assert slug in areas, f"{slug} is not an ICB slug in areas.csv"
    assert areas[CURRENT_BOARD]["valid_to"] == ""
    assert areas[CLOSED_BOARD]["valid_to"] == "2026-03-31"
    assert areas[NEW_BOARD]["valid_from"].startswith("2026-")


@by_id(PAGES)
def test_loads_cleanly_from_the_local_server_only(visit, site_server, name, path, has_charts):
    v = visit(name, path)
    v.require_ok()
    problems = []
    if v.console_errors:
        problems.append("console errors:\n  " + "\n  ".join(v.console_errors))
    if v.page_errors:
        problems.append("page errors:\n  " + "\n  ".join(v.page_errors))
    if v.failed_responses:
        problems.append("failed responses:\n  " + "\n  ".join(v.failed_responses))
    foreign = sorted({u for u in v.requests
                      if not u.startswith(site_server.origin + "/") and urllib.parse.urlsplit(u).scheme
                      not in ("data", "blob")})
    if foreign:
        hosts = sorted({urllib.parse.urlsplit(u).netloc or u for u in foreign})
        problems.append(f"requests to other hosts ({', '.join(hosts)}):\n  " + "\n  ".join(foreign))
    outside = sorted({u for u in v.requests
                      if u.startswith(site_server.origin + "/") and not u.startswith(site_server.base_url)})
    if outside:
        problems.append(f"requests outside {BASE_PATH}:\n  " + "\n  ".join(outside))
    assert not problems, f"{v.url}\n" + "\n".join(problems)


@by_id(PAGES)
def test_charts_render(visit, name, path, has_charts):
    v = visit(name, path)
    v.require_ok()
    figures = v.page.evaluate("""() => [...document.querySelectorAll('figure.chart')].map(f => ({
        id: f.dataset.chart || null,
        rendered: f.dataset.rendered || null,
        svg: f.querySelector('.chart-target svg') !== null,
        imageHidden: (() => { const img = f.querySelector('img.chart-image');
                              return !img || (img.hidden && getComputedStyle(img).display === 'none'); })(),
    }))""")
    if not has_charts:
        assert not figures, f"{v.url} was expected to have no charts but has {len(figures)}"
        return
    assert figures, f"{v.url} has no figure.chart"
    assert v.charts_timeout is None, (
        f"{v.url}: body[data-charts] never became 'done' ({v.charts_timeout}); figures: {figures}")
    bad = [f for f in figures if f["rendered"] != "true" or not f["svg"] or not f["imageHidden"]]
    assert not bad, f"{v.url}: charts not drawn (data-rendered, svg in .chart-target): {bad}"


@by_id(PAGES)
def test_axe_finds_no_wcag_violations(visit, name, path, has_charts):
    from axe_playwright_python.sync_playwright import Axe

    v = visit(name, path)  # charts already awaited by the visit
    v.require_ok()
    violations = Axe().run(v.page, options=AXE_OPTIONS).response["violations"]
    lines = []
    for violation in violations:
        targets = [node["target"] for node in violation["nodes"][:3]]
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}; "
                     f"{len(violation['nodes'])} node(s), e.g. {targets}")
    assert not violations, f"{v.url}: {len(violations)} axe violation(s):\n  " + "\n  ".join(lines)


@by_id(CHART_PAGES)
def test_charts_degrade_without_javascript(no_js_context, site_server, name, path, has_charts):
    page = no_js_context.new_page()
    url = site_server.url(path)
    response = page.goto(url, wait_until="load")
    assert response and response.status == 200, f"{url} answered {response and response.status}"
    figures = page.locator("figure.chart")
    assert figures.count(), f"{url} has no figure.chart"
    problems = []
    for i in range(figures.count()):
        figure = figures.nth(i)
        label = figure.get_attribute("data-chart") or f"figure #{i + 1}"
        caption = figure.locator("figcaption")
        if not caption.count() or not caption.first.is_visible() or not caption.first.inner_text().strip():
            problems.append(f"{label}: no visible caption")
        description = figure.locator(".chart-description")
        if (not description.count() or not description.first.is_visible()
                or not description.first.inner_text().strip()):
            problems.append(f"{label}: no visible description")
        image = figure.locator("img.chart-image")
        if not image.count() or not image.first.is_visible():
            problems.append(f"{label}: no visible chart image")
        elif not image.first.evaluate("img => img.complete && img.naturalWidth > 0"):
            problems.append(f"{label}: the chart image did not load")
        if not figure.locator("table").count():
            # an embed page shows the image and links to the table on the chart's own page (one copy of it)
            linked = figure.locator(".chart-data-link a[href*='#']")
            if not (name == "embed" and linked.count() and linked.first.is_visible()):
                problems.append(f"{label}: no data table")
        elif not figure.locator("table tbody tr").count():
            problems.append(f"{label}: data table has no body rows")
    assert not problems, f"{url} without JavaScript:\n  " + "\n  ".join(problems)


_link_status: dict[str, str] = {}


def _fetch(url: str) -> str:
    """'200' or the error, cached for the session."""
    if url not in _link_status:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                response.read()
                _link_status[url] = str(response.status)
        except urllib.error.HTTPError as err:
            _link_status[url] = str(err.code)
        except (urllib.error.URLError, OSError) as err:
            _link_status[url] = f"error: {err}"
    return _link_status[url]


@by_id(PAGES)
def test_internal_links_resolve(visit, site_server, name, path, has_charts):
    v = visit(name, path)
    v.require_ok()
    links = v.page.evaluate("""() => [...document.querySelectorAll('a[href]')].map(a => {
        const href = a.getAttribute('href');
        const id = href.startsWith('#') && href.length > 1 ? decodeURIComponent(href.slice(1)) : null;
        return {href, samePageTargetExists: id === null ? null : document.getElementById(id) !== null};
    })""")
    broken = []
    checked = set()
    for link in links:
        href = link["href"].strip()
        split = urllib.parse.urlsplit(href)
        if split.scheme or split.netloc:  # absolute URL: internal only if it is this server
            if not href.startswith(site_server.base_url):
                continue  # another host (or mailto: etc.): allowed in content, never loaded
        if link["samePageTargetExists"] is False:
            broken.append(f"{href!r}: no element with that id on the page")
        target = urllib.parse.urldefrag(urllib.parse.urljoin(v.url, href)).url
        if target in checked:
            continue
        checked.add(target)
        status = _fetch(target)
        if status != "200":
            broken.append(f"{href!r} -> {target}: {status}")
    assert not broken, f"{v.url}: {len(broken)} broken internal link(s):\n  " + "\n  ".join(broken)


@by_id(PAGES)
def test_page_structure(visit, name, path, has_charts):
    v = visit(name, path)
    v.require_ok()
    facts = v.page.evaluate("""() => ({
        h1: document.querySelectorAll('h1').length,
        main: document.querySelectorAll('main, [role="main"]').length,
        lang: document.documentElement.getAttribute('lang'),
    })""")
    problems = []
    if facts["h1"] != 1:
        problems.append(f"{facts['h1']} h1 elements, expected exactly 1")
    if facts["main"] != 1:
        problems.append(f"{facts['main']} main landmarks, expected exactly 1")
    if not (facts["lang"] or "").strip():
        problems.append("html has no lang attribute")
    focus = v.first_focus
    if name == "embed":
        pass  # a chart alone for an iframe has no repeated blocks to skip (WCAG 2.4.1): no skip link needed
    elif not focus:
        problems.append("nothing takes focus on the first Tab")
    elif focus["tag"] != "a" or not (focus["href"] or "").startswith("#") or len(focus["href"]) < 2:
        problems.append(f"the first focusable element is not a skip link: {focus}")
    elif not focus["targetExists"]:
        problems.append(f"the skip link's target {focus['href']} does not exist")
    assert not problems, f"{v.url}:\n  " + "\n  ".join(problems)


def test_embed_page_renders_alone_in_an_iframe(chromium, site_server):
    """A page on another origin-less document embeds one chart page in an iframe; the chart draws inside it."""
    host = site_server.root / "iframe-test.html"
    host.write_text('<!DOCTYPE html><html lang="en"><title>host</title><link rel="icon" href="data:,"><iframe id="f" title="chart" width="900" '
                    'height="700" src="indicators/ae-4hr/ranked/"></iframe></html>', encoding="utf-8")
    context = chromium.new_context()
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(site_server.url("iframe-test.html"))
        frame = page.frame_locator("#f")
        frame.locator("figure.chart[data-rendered='true'] .chart-target svg").wait_for(timeout=20000)
        inner = page.frames[1]
        assert inner.locator("h1").inner_text().startswith("A&E")
        assert inner.locator("header, nav").count() == 0  # the chart alone: no site navigation
        assert "Licence" in inner.locator(".embed-credit").inner_text()
        assert errors == []
    finally:
        context.close()
        host.unlink()


def page_kind(path: str) -> str:
    """A page's kind, from its address with the names of systems and indicators taken out: "ics/*/",
    "ics/*/spine/" (an embed page), "indicators/*/", "compare/region/*/"..."""
    parts = path.split("/")
    if parts[0] in ("ics", "indicators") and len(parts) > 1:
        parts[1] = "*"
    elif parts[0] == "compare" and len(parts) > 2:
        parts[2] = "*"
    return "/".join(parts) + "/"


CHART_STATES = """() => [...document.querySelectorAll('figure.chart')].map(f =>
    [f.dataset.chart, f.dataset.rendered === 'true' && f.querySelector('.chart-target svg') !== null])"""

# Draws each spec in turn with vega-embed into a fresh element, as charts.js does, and says which drew no SVG.
DRAW_EACH = """async (urls) => {
  const failed = [];
  for (const url of urls) {
    const target = document.createElement('div');
    target.style.width = '640px';
    document.body.append(target);
    try {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const result = await vegaEmbed(target, await response.json(), {renderer: 'svg', actions: false});
      if (!target.querySelector('svg .mark-group, svg g')) failed.push(`${url}: nothing drawn`);
      result.finalize();
    } catch (error) {
      failed.push(`${url}: ${error}`);
    }
    target.remove();
  }
  return failed;
}"""


def recorded_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    return errors


def test_every_chart_on_every_page_renders(js_context, site_server, draw_charts):
    """Every chart of the site draws interactively with no console error or warning, and every kind of page that
    has charts draws all of them.

    Each page's charts are Vega-Lite specs in files beside the page (a static test checks that every figure names
    one that exists), so every spec file is drawn with vega-embed in one page, in turn, as charts.js draws it; and
    one page of each kind (a profile, an indicator, an embed page of each chart, a comparison, ...) is loaded whole,
    so the wiring of figures, specs and the script is checked on every kind of page. Walking all 250-odd pages
    one by one took five minutes on a busy two-core machine for the same coverage of the specs.
    """
    root = site_server.root
    pages = sorted(p.parent.relative_to(root).as_posix()
                   for p in root.rglob("index.html") if 'data-chart="' in p.read_text(encoding="utf-8"))
    assert len(pages) > 250, f"only {len(pages)} pages with charts: the walk is not seeing the site"
    kinds: dict[str, str] = {}
    for path in pages:
        kinds.setdefault(page_kind(path), path)
    page = js_context.new_page()
    errors = recorded_errors(page)
    failures, drawn = [], 0
    for path in kinds.values():
        page.goto(site_server.url(path + "/"), wait_until="load")
        draw_charts(page)
        states = page.evaluate(CHART_STATES)
        failures += [f"{path}: {chart_id}" for chart_id, ok in states if not ok]
        drawn += len(states)
    assert {"ics/*/", "indicators/*/", "ics/*/spine/", "indicators/*/ranked/"} <= set(kinds) and drawn > 20, (
        f"{len(kinds)} kinds of page with {drawn} charts: {sorted(kinds)}")
    specs = sorted(site_server.url(p.relative_to(root).as_posix()) for p in root.rglob("*.vl.json"))
    assert len(specs) > 500, f"only {len(specs)} chart specs"
    failures += page.evaluate(DRAW_EACH, specs)
    assert not failures, f"{len(failures)} chart(s) not drawn: {failures[:20]}"
    assert not errors, f"{len(errors)} console error(s) or warning(s): {errors[:20]}"


def test_any_ics_can_be_highlighted_on_the_over_time_chart(visit):
    """The list under the over-time chart picks an ICS; its line is then drawn on top in the highlight colour."""
    v = visit("indicator", "indicators/ae-4hr/")
    v.require_ok()
    page = v.page
    select = page.get_by_label("Highlight an ICS")
    assert select.count() == 1, "the over-time chart has no labelled list of ICSs"
    options = select.locator("option").all_inner_texts()
    assert options[0] == "None" and "Birmingham and Solihull" in options and len(options) > 40
    highlighted = "figure[data-chart='over-time'] .chart-target path[stroke='#D55E00'][opacity='1']"
    assert page.locator(highlighted).count() == 0
    select.select_option(label="Birmingham and Solihull")
    page.wait_for_function(f"() => document.querySelectorAll(\"{highlighted}\").length > 0", timeout=5000)
    select.focus()
    assert page.evaluate("() => document.activeElement.tagName") == "SELECT"  # reachable by keyboard


@pytest.mark.parametrize("query,expected", [("Manchester", "ics/greater-manchester/"),
                                            ("Leeds", "ics/west-yorkshire/"),  # a city, not an ICS's name
                                            ("A&E", "indicators/ae-4hr/")])
def test_search_finds_systems_places_and_indicators(js_context, site_server, query, expected):
    """The header's search box, on any page, leads to the right page among the first results."""
    page = js_context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(site_server.url("indicators/"))
    page.get_by_label("Search ICSs, places and indicators").fill(query)
    page.get_by_role("button", name="Search").first.click()
    page.wait_for_function("() => document.body.dataset.search === 'done'", timeout=15_000)
    hrefs = [a.get_attribute("href") for a in page.locator("#search-list a").all()[:5]]
    assert BASE_PATH + expected in hrefs, f"{query}: first results {hrefs}"
    page.click(f"#search-list a[href='{BASE_PATH + expected}']")
    page.wait_for_load_state("load")
    assert page.url == site_server.url(expected) and not errors


def test_search_without_javascript_lists_every_system_with_its_places(no_js_context, site_server):
    page = no_js_context.new_page()
    page.goto(site_server.url("search/?q=Leeds"))
    item = page.locator("li", has_text="Leeds").first
    assert item.locator("a").get_attribute("href") == "../ics/west-yorkshire/"


def test_compare_page_shows_two_chosen_systems(js_context, site_server):
    page = js_context.new_page()
    page.goto(site_server.url("compare/"))
    page.get_by_label("System 1").select_option(label="West Yorkshire")
    page.get_by_label("System 2").select_option(label="Greater Manchester")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_function("() => document.body.dataset.compare === 'done'", timeout=15_000)
    headers = page.locator("#compare-result th[scope=col]").all_inner_texts()
    assert headers[-2:] == ["West Yorkshire", "Greater Manchester"]
    row = page.locator("#compare-result tr", has=page.locator("a", has_text="A&E: % of attendances admitted"))
    cells = row.locator("td").all_inner_texts()
    assert len(cells) == 3 and all(c and c != "–" for c in cells[1:]), cells
    assert "ics=" in page.url  # the choice is in the address, to share
    # the address alone brings the same comparison back
    again = js_context.new_page()
    again.goto(page.url)
    again.wait_for_function("() => document.body.dataset.compare === 'done'", timeout=15_000)
    assert again.locator("#compare-result th[scope=col]").all_inner_texts()[-2:] == headers[-2:]


#: the elements that reach past the right edge of a `width`-px viewport and are not inside a labelled scroll region
#: (an element with role="region", a label and overflow-x auto or scroll, which WCAG 1.4.10 allows for data tables)
OUTSIDE_SCROLL_REGIONS = """(width) => {
  const inRegion = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (/auto|scroll/.test(style.overflowX) && p.getAttribute('role') === 'region'
          && (p.getAttribute('aria-label') || p.getAttribute('aria-labelledby'))) return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.height > 0 && box.right > width + 1 && !inRegion(el)) {
      out.push(`${el.tagName.toLowerCase()}.${el.getAttribute('class') || ''} (right edge ${Math.round(box.right)})`);
    }
  }
  return out.slice(0, 5);
}"""


@pytest.mark.parametrize("width", [320, 375, 768, 1280])
def test_no_content_wider_than_the_screen_outside_a_labelled_scroll_region(chromium, site_server, draw_charts, width):
    """WCAG 1.4.10 reflow, on every page type from a 320 px phone to a desktop: the page itself never scrolls
    sideways, and nothing reaches past the screen's edge but inside a labelled scroll region (wide tables scroll
    inside their own focusable region, which the criterion allows for data tables). At 320 px the interactive charts
    are drawn first; at the other widths the pages are as they load (static chart images), and
    tests/browser/test_chart_widths.py measures the drawn charts there."""
    context = chromium.new_context(viewport={"width": width, "height": 800})
    problems = []
    try:
        page = context.new_page()
        for _, path, has_charts in PAGES:
            page.goto(site_server.url(path), wait_until="load")
            if has_charts and width == 320:
                draw_charts(page)
            page_width = page.evaluate("() => document.documentElement.scrollWidth")
            outside = page.evaluate(OUTSIDE_SCROLL_REGIONS, width)
            if page_width > width or outside:
                problems.append(f"{path}: {page_width} px wide; outside a scroll region: {outside}")
    finally:
        context.close()
    assert problems == []


def test_keyboard_reaches_search_chart_tables_and_downloads(js_context, site_server, draw_charts):
    """Tab alone reaches the search box, a chart's data table and the downloads of an indicator page."""
    page = js_context.new_page()
    page.goto(site_server.url("indicators/ae-4hr/"))
    draw_charts(page)
    reached = set()
    for _ in range(400):
        page.keyboard.press("Tab")
        info = page.evaluate("""() => { const e = document.activeElement;
            return [e.id || '', e.tagName, (e.textContent || '').trim().slice(0, 60), e.getAttribute('href') || '']; }""")
        if info[0] == "site-search":
            reached.add("search")
        if info[1] == "SUMMARY" and info[2].startswith("Show the data as a table"):
            reached.add("table")
            page.keyboard.press("Enter")  # opens it: the table's scroll region is next in the tab order
        if info[1] == "DIV" and page.evaluate("() => document.activeElement.classList.contains('table-scroll')"):
            reached.add("table region")
        if info[3].endswith((".csv", ".xlsx")):
            reached.add("download")
        if reached >= {"search", "table", "table region", "download"}:
            break
    assert reached >= {"search", "table", "table region", "download"}, reached


def test_latest_leads_to_the_current_release_with_and_without_javascript(js_context, no_js_context, site_server):
    """data/<package>/latest/ is a page that leads to the current release's permanent address (a meta refresh, which
    a browser follows with or without JavaScript, and a plain link), not a copy of its files."""
    current = json.loads((REPO_ROOT / "datapackages" / "urgent-emergency-care" / "datapackage.json").read_text(
        encoding="utf-8"))["version"]
    latest = site_server.root / "data" / "urgent-emergency-care" / "latest"
    assert [p.name for p in latest.iterdir()] == ["index.html"]
    assert f'<a href="../{current}/">' in (latest / "index.html").read_text(encoding="utf-8")
    for context in (js_context, no_js_context):
        page = context.new_page()
        page.goto(site_server.url("data/urgent-emergency-care/latest/"))
        page.wait_for_url(f"**/data/urgent-emergency-care/{current}/", timeout=10000)
        assert page.locator("h1").inner_text().endswith(f"version {current}")
        page.close()


def test_official_and_illustrative_indicators_say_which_they_are(js_context, site_server):
    """A real indicator and a generated one, as a reader sees them: the label under the title, every chart's
    caption, the chart embedded alone, and the downloadable data."""
    page = js_context.new_page()
    for path, tag, caption, flag in (("indicators/emergency-admissions-0-4/", "Official statistics",
                                      "(official statistics)", "false"),
                                     ("indicators/ae-12hr-from-arrival/", "Illustrative values",
                                      "(illustrative values)", "true")):
        page.goto(site_server.url(path))
        assert page.locator(".tag-line .tag").first.inner_text() == tag
        captions = [c for c in page.locator("figcaption").all_inner_texts() if "over time" in c or "every ICS" in c]
        assert len(captions) >= 2 and all(c.endswith(caption) for c in captions), captions
        page.goto(site_server.url(path + "ranked/"))
        assert page.locator(".tag-line .tag").first.inner_text() == tag
        data = page.request.get(site_server.url(path + path.split("/")[1].replace("-", "_") + "-latest.csv")).text()
        rows = list(csv.DictReader(io.StringIO(data)))
        assert rows and {r["illustrative"] for r in rows} == {flag}
