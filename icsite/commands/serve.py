"""`build.py serve`: build the site in memory, serve it on localhost, rebuild on any change, reload the browser.

A change to a markdown page re-renders only that page (and every page, if the navigation changed), which takes a
fraction of a second; a change to data or a theme rebuilds everything. The served pages carry a small script that
asks the server for the site's version and reloads when it changes; nothing of it is ever written to `site/`.
Bad input is reported in the terminal and the last good site stays served.
"""

from __future__ import annotations

import http.server
import mimetypes
import sys
import threading
import time
from pathlib import Path

from icsite.core.config import Config
from icsite.inputs.load import load, read_page
from icsite.pages.contexts import site_info
from icsite.commands.build import SiteBuild, Stopwatch, make_site
from icsite.core.problems import errors, format_report
from icsite.inputs.validate import address_problems, page_problems, validate

POLL_SECONDS = 0.15
RELOAD = (b"<script>(function(){var seen=null;function poll(){fetch('/__version',{cache:'no-store'})"
          b".then(function(r){return r.text()}).then(function(v){if(seen===null)seen=v;else if(v!==seen)"
          b"{location.reload();return}setTimeout(poll,300)}).catch(function(){setTimeout(poll,1000)})}poll()})();"
          b"</script>")


class Server:
    """The state served: the last good build, its version, and how to update it."""

    def __init__(self, config: Config, out=sys.stdout):
        self.config, self.out = config, out
        self.lock = threading.Lock()
        self.version = 0
        self.made: SiteBuild | None = None
        self.sources = None
        self.snapshot = watched(config)

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
        made = make_site(self.config, sources, Stopwatch())
        with self.lock:
            self.made, self.sources = made, sources
            self.version += 1
        self.say(f"Built {len(made.pages)} pages in {time.perf_counter() - started:.2f} s.")

    def content_changed(self, changed: list[Path]) -> None:
        """Re-read the changed markdown pages and re-render them (every page, if the navigation changed)."""
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
        fresh = {page.path: page for page in (made.builder.content(p) for p in self.sources.pages)}
        with self.lock:
            old = {p.path for p in made.pages if is_content(p)}
            for gone in old - set(fresh):
                made.files.pop(f"{gone}index.html", None)
            made.pages = [p for p in made.pages if not is_content(p)] + list(fresh.values())
            everything = site.nav != made.site.nav
            made.site = site
            touched = changed_paths(changed, root)
            for page in made.pages if everything else [p for path, p in fresh.items() if path in touched]:
                made.render(page)
            self.version += 1
        what = "every page (the navigation changed)" if everything else f"{len(changed)} page(s)"
        self.say(f"Re-rendered {what} in {time.perf_counter() - started:.2f} s.")

    def watch(self, stop: threading.Event) -> None:
        """Poll the data, content and theme folders; rebuild what a change needs."""
        while not stop.wait(POLL_SECONDS):
            now = watched(self.config)
            if now == self.snapshot:
                continue
            time.sleep(POLL_SECONDS)  # let an editor finish writing
            now = watched(self.config)
            changed = sorted(p for p in set(now) | set(self.snapshot) if now.get(p) != self.snapshot.get(p))
            self.snapshot = now
            try:
                content = self.config.content_dir.resolve()
                if self.made is not None and all(p.suffix == ".md" and content in p.parents for p in changed):
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
            content = files.get(key)
            if content is None:
                content, key, status = files.get("404.html", b"Not found"), "404.html", 404
            else:
                status = 200
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


def changed_paths(changed: list[Path], root: Path) -> set[str]:
    """The site paths of changed markdown files."""
    out = set()
    for path in changed:
        rel = path.relative_to(root).with_suffix("").as_posix()
        slug = "" if rel == "index" else rel.removesuffix("/index")
        out.add(f"{slug}/" if slug else "")
    return out


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
    watcher = threading.Thread(target=state.watch, args=(stop,), name="watch", daemon=True)
    watcher.start()
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
