"""`build.py serve`: build the site in memory, serve it on localhost, rebuild on any change, reload the browser.

A change to a markdown page re-renders only that page, in a fraction of a second (if the navigation or footer
changed, every other page is rendered again when it is asked for, or in the background); the search index is
remade in the background once the edits pause. A change to data or a theme rebuilds everything. The served pages carry a small script that
asks the server for the site's version and reloads when it changes; nothing of it is ever written to `site/`.
Bad input is reported in the terminal and the last good site stays served.
"""

from __future__ import annotations

import http.server
import mimetypes
import multiprocessing
import sys
import threading
import time
from pathlib import Path

from icsite.core.config import Config
from icsite.inputs.load import load, read_page
from icsite.inputs.stories import FOLDER
from icsite.pages.site import not_found_page, site_info
from icsite.commands.build import SiteBuild, Stopwatch, make_site
from icsite.outputs.search import INDEX_FOLDER, search_index
from icsite.pages.render import render_page
from icsite.core.problems import errors, format_report
from icsite.inputs.page_checks import address_problems, page_problems
from icsite.inputs.validate import validate

POLL_SECONDS = 0.15
SETTLE_SECONDS = 0.05  # after a change is seen, before it is read: an editor's save is one write, or a few at once
INDEX_AFTER = 1.0  # seconds without edits before the search index (a few seconds' work) is remade
RELOAD = (b"<script>(function(){var seen=null;function poll(){fetch('/__version',{cache:'no-store'})"
          b".then(function(r){return r.text()}).then(function(v){if(seen===null)seen=v;else if(v!==seen)"
          b"{location.reload();return}setTimeout(poll,300)}).catch(function(){setTimeout(poll,1000)})}poll()})();"
          b"</script>")


