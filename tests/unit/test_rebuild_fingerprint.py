"""The inputs' fingerprint: it changes with every input that shapes the site, and with nothing else (fast: no build)."""

import os
import shutil
import threading
from pathlib import Path

import pytest

from icsite.core.cache import distributions, fingerprint
from icsite.core.config import load_config
from icsite.publish.folder import last_build, publish, record_file, site_listing

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "site-small"


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURE / "datapackages", root / "data")
    shutil.copytree(FIXTURE / "content", root / "content")
    shutil.copytree(ROOT / "themes", root / "themes")
    return root


def settings(project: Path, **more):
    where = {"out_dir": project.parent / "site", "cache_dir": project.parent / "cache", **more}
    config, problems = load_config(data_dir=project / "data", content_dir=project / "content",
                                   themes_dir=project / "themes", **where)
    assert not problems
    return config


def test_the_same_inputs_give_the_same_fingerprint_whatever_is_printed_or_where_it_goes(project, tmp_path):
    first = fingerprint(settings(project))
    assert fingerprint(settings(project)) == first
    assert fingerprint(settings(project, quiet=True, debug=True, out_dir=tmp_path / "elsewhere",
                                cache_dir=tmp_path / "other-cache")) == first
    (project / "data" / "urgent-care-sample" / "values.csv").touch()  # a new time, the same bytes
    assert fingerprint(settings(project)) == first


@pytest.mark.parametrize("edit", ["data value", "archived release", "content page", "new content page",
                                  "default theme", "unused theme", "setting", "theme", "code"])
def test_every_input_is_in_the_fingerprint(project, tmp_path, edit):
    code = tmp_path / "code"
    (code / "icsite").mkdir(parents=True)
    (code / "icsite" / "stage.py").write_text("X = 1\n", encoding="utf-8")
    (code / "build.py").write_text("", encoding="utf-8")
    before = fingerprint(settings(project), code)
    values = project / "data" / "urgent-care-sample" / "values.csv"
    overrides = {}
    if edit == "data value":
        values.write_bytes(values.read_bytes().replace(b"74.0947", b"74.0948", 1))
    elif edit == "archived release":
        (project / "data" / "urgent-care-sample" / "releases" / "0.9.0").mkdir(parents=True)
        (project / "data" / "urgent-care-sample" / "releases" / "0.9.0" / "values.csv").write_bytes(b"x")
    elif edit == "content page":
        page = project / "content" / "about.md"
        page.write_text(page.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    elif edit == "new content page":
        (project / "content" / "press.md").write_text("# Press\n", encoding="utf-8")
    elif edit in ("default theme", "unused theme"):
        theme = "default" if edit == "default theme" else "civic"
        css = next((project / "themes" / theme / "static").rglob("*.css"))
        css.write_text(css.read_text(encoding="utf-8") + "\n/* more */\n", encoding="utf-8")
    elif edit == "setting":
        overrides = {"base_url": "/ics-outcomes/"}
    elif edit == "theme":
        overrides = {"theme": "civic"}
    elif edit == "code":
        (code / "icsite" / "stage.py").write_text("X = 2\n", encoding="utf-8")
    after = fingerprint(settings(project, **overrides), code)
    if edit == "unused theme":  # the civic theme shapes no byte of a site in the default theme
        assert after == before
        assert fingerprint(settings(project, theme="civic"), code) != fingerprint(settings(project, theme="civic"),
                                                                                  tmp_path / "no-code")
    else:
        assert after != before


def test_the_installed_packages_are_in_the_fingerprint():
    names = distributions()
    assert any(name.startswith(("pandas-", "altair-", "vl_convert_python-")) for name in names), names


def test_hostile_files_are_named_never_read(project):
    """A FIFO would block a reader forever and /dev/zero never ends: the fingerprint names them and goes on."""
    data = project / "data" / "urgent-care-sample"
    os.mkfifo(data / "pipe.csv")
    (data / "zero.csv").symlink_to("/dev/zero")
    (data / "loop").symlink_to(project / "data")  # a folder that holds itself
    done: list[str] = []
    worker = threading.Thread(target=lambda: done.append(fingerprint(settings(project))), daemon=True)
    worker.start()
    worker.join(30)
    assert done, "the fingerprint did not finish"


def test_a_record_matches_only_the_folder_as_published(tmp_path):
    out, record = tmp_path / "site", tmp_path / "cache" / "record.json"
    publish({"index.html": b"<p>home</p>", "a/index.html": b"<p>a</p>"}, out, (record, {"fingerprint": "f1"}))
    assert last_build(record, out, "f1") == {"fingerprint": "f1", "files": site_listing(out)}
    assert last_build(record, out, "f2") is None  # other inputs
    assert last_build(record, tmp_path / "other", "f1") is None  # another folder
    page = out / "a" / "index.html"
    with open(page, "r+b") as f:  # edited in place by hand, the same size
        f.write(b"<b>")
    assert last_build(record, out, "f1") is None


@pytest.mark.parametrize("change", ["added", "removed", "replaced"])
def test_a_record_does_not_match_a_folder_whose_files_changed(tmp_path, change):
    out, record = tmp_path / "site", tmp_path / "record.json"
    publish({"index.html": b"home", "a.txt": b"a"}, out, (record, {"fingerprint": "f"}))
    if change == "added":
        (out / "notes.txt").write_bytes(b"")
    elif change == "removed":
        (out / "a.txt").unlink()
    else:
        (out / "a.txt").unlink()
        (out / "a.txt").mkdir()
    assert last_build(record, out, "f") is None


def test_records_of_sites_that_are_gone_are_forgotten(tmp_path):
    cache = tmp_path / "cache"
    first, second = tmp_path / "first", tmp_path / "second"
    publish({"a": b"1"}, first, (record_file(cache, first), {"fingerprint": "f"}))
    shutil.rmtree(first)
    publish({"a": b"1"}, second, (record_file(cache, second), {"fingerprint": "f"}))
    assert sorted(cache.joinpath("builds").iterdir()) == [record_file(cache, second)]
