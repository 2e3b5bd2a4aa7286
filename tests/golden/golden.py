"""Build the small fixture site the golden test compares with `tests/golden/expected/`.

Regenerate the expected tree after an intended change, then review the diff like code:

    .venv/bin/python tests/golden/regenerate.py && git diff --stat tests/golden/expected
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "site-small"
EXPECTED = HERE / "expected"
#: Files that come from installed packages rather than from us: compared by presence only (the Vega bundle, and
#: chart images drawn by vl-convert, whose exact bytes belong to its version).
PRESENCE_ONLY = {"assets/vendor/vega-bundle.js"}


def presence_only(rel: str) -> bool:
    return rel in PRESENCE_ONLY or rel.endswith(".svg")
EPOCH = "1785888000"  # 2026-08-05: a pinned build date


def build_fixture(out: Path) -> int:
    """Build the fixture site into `out` with a pinned date and a sub-path base URL; return the exit code."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import build

    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        return build.main(["--data", str(FIXTURE / "datapackages"), "--content", str(FIXTURE / "content"),
                           "--out", str(out), "--base-url", "/ics-outcomes/", "--quiet"])
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old


def tree(root: Path) -> dict[str, Path]:
    """Every file under `root`, by its path relative to `root`."""
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}
