"""Lighthouse scores of the shipped site on a phone: a profile and an indicator page, in a benchmark report.

    .venv/bin/python bench/lighthouse.py [--site DIR] [--runs 3] [--page PATH ...] [--out bench/results/lighthouse.md]

Builds the shipped site (or takes a built one with --site; build it with `--base-url /ics-outcomes/`), serves it
on 127.0.0.1 under /ics-outcomes/ as GitHub project pages would (anything else is a 404, as in
tests/browser/conftest.py), and runs Lighthouse (npm, node_modules/.bin/lighthouse: `npm ci --ignore-scripts`)
with the Debian Chromium (CHROME_PATH=/usr/bin/chromium, headless) on each page, with Lighthouse's default mobile
settings: a phone's screen and simulated slow 4G and CPU. Categories: performance, accessibility and best
practices. Each page is run --runs times; the report gives each category's median score with the lowest and
highest, the median of the main timings, and every audit that did not pass in any run (with its score and what
Lighthouse says about it), and the audits that could not run. The issue's targets: performance >= 90,
accessibility 100, best practices >= 95. Nothing here is a test: scores vary from run to run and machine to
machine (simulated throttling is applied to what this machine measures).

The bench's server serves as GitHub Pages does: text gzipped, and `Cache-Control: max-age=600` (which a site on
Pages cannot change, so Lighthouse's cache audit is about the host; the report says so beside it).

Notes written by hand in the report, between the lines NOTES_START and NOTES_END, are kept when it is written again
(after the table of scores).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE_PATH = "/ics-outcomes/"
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking " \
               "--disable-component-update --disable-sync"
CATEGORIES = ["performance", "accessibility", "best-practices"]
TARGETS = {"performance": 90, "accessibility": 100, "best-practices": 95}
PAGES = ["ics/kent-and-medway/", "indicators/ae-4hr/"]
METRICS = ["first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift",
           "speed-index"]
#: what GitHub Pages gzips (text); the bench's server does the same, so the timings are those of the site as hosted
GZIP_TYPES = {"text/html", "text/css", "text/javascript", "application/json", "image/svg+xml", "text/csv",
              "application/xml", "text/plain"}
#: audits about the host, not the site
SERVER_AUDITS = {"uses-long-cache-ttl": "GitHub Pages sends max-age=600 and a site cannot change it (this bench's "
                                        "server sends the same)"}


class SubPathHandler(http.server.SimpleHTTPRequestHandler):
    """The site folder under BASE_PATH only (every other path is a 404), served as GitHub Pages serves it: text
    gzipped when the browser accepts it, and `Cache-Control: max-age=600`. Logs nothing."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".js": "text/javascript", ".css": "text/css", ".json": "application/json",
                      ".svg": "image/svg+xml", ".csv": "text/csv"}
    gzipped: dict[str, bytes] = {}  # file path -> its gzip, made once

    def do_GET(self):  # noqa: N802 (http.server's naming)
        path = urllib.parse.urlsplit(self.path).path
        if not (path == BASE_PATH.rstrip("/") or path.startswith(BASE_PATH)):
            self.send_error(404, "Outside the site's base path")
            return
        local = Path(self.translate_path(self.path))
        if local.is_dir() and path.endswith("/"):
            local = local / "index.html"
        kind = self.guess_type(str(local))
        if local.is_file() and "gzip" in self.headers.get("Accept-Encoding", "") and kind.split(";")[0] in GZIP_TYPES:
            body = self.gzipped.get(str(local))
            if body is None:
                body = self.gzipped[str(local)] = gzip.compress(local.read_bytes(), mtime=0)
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "max-age=600")
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def end_headers(self):
        if self._headers_buffer and not any(b"Cache-Control" in h for h in self._headers_buffer):
            self.send_header("Cache-Control", "max-age=600")
        super().end_headers()

    def translate_path(self, path: str) -> str:
        split = urllib.parse.urlsplit(path)
        local = split.path[len(BASE_PATH.rstrip("/")):] or "/"
        return super().translate_path(urllib.parse.urlunsplit(("", "", local, split.query, "")))

    def log_message(self, format, *args):  # noqa: A002 (signature fixed by http.server)
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    """Says nothing when the browser drops a connection it no longer needs (Lighthouse does, between its passes)."""

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a site built with --base-url /ics-outcomes/ (default: build the "
                                                  "shipped data into a temporary folder)")
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page (default 3)")
    parser.add_argument("--page", action="append", help=f"a page, relative to the site root (default {PAGES})")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "lighthouse.md",
                        help="the report (markdown; default bench/results/lighthouse.md)")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit(f"{LIGHTHOUSE} is missing: run `npm ci --ignore-scripts` (or `make test-deps`) first")
    if args.site and not (args.site / "index.html").is_file():
        sys.exit(f"{args.site} is not a built site (no index.html)")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        site = args.site or build(tmp / "site", tmp / "cache")
        handler = functools.partial(SubPathHandler, directory=str(site))
        server = QuietServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}{BASE_PATH}"
        try:
            results = {page: [run(base + page, tmp / f"lh-{n}.json") for n in range(args.runs)]
                       for page in (args.page or PAGES)}
        finally:
            server.shutdown()
            server.server_close()
    report = write_report(results, args)
    report = keep_notes(report, args.out.read_text(encoding="utf-8") if args.out.is_file() else "")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(report)
    print(f"written to {args.out}")


