"""`build.py serve`: the page in the browser shows a saved markdown change within two seconds."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "site-small"

pytestmark = pytest.mark.browser


@pytest.fixture
def served(tmp_path):
    """build.py serve on a free port over a copy of the small fixture site; yields (base URL, content folder)."""
    shutil.copytree(FIXTURE / "datapackages", tmp_path / "datapackages")
    shutil.copytree(FIXTURE / "content", tmp_path / "content")
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--port", "0",
                                "--data", str(tmp_path / "datapackages"), "--content", str(tmp_path / "content"),
                                "--cache-dir", str(ROOT / ".cache")],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    lines = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            lines.append(line)
            found = re.search(r"Serving at (http://\S+/)", line)
            if found:
                yield found[1], tmp_path / "content"
                break
            if not line and process.poll() is not None:
                break
        else:
            pytest.fail("serve did not start: " + "".join(lines))
        if not found:
            pytest.fail("serve did not start: " + "".join(lines))
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_saved_markdown_shows_in_the_browser_within_two_seconds(chromium, served):
    base, content = served
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.goto(base + "about/")
        assert page.locator("h1").count() == 1
        page.wait_for_timeout(700)  # the reload script has read the site's version
        page_file = content / "about.md"
        saved = time.monotonic()
        page_file.write_text(page_file.read_text(encoding="utf-8") + "\nA sentence saved just now: 73915.\n",
                             encoding="utf-8")
        page.get_by_text("A sentence saved just now: 73915.").wait_for(timeout=5000)
        elapsed = time.monotonic() - saved
        assert elapsed < 2.0, f"the change showed after {elapsed:.2f} s"
        # a new page in the navigation re-renders every page, and the home page then links to it
        (content / "press.md").write_text("---\ntitle: Press\nnav: true\n---\nFor journalists.\n", encoding="utf-8")
        page.goto(base)
        page.get_by_role("link", name="Press").first.wait_for(timeout=5000)
    finally:
        context.close()
