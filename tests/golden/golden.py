"""Build the small fixture site the golden test compares with `tests/golden/expected/`.

Regenerate the expected tree after an intended change, then review the diff like code:

    .venv/bin/python tests/golden/regenerate.py && git diff --stat tests/golden/expected

Every file is compared byte for byte, chart images included, except the Vega bundle (copied from an installed
package, compared by presence only). Chart images can be compared exactly because everything that makes them is
pinned: the SVG is drawn from the spec (itself compared exactly) by our own code (trend, ranked and spine
charts: icsite/charts/*_image.py, laid out with our font's metrics) or by the pinned vl-convert (pyproject.toml), with
its text laid out in our pinned font (font-source-sans-pro, registered by icsite/charts/images.py in every rendering
process and named first in every chart's font list, so vl-convert never takes a system font) and its dates placed
in UTC whatever the machine's time zone (test_determinism.py); the PNG is drawn
from that SVG by the resvg inside the same vl-convert, with the same font files. Nothing else goes in: not the
system's fonts (every character of the fixture's charts is in our font: tests/unit/test_determinism.py), not the
cache (its key covers all of the above), not the order of building or drawing (chart specs number their params
and views themselves, and SVGs their clip paths). Evidence, on this project's machines (Linux x86_64): builds
into two folders, one from a warm image cache and one from an empty one, give identical PNG and SVG bytes, and so
does a renderer with extra fonts registered under the names Arial, Segoe UI, Liberation Sans and system-ui
(test_determinism.py). A vl-convert wheel for another processor architecture could antialias differently: there,
regenerate rather than loosen.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "site-small"
EXPECTED = HERE / "expected"
#: Files copied from installed packages rather than made by us: compared by presence only.
PRESENCE_ONLY = {"assets/vendor/vega-bundle.js"}


def presence_only(rel: str) -> bool:
    return rel in PRESENCE_ONLY


EPOCH = "1785888000"  # 2026-08-05: a pinned build date


def build_fixture(out: Path, cache_dir: Path | None = None) -> int:
    """Build the fixture site into `out` with a pinned date and a sub-path base URL (and the chart images cached in
    `cache_dir`, default the project's .cache/); return the exit code."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import build

    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        cache = ["--cache-dir", str(cache_dir)] if cache_dir is not None else []
        return build.main(["--data", str(FIXTURE / "datapackages"), "--content", str(FIXTURE / "content"),
                           "--out", str(out), "--base-url", "/ics-outcomes/", "--quiet", *cache])
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old


def tree(root: Path) -> dict[str, Path]:
    """Every file under `root`, by its path relative to `root`."""
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}


def png_size(data: bytes) -> tuple[int, int] | None:
    """A PNG's width and height in pixels, from its IHDR chunk (None if the bytes are not a PNG)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