class Server:
    """The state served: the last good build, its version, and how to update it.

    After a change to a markdown page, only the pages it changed are rendered at once; when the navigation or
    footer changed too, every other page is marked stale and rendered when it is asked for, or by `catch_up` in the
    background, which then remakes the search index (the index of the last build is served meanwhile).
    """

    def __init__(self, config: Config, out=sys.stdout):
        self.config, self.out = config, out
        self.lock = threading.Lock()
        self.version = 0
        self.made: SiteBuild | None = None
        self.sources = None
        self.snapshot = watched(config)
        self.stale: dict[str, object] = {}  # site path of an HTML file -> the page context to render into it
        self.index_due = False  # pages the search index covers changed since it was made
        self.changes = 0  # how many times the served site changed (an index of older pages is not used)
        self.due = threading.Event()  # set when `catch_up` has work

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def full_build(self, why: str) -> None:
        started = time.perf_counter()
        self.say(f"Building ({why})…")
        sources = load(self.config)
        problems = validate(sources, self.config.data_dir)
        if errors(problems, False):
            self.say(format_report(problems) + "Not rebuilt: fix the problems above; the last good site is still served.")
            return
        made = make_site(self.config, sources, Stopwatch(), keep_pages=True)
        with self.lock:
            self.made, self.sources = made, sources
            self.stale, self.index_due = {}, False
            self.changes += 1
            self.version += 1
        self.say(f"Built {len(made.pages)} pages in {time.perf_counter() - started:.2f} s.")

    def content_changed(self, changed: list[Path]) -> None:
        """Re-read the changed markdown pages and re-render them; if the navigation or footer changed, mark every
        other page stale."""
        started = time.perf_counter()
        made, root = self.made, self.config.content_dir.resolve()
        by_path = {p.source.resolve(): p for p in self.sources.pages}
        for path in changed:
            if path.exists():
                by_path[path] = read_page(path, root)
            else:
                by_path.pop(path, None)
        pages, root_of_reports = list(by_path.values()), self.config.data_dir.parent
        edited = [by_path[path] for path in changed if path in by_path]  # only these need rendering to be checked
        found = page_problems(edited, root_of_reports) + address_problems([p for p in pages if not p.error],
                                                                          root_of_reports)
        problems = errors(sorted(set(found)), False)
        if problems:  # as --check and the build would: a page that cannot be used is not rendered
            self.say(format_report(problems) + "Not re-rendered: fix the problems above; the last good site is "
                     "still served.")
            return
        self.sources.pages = sorted(by_path.values(), key=lambda p: p.source)
        data = made.builder.data
        data.pages = self.sources.pages
        site = site_info(self.config, data, self.config.build_date or data.release_date)
        kept = {p.path: p for p in made.pages if is_content(p)}
        fresh = [made.builder.content(p) for p in edited]  # the other content pages are as they were
        with self.lock:
            content = {p.path: p for p in (kept.get(f"{s.slug}/" if s.slug else "") for s in self.sources.pages)
                       if p is not None}
            content.update((p.path, p) for p in fresh)
            gone = set(kept) - set(content)
            for path in gone:
                made.files.pop(f"{path}index.html", None)
                self.stale.pop(f"{path}index.html", None)
            made.pages = [p for p in made.pages if not is_content(p)] + list(content.values())
            everything = site != made.site
            made.site = site
            for page in fresh:
                self.render(f"{page.path}index.html", page)
            if everything:  # the navigation or footer is on every page, and on the 404 page
                done = {id(p) for p in fresh}
                self.stale.update((f"{p.path}index.html", p) for p in made.pages if id(p) not in done)
                self.stale["404.html"] = not_found_page()
            self.index_due = self.index_due or everything or bool(gone) or any(p.indexed for p in fresh)
            self.changes += 1
            self.version += 1
        self.due.set()
        self.say(f"Re-rendered {len(fresh)} page(s) in {time.perf_counter() - started:.2f} s"
                 + ("; the navigation or footer changed, so every other page follows (at once when asked for)."
                    if everything else "."))

    def render(self, key: str, page) -> None:
        """Render `page` into the file `key` (the caller holds the lock)."""
        self.made.files.replace(key, render_page(self.made.env, page, self.made.site).encode("utf-8"))
        self.stale.pop(key, None)

    def catch_up(self) -> None:
        """Render every stale page, then remake the search index if the pages it covers changed."""
        self.render_stale()
        self.reindex()

    def render_stale(self) -> None:
        """Render the stale pages, each outside the lock (a request waiting for it would wait for the next and the
        next: a released lock is taken again by the thread that holds the interpreter)."""
        while True:
            with self.lock:
                if not self.stale:
                    return
                key, page = next(iter(self.stale.items()))
                made, changes = self.made, self.changes
            html = render_page(made.env, page, made.site).encode("utf-8")
            with self.lock:
                if self.changes == changes and self.stale.get(key) is page:  # nothing changed meanwhile
                    made.files.replace(key, html)
                    del self.stale[key]

    def reindex(self) -> None:
        """Remake the search index from the pages as they are now, if they changed since it was made."""
        with self.lock:
            if not self.index_due or self.made is None or self.stale:
                return
            made, changes = self.made, self.changes
            pages = {f"{p.path}index.html": made.files[f"{p.path}index.html"] for p in made.pages if p.indexed}
        started = time.perf_counter()
        index = search_index(pages, self.config.cache_dir)
        with self.lock:
            if self.changes != changes:  # made from pages changed since: the next pass remakes it
                return
            for key in [k for k in made.files if k.startswith(INDEX_FOLDER)]:
                made.files.pop(key)
            made.files.update(index)
            self.index_due = False
        self.say(f"Search index updated in {time.perf_counter() - started:.2f} s.")

    def catching_up(self, stop: threading.Event) -> None:
        """In the background: stale pages after each change; the search index once edits pause for INDEX_AFTER."""
        while not stop.is_set():
            if not self.due.wait(0.5):
                continue
            self.due.clear()
            try:
                self.render_stale()
                if not self.due.wait(INDEX_AFTER):  # another edit meanwhile: its pages first
                    self.reindex()
            except Exception as exc:  # keep serving; say what went wrong
                self.say(f"Updating the site failed: {type(exc).__name__}: {exc}")

    def watch(self, stop: threading.Event) -> None:
        """Poll the data, content and theme folders; rebuild what a change needs."""
        while not stop.wait(POLL_SECONDS):
            now = watched(self.config)
            if now == self.snapshot:
                continue
            time.sleep(SETTLE_SECONDS)  # let an editor finish writing
            now = watched(self.config)
            changed = sorted(p for p in set(now) | set(self.snapshot) if now.get(p) != self.snapshot.get(p))
            self.snapshot = now
            try:
                content = self.config.content_dir.resolve()
                stories = content / FOLDER  # a story is tied to the data: its pages, profiles and indicators follow
                if self.made is not None and all(p.suffix == ".md" and content in p.parents and stories not in p.parents
                                                 for p in changed):
                    self.content_changed(changed)
                else:
                    self.full_build(f"{len(changed)} file(s) changed")
            except Exception as exc:  # keep serving the last good site; say what went wrong
                self.say(f"Rebuild failed: {type(exc).__name__}: {exc}")

    def response(self, url_path: str) -> tuple[int, str, bytes, str | None]:
        """(status, content type, body, redirect location) for a request path."""
        if url_path == "/__version":
            return 200, "text/plain", str(self.version).encode(), None
        key = url_path.split("?", 1)[0].split("#", 1)[0].lstrip("/")
        with self.lock:
            files = self.made.files if self.made else {}
            if key.endswith("/") or key == "":
                key += "index.html"
            elif key not in files and f"{key}/index.html" in files:
                return 301, "text/plain", b"", url_path + "/"
            status = 200
            if key not in files:
                key, status = "404.html", 404
            if key in self.stale:  # asked for before the background caught up
                self.render(key, self.stale[key])
            content = files.get(key, b"Not found")
        body = content.read_bytes() if isinstance(content, Path) else content
        kind = mimetypes.guess_type(key)[0] or "application/octet-stream"
        if key.endswith(".html"):
            body = body.replace(b"</body>", RELOAD + b"</body>", 1)
            kind = "text/html; charset=utf-8"
        elif key.endswith(".js"):
            kind = "text/javascript"
        return status, kind, body, None


