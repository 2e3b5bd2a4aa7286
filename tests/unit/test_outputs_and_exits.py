"""What the build may write and what its exit status means: `--out` never replaces what the project keeps, the
published site never shares a file with the cache, builds publishing to one folder take turns, exit 3 is a bug
(not bad data), and no command prints a traceback without --debug."""

import csv
import hashlib
import multiprocessing
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import build
from icsite.publish import folder as publish_module
from icsite.publish.folder import SITE_MARKER, NotASite, publish
from icsite.pages.render import embed_code
from icsite.core.display import size_text

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "site-small"


def listing(folder: Path) -> dict[str, str]:
    """Every file below `folder` with a hash of its bytes (symbolic links by their target)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_symlink():
            out[p.relative_to(folder).as_posix()] = "-> " + str(p.readlink())
        elif p.is_file():
            out[p.relative_to(folder).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@pytest.fixture
def project(tmp_path) -> Path:
    """A publisher's project: data, content, themes and a cache folder of their own."""
    root = tmp_path / "project"
    (root / "cache").mkdir(parents=True)
    (root / "cache" / "keep.txt").write_text("cached", encoding="utf-8")
    import shutil

    shutil.copytree(FIXTURE / "datapackages", root / "data")
    shutil.copytree(FIXTURE / "content", root / "content")
    shutil.copytree(ROOT / "themes", root / "themes")
    return root


def build_into(project: Path, out: Path, *extra: str) -> int:
    return build.main(["--data", str(project / "data"), "--content", str(project / "content"),
                       "--themes", str(project / "themes"), "--cache-dir", str(project / "cache"),
                       "--out", str(out), "--quiet", *extra])


@pytest.mark.parametrize("where", ["data", "content", "themes", "cache", ".", "data/urgent-care-sample",
                                   "content/../data", "themes/default"])
def test_out_may_not_be_or_hold_what_the_project_keeps(project, where, capsys):
    before = listing(project)
    assert build_into(project, project / where) == 2
    err = capsys.readouterr().err
    assert "--out" in err and "nothing was touched" in err and "Traceback" not in err
    assert listing(project) == before


def test_out_may_not_be_inside_the_data(project, capsys):
    before = listing(project)
    assert build_into(project, project / "data" / "site") == 2
    assert "inside the data folder" in capsys.readouterr().err
    assert listing(project) == before


def test_out_may_not_be_the_project_itself():
    """The real checkout: refused before anything is read or written."""
    before = sorted(p.name for p in ROOT.iterdir())
    assert build.main(["--out", str(ROOT), "--quiet"]) == 2
    assert build.main(["--out", str(ROOT.parent), "--quiet"]) == 2
    assert sorted(p.name for p in ROOT.iterdir()) == before


def test_out_may_not_be_a_file_or_a_folder_of_other_things(project, tmp_path, capsys):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine", encoding="utf-8")
    assert build_into(project, a_file) == 2
    assert a_file.read_text(encoding="utf-8") == "mine"
    assert "is a file" in capsys.readouterr().err
    other = tmp_path / "photos"
    other.mkdir()
    (other / "holiday.jpg").write_bytes(b"\xff\xd8")
    assert build_into(project, other) == 2
    assert "not a site this tool built" in capsys.readouterr().err
    assert listing(other) == {"holiday.jpg": hashlib.sha256(b"\xff\xd8").hexdigest()}


def test_out_may_be_empty_new_or_an_earlier_site(project, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert build_into(project, empty) == 0
    assert (empty / SITE_MARKER).is_file()
    assert build_into(project, empty, "--force") == 0  # an earlier site: replaced (built again, not up to date)
    assert build_into(project, tmp_path / "new" / "site") == 0


def test_check_does_not_look_at_out(project):
    assert build.main(["--check", "--quiet", "--data", str(project / "data"), "--content", str(project / "content"),
                       "--out", str(project)]) == 0


@pytest.mark.parametrize("theme", ["../themes/default", "/etc", "default/../default", ".hidden"])
def test_theme_is_a_name_not_a_path(project, tmp_path, theme, capsys):
    assert build_into(project, tmp_path / "site", "--theme", theme) == 2
    err = capsys.readouterr().err
    assert "--theme" in err or "no theme" in err
    assert not (tmp_path / "site").exists()


def test_a_theme_folder_linked_from_outside_is_refused(project, tmp_path):
    outside = tmp_path / "elsewhere"
    (outside / "templates").mkdir(parents=True)
    (project / "themes" / "linked").symlink_to(outside)
    assert build_into(project, tmp_path / "site", "--theme", "linked") == 2


def test_an_unexpected_error_exits_3_with_one_line_and_the_hint(project, tmp_path, monkeypatch, capsys):
    import icsite.commands.build

    def broken(*args, **kwargs):
        raise RuntimeError("something inside broke\nsecond line")

    monkeypatch.setattr(icsite.commands.build, "build", broken)
    assert build_into(project, tmp_path / "site") == 3
    err = capsys.readouterr().err
    assert "Traceback" not in err and "second line" not in err
    assert "internal error: RuntimeError: something inside broke" in err and "--debug" in err
    assert build_into(project, tmp_path / "site", "--debug") == 3
    assert "Traceback" in capsys.readouterr().err


def test_bad_data_is_still_exit_1(project, tmp_path):
    values = project / "data" / "urgent-care-sample" / "values.csv"
    values.write_text(values.read_text(encoding="utf-8").replace("E54000", "E99000", 1), encoding="utf-8")
    assert build_into(project, tmp_path / "site") == 1


def run_cli(*argv: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *argv], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, cwd=ROOT, timeout=timeout)


