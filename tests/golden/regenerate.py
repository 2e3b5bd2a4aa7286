"""Rewrite tests/golden/expected from the fixture site (see golden.py for when and how)."""

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from golden import EXPECTED, PRESENCE_ONLY, build_fixture, tree  # noqa: E402

with tempfile.TemporaryDirectory() as tmp:
    out = Path(tmp) / "site"
    code = build_fixture(out)
    if code != 0:
        sys.exit(f"the fixture site did not build (exit {code})")
    for rel in PRESENCE_ONLY:
        (out / rel).write_text("(generated from an installed package; compared by presence only)\n")
    shutil.rmtree(EXPECTED, ignore_errors=True)
    shutil.copytree(out, EXPECTED)
    print(f"wrote {len(tree(EXPECTED))} files to {EXPECTED}")