def is_content(page) -> bool:
    return type(page).__name__ == "ContentPage"


def watched(config: Config) -> dict[Path, tuple[int, int]]:
    """(modification time, size) of every file a build reads."""
    out = {}
    for folder in (config.data_dir, config.content_dir, config.themes_dir):
        for path in folder.resolve().rglob("*"):
            if path.is_file():
                info = path.stat()
                out[path] = (info.st_mtime_ns, info.st_size)
    return out


def serve(config: Config, port: int, host: str = "127.0.0.1", out=sys.stdout) -> int:
    """Build, serve and watch until interrupted (Ctrl+C). Exit 2 when the address cannot be listened on."""
    # each edited page is checked in a child process (icsite.core.markup): one that starts with markdown imported
    # starts in a few hundredths of a second
    multiprocessing.set_forkserver_preload(["icsite.core.markup"])
    state = Server(config, out)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            status, kind, body, location = state.response(self.path)
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):  # noqa: A002
            pass

    try:  # before the first build, so that a port in use is said at once
        server = http.server.ThreadingHTTPServer((host, port), Handler)
    except (OSError, OverflowError) as exc:
        reason = (exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)).rstrip(".")
        print(f"build.py serve: error: cannot listen on {host}:{port}: {reason}. Choose another --port (0 picks a "
              "free one) or --host.", file=sys.stderr)
        return 2
    server.daemon_threads = True
    try:
        state.full_build("first build")
    except BaseException:
        server.server_close()
        raise
    if state.made is None:
        server.server_close()
        return 1
    stop = threading.Event()
    for target, name in ((state.watch, "watch"), (state.catching_up, "catch up")):
        threading.Thread(target=target, args=(stop,), name=name, daemon=True).start()
    state.say(f"Serving at http://{host}:{server.server_address[1]}/ (Ctrl+C to stop); rebuilding on every change "
              f"to {config.data_dir}, {config.content_dir} and {config.themes_dir}.")
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        state.say("Stopped.")
    finally:
        stop.set()
        server.server_close()
    return 0
