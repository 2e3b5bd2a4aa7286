"""`build.py serve` after a markdown edit: the edited page is served new at once and no other page is rendered
again; a new navigation title marks every page, each rendered when asked for; the search index follows."""

import io
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from icsite.core.config import load_config
from icsite.commands.serve import Server

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "site-small"

pytestmark = pytest.mark.slow


@pytest.fixture
def served(tmp_path) -> tuple[Server, Path]:
    """A server of the fixture site (its first build done), and its content folder."""
    shutil.copytree(FIXTURE / "datapackages", tmp_path / "data")
    shutil.copytree(FIXTURE / "content", tmp_path / "content")
    config, _ = load_config(data_dir=tmp_path / "data", content_dir=tmp_path / "content", base_url="/")
    server = Server(config, io.StringIO())
    server.full_build("first build")
    return server, tmp_path / "content"


def search_files(server: Server) -> dict:
    return {k: v for k, v in server.made.files.items() if k.startswith("pagefind/")}


def test_a_text_edit_renders_that_page_alone(served):
    server, content = served
    before, version = dict(server.made.files), server.version
    page = content / "about.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nA sentence saved just now.\n", encoding="utf-8")
    server.content_changed([page.resolve()])
    status, kind, body, _ = server.response("/about/")
    assert (status, kind) == (200, "text/html; charset=utf-8") and b"A sentence saved just now." in body
    assert server.version == version + 1  # the browser reloads
    assert [k for k in before if server.made.files[k] is not before[k]] == ["about/index.html"]  # no other page
    assert not server.stale and server.index_due
    server.catch_up()  # the background's work: the search index, remade from the new page
    assert not server.index_due and search_files(server) != {k: before[k] for k in before if k.startswith("pagefind/")}
    assert "Search index updated" in server.out.getvalue()


def test_a_new_navigation_title_renders_each_page_when_asked_for(served):
    server, content = served
    before = dict(server.made.files)
    page = content / "about.md"
    page.write_text(page.read_text(encoding="utf-8").replace("title: About this fixture", "title: Our story"),
                    encoding="utf-8")
    server.content_changed([page.resolve()])
    assert "Re-rendered 1 page(s)" in server.out.getvalue() and "every other page follows" in server.out.getvalue()
    assert b"Our story" in server.made.files["about/index.html"]
    html = [k for k in before if k.endswith(".html") and k != "about/index.html"]
    assert sorted(server.stale) == sorted(html)  # every other page (the 404 page too), none rendered yet
    assert all(server.made.files[k] is before[k] for k in html)
    status, _, body, _ = server.response("/ics/")
    assert status == 200 and b"Our story" in body and "ics/index.html" not in server.stale
    status, _, body, _ = server.response("/no/such/page/")
    assert status == 404 and b"Our story" in body
    server.catch_up()
    navigated = [k for k in html if b"About this fixture" in before[k]]  # (embedded charts have no navigation)
    assert len(navigated) > 10 and not server.stale
    assert all(b"Our story" in server.made.files[k] and b"About this fixture" not in server.made.files[k]
               for k in navigated)
    assert not server.index_due


def test_a_removed_page_is_no_longer_served(served):
    server, content = served
    page = content / "press.md"
    page.write_text("---\ntitle: Press\n---\nFor journalists.\n", encoding="utf-8")
    server.content_changed([page.resolve()])
    assert server.response("/press/")[0] == 200
    page.unlink()
    server.content_changed([page.resolve()])
    assert server.response("/press/")[0] == 404


def test_served_after_a_save_within_a_second(tmp_path):
    """The whole path, as an author meets it: `build.py serve` in its own process, a page saved, the new HTML
    fetched (the target is one second; the bound here leaves room for a busy test machine)."""
    shutil.copytree(FIXTURE / "datapackages", tmp_path / "data")
    shutil.copytree(FIXTURE / "content", tmp_path / "content")
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--port", "0", "--data",
                                str(tmp_path / "data"), "--content", str(tmp_path / "content")],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    said: list[str] = []
    ready = threading.Event()

    def read() -> None:
        for line in process.stdout:
            said.append(line)
            ready.set() if "Serving at" in line else None

    threading.Thread(target=read, daemon=True).start()
    try:
        assert ready.wait(120), "".join(said)
        url = re.search(r"Serving at (http://\S+/)", "".join(said))[1] + "about/"
        page = tmp_path / "content" / "about.md"
        saved = time.perf_counter()
        page.write_text(page.read_text(encoding="utf-8") + "\nSaved: 51427.\n", encoding="utf-8")
        while b"Saved: 51427." not in urllib.request.urlopen(url).read():
            assert time.perf_counter() - saved < 5, "".join(said)
            time.sleep(0.01)
        deadline = time.monotonic() + 10  # its report may come a moment after the page is served
        while not any(line.startswith("Re-rendered") for line in said) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert any(line.startswith("Re-rendered 1 page(s)") for line in said), "".join(said)
    finally:
        process.terminate()
        process.wait(timeout=30)
