"""Time builds of the shipped site as a publisher meets them, and `serve`'s reload after a markdown edit.

    .venv/bin/python bench/build_bench.py [--runs 5] [--cold-runs 1]

Each build is a fresh process (`python build.py --out <tmp> --cache-dir <tmp>`), so every figure includes Python
start-up and imports. Rows: a cold build (empty cache: every chart image is rendered), a rebuild with nothing
changed (the up-to-date check), the same forced (`--force`: everything made again from a warm cache), a rebuild
after one data value changed (in a temporary copy of the data; the shipped data is never edited), and `build.py
serve`'s reload: from saving a markdown page to the new HTML being served, for an edit of the text and for a new
navigation title (which every page shows; timed on the home page). Between two edits the server is left to finish
(its search index is remade a second after the last edit). Each row is the median of its runs, with the fastest and slowest.
"""

from __future__ import annotations

import argparse
import csv
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: the value the data-change rows edit: a count without interval or numerator, so any whole number stays valid
CHANGED_FILE = Path("primary-community-mental-health") / "values.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each warm row (default 5)")
    parser.add_argument("--cold-runs", type=int, default=1, help="cold builds, each from an empty cache (default 1)")
    args = parser.parse_args()
    rows: list[tuple[str, list[float]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cold = [build(tmp / f"cold-{n}", tmp / f"cold-cache-{n}") for n in range(args.cold_runs)]
        rows.append(("cold build (empty cache: every image rendered)", cold))
        out, cache = tmp / "site", tmp / "cache"
        shutil.copytree(tmp / "cold-cache-0", cache) if args.cold_runs else build(out, cache)
        build(out, cache, "--force")
        pages = sum(1 for _ in out.rglob("index.html"))
        files = sum(1 for p in out.rglob("*") if p.is_file())
        rows.append(("rebuild, nothing changed", [build(out, cache) for _ in range(args.runs)]))
        rows.append(("rebuild, nothing changed, --force", [build(out, cache, "--force") for _ in range(args.runs)]))
        data = tmp / "data"
        shutil.copytree(ROOT / "datapackages", data)
        build(out, cache, "--data", str(data))
        changed = []
        for n in range(args.runs):
            change_one_value(data / CHANGED_FILE, n + 1)
            changed.append(build(out, cache, "--data", str(data)))
        rows.append(("rebuild after one data value changed", changed))
        body, nav = serve_reloads(tmp, cache, args.runs)
        rows.append(("serve: markdown page reload, text edited", body))
        rows.append(("serve: markdown page reload, navigation title changed", nav))
    print(f"shipped data: {pages} pages, {files} files")
    width = max(len(name) for name, _ in rows)
    print(f"{'':{width}}  runs  median     min     max")
    for name, times in rows:
        print(f"{name:{width}}  {len(times):4d}  {statistics.median(times):5.2f} s  {min(times):5.2f}  {max(times):5.2f}")


def build(out: Path, cache: Path, *extra: str) -> float:
    """Seconds for one build in a new process."""
    start = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "build.py"), "--out", str(out), "--cache-dir", str(cache), "--quiet",
                    *extra], check=True, cwd=ROOT)
    return time.perf_counter() - start


def change_one_value(values: Path, step: int) -> None:
    """Add `step` to the value of the first data row of `values` (a count: any whole number is valid)."""
    with open(values, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    rows[1][header.index("value")] = str(int(float(rows[1][header.index("value")])) + step)
    with open(values, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def serve_reloads(tmp: Path, cache: Path, runs: int) -> tuple[list[float], list[float]]:
    """Seconds from saving a markdown page to its new HTML being served: text edits, then navigation titles."""
    content = tmp / "content"
    shutil.copytree(ROOT / "content", content)
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--port", "0", "--content",
                                str(content), "--cache-dir", str(cache)], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    said: list[str] = []
    started = threading.Event()

    def read() -> None:
        for line in process.stdout:
            said.append(line)
            if "Serving at" in line:
                started.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        if not started.wait(300):
            raise SystemExit("serve did not start:\n" + "".join(said))
        base = re.search(r"Serving at (http://\S+/)", "".join(said))[1]
        page = content / "about.md"
        text = page.read_text(encoding="utf-8")

        def reload(new_text: str, url: str, expected: str) -> float:
            seconds = reload_seconds(page, new_text, url, expected)
            indexed = sum("Search index updated" in line for line in said)
            deadline = time.monotonic() + 120  # the server is idle again (its search index remade) before the next
            while sum("Search index updated" in line for line in said) == indexed and time.monotonic() < deadline:
                time.sleep(0.1)
            return seconds

        body = [reload(text + f"\nA sentence saved in run {n}.\n", base + "about/", f"A sentence saved in run {n}.")
                for n in range(runs)]
        nav = [reload(text.replace("title: About this site", f"title: About this site {n}", 1), base,
                      f"About this site {n}<") for n in range(runs)]
        return body, nav
    finally:
        process.terminate()
        process.wait(timeout=30)


def reload_seconds(page: Path, text: str, url: str, expected: str, timeout: float = 30) -> float:
    """Save `text` as `page`, then fetch `url` until it shows `expected`: the seconds in between."""
    time.sleep(0.1)  # the next save has a new modification time
    saved = time.perf_counter()
    page.write_text(text, encoding="utf-8")
    while time.perf_counter() - saved < timeout:
        with urllib.request.urlopen(url) as response:
            if expected in response.read().decode("utf-8"):
                return time.perf_counter() - saved
        time.sleep(0.01)
    raise SystemExit(f"{url} did not show {expected!r} within {timeout} s")


if __name__ == "__main__":
    main()