def test_serve_on_a_port_in_use_is_a_usage_error(project):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--port", str(port), "--data", str(project / "data"),
                         "--content", str(project / "content"), "--cache-dir", str(project / "cache"), timeout=60)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and f"cannot listen on 127.0.0.1:{port}" in result.stderr


@pytest.mark.parametrize("host, port", [("192.0.2.1", "0"), ("127.0.0.1", "70000")])
def test_serve_on_an_address_that_is_not_ours_is_a_usage_error(project, host, port):
    """192.0.2.1 is a documentation address no machine has: binding fails at once, and nothing is sent."""
    result = run_cli("serve", "--host", host, "--port", port, "--data", str(project / "data"),
                     "--content", str(project / "content"), timeout=60)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "cannot listen on" in result.stderr


def test_serve_interrupted_during_the_first_build(project, monkeypatch, capsys):
    import icsite.commands.serve

    def interrupted(self, why):
        raise KeyboardInterrupt

    monkeypatch.setattr(icsite.commands.serve.Server, "full_build", interrupted)
    assert build.main(["serve", "--port", "0", "--data", str(project / "data"),
                       "--content", str(project / "content")]) == 130
    err = capsys.readouterr().err
    assert "interrupted" in err and "Traceback" not in err


@pytest.mark.parametrize("argv, status", [
    (["release", "urgent-care-sample", "--data", "/no/such/folder"], 2),
    (["release", "no-such-package"], 2),
    (["new-page", "Press", "--content", "/no/such/folder"], 2),
    (["new-indicator-package", "maternity", "--data", "/no/such/folder"], 2),
    (["new-page", "!!!"], 2),
    (["import", "ae", "/no/such/file.csv", "--package", "x", "--data", "/no/such/folder"], 2),
])
def test_other_commands_say_what_is_wrong_without_a_traceback(argv, status, tmp_path):
    result = run_cli(*argv)
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stderr and result.stderr.strip()


def test_new_indicator_package_without_an_area_registry(tmp_path):
    result = run_cli("new-indicator-package", "maternity", "--data", str(tmp_path))
    assert result.returncode == 2 and "area registry" in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_publishing_never_shares_a_file_with_the_cache(tmp_path):
    cache = tmp_path / "cache" / "image.png"
    cache.parent.mkdir()
    cache.write_bytes(b"cached image")
    out = tmp_path / "site"
    publish({"chart.png": cache}, out)
    publish({"chart.png": cache}, out)  # the second time, the unchanged file comes from the old site
    with open(out / "chart.png", "r+b") as published:  # a publisher edits the published image in place
        published.write(b"EDITED")
    assert cache.read_bytes() == b"cached image"
    assert (out / "chart.png").stat().st_ino != cache.stat().st_ino


def test_a_site_that_shares_files_with_the_cache_is_not_relinked(tmp_path):
    """Sites built before this version hard-linked cached files: the next build writes its own copy."""
    cache = tmp_path / "cache.png"
    cache.write_bytes(b"img")
    out = tmp_path / "site"
    publish({"a.png": b"img"}, out)
    (out / "a.png").unlink()
    (out / "a.png").hardlink_to(cache)
    publish({"a.png": cache}, out)
    assert (out / "a.png").stat().st_ino != cache.stat().st_ino


