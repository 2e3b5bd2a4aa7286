"""Time full builds of the shipped data, cold and warm, and print pages per second.

    .venv/bin/python bench/build_bench.py [--runs 5]

Each run is a fresh process (`python build.py --out <tmp> --cache-dir <tmp>`), so the figure includes Python
start-up and imports, as a publisher sees it. The cold build starts from an empty cache (every chart image is
rendered); the warm builds reuse it (no image is rendered), which is every rebuild after the first.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out, cache = Path(tmp) / "site", Path(tmp) / "cache"
        cold = run_build(out, cache)
        times = [run_build(out, cache) for _ in range(args.runs)]
        pages = sum(1 for _ in out.rglob("index.html"))
        files = sum(1 for p in out.rglob("*") if p.is_file())
    median = statistics.median(times)
    print(f"shipped data: {pages} pages ({files} files) per build")
    print(f"cold build (empty image cache): {cold:.2f} s")
    print(f"warm builds over {args.runs} runs: median {median:.2f} s, min {min(times):.2f} s, max {max(times):.2f} s"
          f" ({cold / median:.1f} times faster than cold)")
    print(f"pages per second (median warm run): {pages / median:.1f}")


def run_build(out: Path, cache: Path) -> float:
    """Seconds for one full build in a new process."""
    start = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "build.py"), "--out", str(out), "--cache-dir", str(cache), "--quiet"],
                   check=True, cwd=ROOT)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
