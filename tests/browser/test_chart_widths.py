"""Charts fit every screen: at 320, 375, 768 and 1280 px, on every page type with charts, no chart is wider than the
viewport (outside a labelled scroll region), every plot area is at least 250 px wide on a 375 px phone, and no two
of a chart's labels overlap (the rendered SVG's <text> boxes). Without JavaScript, a narrow screen is served the
phone image, which fits.

Each (page, width) is loaded once in its own context, charts awaited. Run with:
.venv/bin/python -m pytest -q tests/browser/test_chart_widths.py
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

BOARD = "birmingham-and-solihull"
# (id, path under the base URL): every page type that has charts
PAGES = [
    ("indicator", "indicators/ae-4hr/"),
    ("indicator-count", "indicators/ae-attendances/"),
    ("profile", f"ics/{BOARD}/"),
    ("embed-ranked", "indicators/ae-4hr/ranked/"),
    ("embed-tiles", "indicators/ae-4hr/tiles/"),
    ("embed-over-time", "indicators/ae-4hr/over-time/"),
    ("embed-spine", f"ics/{BOARD}/spine/"),
    ("embed-trend", f"ics/{BOARD}/trend-urgent_care/"),
]
WIDTHS = [320, 375, 768, 1280]
PHONE, MIN_PLOT = 375, 250
CHARTS_TIMEOUT_MS = 60_000

#: per chart: its id, the drawing's box, its plot areas' widths (each view's or panel's background), whether it
#: sits in a labelled scroll region, and every pair of its visible labels whose boxes overlap
MEASURE = """() => {
  const out = [];
  for (const figure of document.querySelectorAll("figure.chart[data-chart]")) {
    const svg = figure.querySelector(".chart-target svg");
    if (!svg) { out.push({id: figure.dataset.chart, missing: true}); continue; }
    const box = svg.getBoundingClientRect();
    const cells = [...svg.querySelectorAll("g.mark-group.cell > g > path.background")];
    const frames = cells.length ? cells : [...svg.querySelectorAll("g.mark-group.root > g > path.background")];
    const plots = frames.map((p) => p.getBoundingClientRect().width);
    const shown = (t) => t.textContent.trim() && [t, ...ancestors(t, svg)].every((e) =>
      getComputedStyle(e).opacity !== "0" && e.getAttribute("opacity") !== "0");
    const texts = [...svg.querySelectorAll("text")].filter(shown)
      .map((t) => ({text: t.textContent.trim(), box: t.getBoundingClientRect()}));
    const overlaps = [];
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++) {
        const a = texts[i].box, b = texts[j].box;
        const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (x > 1 && y > 1) overlaps.push(`${texts[i].text} / ${texts[j].text}`);
      }
    }
    let scroll = false;
    for (let e = svg.parentElement; e && e !== document.body; e = e.parentElement) {
      if (e.getAttribute("role") === "region" && e.getAttribute("aria-label") && e.scrollWidth > e.clientWidth) {
        scroll = true;
      }
    }
    out.push({id: figure.dataset.chart, left: box.left, right: box.right, plots, overlaps, scroll});
  }
  return {viewport: document.documentElement.clientWidth, charts: out};
  function ancestors(e, stop) {
    const up = [];
    for (let p = e.parentElement; p && p !== stop; p = p.parentElement) up.push(p);
    return up;
  }
}"""

#: each chart's static image as a narrow screen gets it (the source its <picture> chose) and its box
IMAGES = """() => [...document.querySelectorAll("figure.chart img.chart-image")].map((img) => ({
  id: img.id, src: img.currentSrc, right: img.getBoundingClientRect().right, complete: img.complete,
  natural: img.naturalWidth}))"""


def keep_local(context, site_server) -> None:
    """Abort any request to another host (as conftest.py's keep_local: conftest modules are not imported)."""
    local = site_server.origin + "/"
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(local) else route.abort())


@pytest.fixture(scope="module")
def measured(chromium, site_server, draw_charts):
    """measure(path, width): the charts of the page at `path` drawn in a viewport `width` px wide (once each)."""
    done: dict[tuple[str, int], dict] = {}

    def measure(path: str, width: int) -> dict:
        if (path, width) not in done:
            context = chromium.new_context(viewport={"width": width, "height": 900})
            keep_local(context, site_server)
            try:
                page = context.new_page()
                page.goto(site_server.url(path), wait_until="load")
                draw_charts(page, CHARTS_TIMEOUT_MS)
                page.wait_for_timeout(300)  # a resize-triggered redraw (charts.js waits 150 ms) settles
                done[path, width] = page.evaluate(MEASURE)
            finally:
                context.close()
        return done[path, width]

    return measure


def cases():
    return pytest.mark.parametrize("path,width", [(p, w) for _, p in PAGES for w in WIDTHS],
                                   ids=[f"{name}-{w}" for name, _ in PAGES for w in WIDTHS])


@cases()
def test_no_chart_is_wider_than_the_viewport(measured, path, width):
    found = measured(path, width)
    assert found["charts"], f"{path}: no chart found"
    wide = [f"{c['id']}: {c['left']:.0f}-{c['right']:.0f} px" for c in found["charts"]
            if not c.get("missing") and not c["scroll"] and (c["right"] > found["viewport"] + 0.5 or c["left"] < -0.5)]
    assert not wide, f"{path} at {width} px: charts outside the {found['viewport']} px viewport: {wide}"
    assert not [c["id"] for c in found["charts"] if c.get("missing")], f"{path} at {width} px: a chart was not drawn"


@cases()
def test_no_two_labels_overlap(measured, path, width):
    found = measured(path, width)
    overlapping = {c["id"]: c["overlaps"][:5] for c in found["charts"] if c.get("overlaps")}
    assert not overlapping, f"{path} at {width} px: labels print over each other: {overlapping}"


@pytest.mark.parametrize("path", [p for _, p in PAGES], ids=[name for name, _ in PAGES])
def test_every_plot_is_at_least_250_px_wide_on_a_phone(measured, path):
    found = measured(path, PHONE)
    narrow = {c["id"]: [round(w) for w in c["plots"]] for c in found["charts"]
              if not c.get("missing") and (not c["plots"] or min(c["plots"]) < MIN_PLOT)}
    assert not narrow, f"{path} at {PHONE} px: plot areas under {MIN_PLOT} px wide: {narrow}"


@pytest.mark.parametrize("width", [320, 375])
def test_without_javascript_a_phone_gets_the_phone_image_and_it_fits(chromium, site_server, width):
    context = chromium.new_context(viewport={"width": width, "height": 900}, java_script_enabled=False)
    keep_local(context, site_server)
    try:
        page = context.new_page()
        for path in ("indicators/ae-4hr/", f"ics/{BOARD}/"):
            page.goto(site_server.url(path), wait_until="load")
            for img in page.locator("img.chart-image").all():
                img.scroll_into_view_if_needed()
            page.wait_for_function("() => [...document.images].every((i) => i.complete)")
            images = page.evaluate(IMAGES)
            assert images, f"{path}: no chart image"
            for image in images:
                assert image["src"].endswith("-phone.svg"), f"{path} at {width} px: {image['id']} is {image['src']}"
                assert image["natural"] > 0, f"{path}: {image['src']} did not load"
                assert image["right"] <= width + 0.5, f"{path} at {width} px: {image['id']} ends at {image['right']}"
    finally:
        context.close()