def test_publish_refuses_a_folder_that_is_not_a_site(tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "mine.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(NotASite):
        publish({"index.html": b"x"}, other)
    assert listing(other) == {"mine.txt": hashlib.sha256(b"keep").hexdigest()}


def publish_many(args):
    out, tag, n = args
    publish({f"p{i:05d}.html": tag.encode() for i in range(n)}, Path(out))
    return tag


def test_concurrent_builds_to_one_folder_take_turns(tmp_path):
    out = tmp_path / "site"
    n = 3000
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(4) as pool:
        done = pool.map(publish_many, [(str(out), f"build{k}", n) for k in range(4)])
    assert sorted(done) == ["build0", "build1", "build2", "build3"]
    files = sorted(p.name for p in out.iterdir() if p.name != SITE_MARKER)
    assert len(files) == n  # nothing missing: one whole build, not a mixture or a half
    assert len({(out / name).read_bytes() for name in files}) == 1
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.new-")]


def test_publishing_leaves_nothing_beside_the_site(tmp_path):
    out = tmp_path / "site"
    publish({"index.html": b"x"}, out)
    publish({"index.html": b"y"}, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert sorted(p.name for p in out.iterdir()) == sorted(["index.html", publish_module.SITE_MARKER])


def test_embed_code_cannot_break_out_of_its_attributes():
    title = 'Waits "over 4 hours" <script>alert(1)</script> \' onload="alert(2)'
    code = embed_code('charts/a"b/', title)
    iframe = BeautifulSoup(code, "html.parser").find_all("iframe")
    assert len(iframe) == 1 and set(iframe[0].attrs) == {"src", "title", "width", "height", "style", "loading"}
    assert iframe[0]["title"] == title and iframe[0]["src"] == 'charts/a"b/'


def test_the_embed_code_on_a_page_is_the_escaped_snippet(project, tmp_path):
    """A chart whose caption holds a quote: the code a reader copies from the page is still one safe iframe."""
    indicators = project / "data" / "urgent-care-sample" / "indicators.csv"
    with open(indicators, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rows[0]["title"] = rows[0]["short_title"] = 'Waits "4h" onload="alert(1)"'
    with open(indicators, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    out = tmp_path / "site"
    assert build_into(project, out) == 0
    snippets = [code.get_text() for page in out.rglob("index.html")
                for code in BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select(".embed-code code")]
    quoted = [s for s in snippets if "4h" in s]
    assert quoted, "no embed code shows the quoted title"
    for snippet in quoted:
        iframe = BeautifulSoup(snippet, "html.parser").find_all("iframe")
        assert len(iframe) == 1 and "onload" not in iframe[0].attrs
        assert 'Waits "4h" onload="alert(1)"' in iframe[0]["title"]


def test_serve_checks_an_edited_page_as_the_build_would(project):
    """`build.py serve` re-renders an edited page only if --check would pass it: a page that takes a generated
    page's address, or whose front matter the build cannot use, is reported and the last good site kept."""
    import io

    from icsite.core.config import load_config
    from icsite.commands.serve import Server

    config, _ = load_config(data_dir=project / "data", content_dir=project / "content",
                            themes_dir=project / "themes", cache_dir=project / "cache", base_url="/")
    said = io.StringIO()
    server = Server(config, said)
    server.full_build("first build")
    before = dict(server.made.files)
    page = project / "content" / "ics.md"
    page.write_text("---\ntitle: Mine\n---\nHello", encoding="utf-8")
    server.content_changed([page.resolve()])
    assert "page-address-taken" in said.getvalue() and "Not re-rendered" in said.getvalue()
    assert server.made.files["ics/index.html"] == before["ics/index.html"]
    page.unlink()
    about = next((project / "content").glob("*.md"))
    about.write_text("---\ntitle: About\nnav_order: [1, 2]\n---\nText", encoding="utf-8")
    server.content_changed([about.resolve()])
    assert "page-field-invalid" in said.getvalue()


def test_the_site_refuses_to_write_one_path_twice():
    """The safety net under validation: no part of a build can silently replace a file another part wrote."""
    from icsite.publish.folder import PathWrittenTwice, SiteFiles

    files = SiteFiles()
    files["ics/index.html"] = b"generated"
    with pytest.raises(PathWrittenTwice):
        files["ics/index.html"] = b"a content page"
    with pytest.raises(PathWrittenTwice):
        files.update({"new.html": b"x", "ics/index.html": b"y"})
    files.replace("ics/index.html", b"rendered again")  # serve re-rendering a page says so
    assert files["ics/index.html"] == b"rendered again"


def test_a_site_larger_than_github_pages_publishes_is_named_with_its_largest_parts():
    listing = {"ics/a/index.html": [600_000_000, 0, 0], "ics/b/index.html": [300_000_000, 0, 0],
               "api/v1/x.json": [200_000_000, 0, 0], "index.html": [5_000, 0, 0]}
    warning = publish_module.size_warning(listing)
    assert warning.startswith("The site is 1.10 GB: GitHub Pages publishes sites of up to 1.00 GB.")
    assert "Largest parts: ics/ 900.0 MB, api/ 200.0 MB, index.html 5 kB." in warning
    listing["ics/a/index.html"][0] = 400_000_000  # 0.905 GB: fits
    assert publish_module.size_warning(listing) == ""
    assert [size_text(n) for n in (512, 34_400, 72_213_000, 2_383_000_000)] == [
        "512 bytes", "34 kB", "72.2 MB", "2.38 GB"]