def build(out: Path, cache: Path) -> Path:
    print("building the shipped site ...", file=sys.stderr)
    subprocess.run([sys.executable, str(ROOT / "build.py"), "--out", str(out), "--cache-dir", str(cache),
                    "--base-url", BASE_PATH, "--quiet"], check=True, cwd=ROOT)
    return out


def run(url: str, output: Path) -> dict:
    """One Lighthouse run of one page: its JSON report (lhr)."""
    print(f"lighthouse {url} ...", file=sys.stderr)
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    started = time.perf_counter()
    subprocess.run([str(LIGHTHOUSE), url, "--output=json", f"--output-path={output}", "--quiet",
                    f"--only-categories={','.join(CATEGORIES)}", "--form-factor=mobile",
                    f"--chrome-flags={CHROME_FLAGS}"], check=True, env=env, cwd=ROOT)
    lhr = json.loads(output.read_text(encoding="utf-8"))
    lhr["_seconds"] = time.perf_counter() - started
    return lhr


def score(lhr: dict, category: str) -> int | None:
    value = lhr["categories"].get(category, {}).get("score")
    return None if value is None else round(value * 100)


def failing(lhr: dict) -> dict[str, dict]:
    """The audits of the chosen categories that did not pass (scored below 1), by id."""
    out = {}
    for category in CATEGORIES:
        for ref in lhr["categories"].get(category, {}).get("auditRefs", []):
            audit = lhr["audits"][ref["id"]]
            scored = audit.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")
            if scored and audit.get("score") is not None and audit["score"] < 1:
                out[ref["id"]] = audit | {"category": category, "weight": ref.get("weight", 0)}
    return out


def errored(lhr: dict) -> dict[str, str]:
    return {key: a.get("errorMessage", "") for key, a in lhr["audits"].items() if a.get("scoreDisplayMode") == "error"}


NOTES_START, NOTES_END = "<!-- notes: written by hand, kept by bench/lighthouse.py -->", "<!-- /notes -->"


def keep_notes(report: str, old: str) -> str:
    """The new report with the old report's hand-written notes (if any) after its table of scores."""
    if NOTES_START not in old or NOTES_END not in old:
        return report
    notes = old[old.index(NOTES_START):old.index(NOTES_END) + len(NOTES_END)]
    head, sep, rest = report.partition("\n\n## ")
    return f"{head}\n\n{notes}{sep}{rest}"


