"""Fixtures for the browser tests: serve the shipped site (tests/conftest.py) under a sub-path, drive Chromium.

The site is built in-process with ``--base-url /ics-outcomes/`` and served by a ThreadingHTTPServer that maps
``/ics-outcomes/...`` to the built folder and answers 404 for anything else, so a link or asset that forgets the
base path fails here just as it would on GitHub project pages.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import sys
import threading
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

BASE_PATH = "/ics-outcomes/"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
CHARTS_TIMEOUT_MS = 20_000

#: charts.js draws a chart only when it comes near the viewport, so a test that needs every chart drawn scrolls to
#: each in turn, as a reader would, and waits until it is drawn (or has failed: data-rendered="error"), then goes
#: back to the top of the page. The deadline is for all of them.
SCROLL_THROUGH_CHARTS = """async (timeout) => {
  const until = Date.now() + timeout;
  for (const figure of document.querySelectorAll("figure.chart[data-chart]")) {
    figure.scrollIntoView({block: "center"});
    while (!figure.dataset.rendered && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  window.scrollTo(0, 0);
}"""


def draw_every_chart(page, timeout_ms: int = CHARTS_TIMEOUT_MS) -> None:
    """Brings every chart of the page into view in turn and waits until charts.js says all are drawn
    (body[data-charts="done"]); raises playwright's TimeoutError if that does not happen within `timeout_ms`."""
    page.evaluate(SCROLL_THROUGH_CHARTS, timeout_ms)
    page.wait_for_function("() => document.body.dataset.charts === 'done'", timeout=timeout_ms)


@pytest.fixture(scope="session")
def draw_charts():
    """draw_charts(page[, timeout_ms]): every chart of a loaded page drawn (draw_every_chart), for test modules,
    which do not import conftest."""
    return draw_every_chart


class SubPathHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site folder under BASE_PATH only; every other path is a 404. Logs nothing."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css",
                      ".json": "application/json", ".csv": "text/csv", ".svg": "image/svg+xml"}

    def _under_base(self) -> bool:
        path = urllib.parse.urlsplit(self.path).path
        return path == BASE_PATH.rstrip("/") or path.startswith(BASE_PATH)

    def do_GET(self):  # noqa: N802 (http.server's naming)
        if not self._under_base():
            self.send_error(404, "Outside the site's base path")
            return
        super().do_GET()

    def do_HEAD(self):  # noqa: N802
        if not self._under_base():
            self.send_error(404, "Outside the site's base path")
            return
        super().do_HEAD()

    def translate_path(self, path: str) -> str:
        # self.path keeps the prefix (so directory redirects stay under BASE_PATH); only the file lookup drops it.
        split = urllib.parse.urlsplit(path)
        local = split.path[len(BASE_PATH.rstrip("/")):] or "/"
        return super().translate_path(urllib.parse.urlunsplit(("", "", local, split.query, split.fragment)))

    def log_message(self, format, *args):  # noqa: A002 (signature fixed by http.server)
        pass


@dataclass
class SiteServer:
    root: Path
    origin: str  # e.g. http://127.0.0.1:12345
    base_url: str  # origin + BASE_PATH

    def url(self, path: str) -> str:
        return self.base_url + path.lstrip("/")


@pytest.fixture(scope="session")
def built_site(shipped_site) -> Path:
    """The shipped site (built once per session: tests/conftest.py)."""
    return shipped_site


@pytest.fixture(scope="session")
def site_server(built_site):
    handler = functools.partial(SubPathHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    origin = f"http://{host}:{port}"
    try:
        yield SiteServer(root=built_site, origin=origin, base_url=origin + BASE_PATH)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def keep_local(context, site_server: SiteServer) -> None:
    """Abort any request to another host, so the tests never touch the network (the request is still recorded)."""
    local = site_server.origin + "/"
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(local) else route.abort())


@pytest.fixture
def js_context(chromium, site_server):
    """A fresh context with JavaScript on (and other hosts blocked)."""
    context = chromium.new_context()
    keep_local(context, site_server)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def no_js_context(chromium, site_server):
    """A fresh context with JavaScript disabled (and other hosts blocked)."""
    context = chromium.new_context(java_script_enabled=False)
    keep_local(context, site_server)
    try:
        yield context
    finally:
        context.close()


@dataclass
class Visit:
    """One page loaded with JavaScript on, charts awaited, and everything it did recorded."""

    name: str
    url: str
    context: object = None
    page: object = None
    status: int | None = None
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed_responses: list[str] = field(default_factory=list)
    first_focus: dict | None = None
    charts_timeout: str | None = None

    def require_ok(self) -> None:
        if self.status != 200:
            pytest.fail(f"{self.url} answered HTTP {self.status}, not 200", pytrace=False)


@pytest.fixture(scope="session")
def visit(chromium, site_server):
    """visit(name, path) loads the page once per session (one context per page) and returns its Visit."""
    visits: dict[str, Visit] = {}

    def load(name: str, path: str) -> Visit:
        if name in visits:
            return visits[name]
        v = Visit(name=name, url=site_server.url(path))
        visits[name] = v
        v.context = chromium.new_context()
        keep_local(v.context, site_server)
        v.page = page = v.context.new_page()
        page.on("console", lambda msg: v.console_errors.append(f"{msg.text} (at {msg.location.get('url')}:"
                                                                 f"{msg.location.get('lineNumber')})")
                if msg.type == "error" else None)
        page.on("pageerror", lambda error: v.page_errors.append(str(error)))
        page.on("request", lambda request: v.requests.append(request.url))
        page.on("response", lambda response: v.failed_responses.append(f"{response.status} {response.url}")
                if response.status >= 400 else None)
        response = page.goto(v.url, wait_until="load")
        v.status = response.status if response else None
        if v.status != 200:
            return v
        # The first Tab from a freshly loaded page lands on the first focusable element.
        page.keyboard.press("Tab")
        v.first_focus = page.evaluate("""() => {
            const el = document.activeElement;
            if (!el || el === document.body) return null;
            const href = el.getAttribute('href');
            let targetExists = false;
            if (href && href.startsWith('#') && href.length > 1) {
                targetExists = document.getElementById(decodeURIComponent(href.slice(1))) !== null;
            }
            return {tag: el.tagName.toLowerCase(), href, text: (el.textContent || '').trim(),
                    className: el.className || '', targetExists};
        }""")
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        if page.locator("figure.chart[data-chart]").count():
            try:
                draw_every_chart(page)
            except Exception as exc:  # playwright's TimeoutError: reported by the chart test
                v.charts_timeout = str(exc).splitlines()[0]
        return v

    yield load
    for v in visits.values():
        with contextlib.suppress(Exception):
            v.context.close()