def write_report(results: dict[str, list[dict]], args) -> str:
    first = next(iter(results.values()))[0]
    lines = ["# Lighthouse: a profile and an indicator page on a phone", "",
             f"Made by `.venv/bin/python bench/lighthouse.py --runs {args.runs}"
             f"{' --site ' + str(args.site) if args.site else ''}` on {time.strftime('%Y-%m-%d')}: Lighthouse "
             f"{first['lighthouseVersion']}, {first['environment']['hostUserAgent'].split(') ')[-1]} (Debian Chromium,"
             " headless), default mobile settings (a Moto G Power screen, simulated slow 4G and 4x CPU slowdown). "
             "The site is served on 127.0.0.1 under /ics-outcomes/ as GitHub Pages serves it (text gzipped, "
             "`Cache-Control: max-age=600`). "
             f"Each page run {args.runs} times: the median score, with the lowest and highest in brackets.", "",
             "Targets (issue 16): performance >= 90, accessibility 100, best practices >= 95. Not a test: scores "
             "vary between runs and machines. Each audit's weight is its share of its category's score (0: listed, not "
             "counted).", "",
             "| Page | " + " | ".join(CATEGORIES) + " | " + " | ".join(m.replace("-", " ") for m in METRICS) + " |",
             "|---" * (1 + len(CATEGORIES) + len(METRICS)) + "|"]
    for page, runs in results.items():
        cells = []
        for category in CATEGORIES:
            scores = [s for s in (score(r, category) for r in runs) if s is not None]
            mark = "" if scores and statistics.median(scores) >= TARGETS[category] else " **below target**"
            cells.append(f"{statistics.median(scores):g} ({min(scores)}–{max(scores)}){mark}" if scores else "–")
        for metric in METRICS:
            values = [r["audits"][metric].get("numericValue") for r in runs if metric in r["audits"]]
            values = [v for v in values if v is not None]
            unit = "" if metric == "cumulative-layout-shift" else " ms"
            cells.append(f"{statistics.median(values):,.{3 if not unit else 0}f}{unit}" if values else "–")
        lines.append(f"| `{page}` | " + " | ".join(cells) + " |")
    for page, runs in results.items():
        lines += ["", f"## `{page}`: audits that did not pass", ""]
        found: dict[str, tuple[dict, int]] = {}
        for r in runs:
            for key, audit in failing(r).items():
                found[key] = (audit, found.get(key, (audit, 0))[1] + 1)
        if not found:
            lines.append("None: every scored audit passed in every run.")
        for key, (audit, count) in sorted(found.items(), key=lambda kv: (kv[1][0]["category"], kv[0])):
            note = f" *{SERVER_AUDITS[key]}*." if key in SERVER_AUDITS else ""
            shown = audit.get("displayValue") or ""
            lines.append(f"- **{audit['category']}**, `{key}` ({audit['title']}): score {audit['score']:.2f}"
                         f"{', ' + shown if shown else ''}, weight {audit['weight']:g}; in {count} of {len(runs)} "
                         f"runs.{note}")
            for item in (audit.get("details") or {}).get("items", [])[:5]:
                where = item.get("url") or (item.get("node") or {}).get("selector") or item.get("source", "")
                if isinstance(where, dict):
                    where = where.get("url", "")
                if "://" in str(where) and BASE_PATH in str(where):  # the local server's port changes: the path
                    where = BASE_PATH + str(where).split(BASE_PATH, 1)[1]
                snippet = (item.get("node") or {}).get("snippet", "")
                if where or snippet:
                    lines.append(f"  - {where} {('`' + snippet[:100] + '`') if snippet else ''}".rstrip())
        errors: dict[str, str] = {}
        for r in runs:
            errors |= errored(r)
        if errors:
            lines += ["", "Audits Lighthouse could not run (a Lighthouse and Chromium version mismatch, not the "
                      "page):", ""]
            lines += [f"- `{key}`: {message.splitlines()[0] if message else 'error'}"
                      for key, message in sorted(errors.items())]
    seconds = [r["_seconds"] for runs in results.values() for r in runs]
    lines += ["", f"Each Lighthouse run took {statistics.median(seconds):.1f} s (median).", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
