"""Hostile inputs: files from outside the project, files that never end, files built to exhaust memory, names and
versions that are paths, and pages at the build's own addresses. Each is a located problem from `--check` (exit 1,
no traceback), the build refuses it, and nothing from outside the project reaches the report or the site.

Inputs that could hang or exhaust the machine if a guard failed are checked in a child process with a timeout, and
the child's peak memory is measured.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import build
import icsite.core.markup
from icsite.inputs import guard, load
from icsite.core.config import load_config
from icsite.core.problems import CODES, QUOTE_CHARS, Problem, format_report, report_json
from icsite.datasets.releases import ReleaseRefused, archived, keep_release, package_members, snapshot

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "site-small"
PACKAGE = "urgent-care-sample"
# problems name files relative to the data folder's parent: here, the test's own folder
V = f"data/{PACKAGE}/values.csv"
I = f"data/{PACKAGE}/indicators.csv"
D = f"data/{PACKAGE}/datapackage.json"
R = f"data/{PACKAGE}/releases/0.9.0"
SECRET = "SECRET-8d1f0c"  # in files outside the project: must never appear in a report or the site
SECONDS = 30  # a hostile input is refused within this (a guard that failed would hang or take minutes)
PEAK_MB = 1024


@pytest.fixture
def root(tmp_path) -> Path:
    """A copy of the small fixture: tmp/data (the packages) and tmp/content (the pages)."""
    shutil.copytree(FIXTURE / "datapackages", tmp_path / "data")
    shutil.copytree(FIXTURE / "content", tmp_path / "content")
    return tmp_path


@pytest.fixture
def outside(tmp_path_factory) -> Path:
    """A folder outside the project holding files with the secret: a CSV and a page."""
    folder = tmp_path_factory.mktemp("outside")
    (folder / "values.csv").write_text(f"{SECRET},b\n1,2\n", encoding="utf-8")
    (folder / "page.md").write_text(f"---\ntitle: {SECRET}\n---\n{SECRET}\n", encoding="utf-8")
    return folder


def check(root: Path, capsys) -> tuple[int, list[list], str]:
    """`build.py --check --format json`: exit code, the problems as [code, file, row, field], everything printed."""
    code = build.main(["--check", "--format", "json", "--data", str(root / "data"), "--content",
                       str(root / "content")])
    captured = capsys.readouterr()
    problems = json.loads(captured.out)["problems"]
    return code, [[p["code"], p["file"], p["row"], p["field"]] for p in problems], captured.out + captured.err


def build_refuses(root: Path, capsys) -> str:
    """Build into a new folder: it must exit 1 with a report, no traceback, and write nothing."""
    out = root / "site"
    code = build.main(["--data", str(root / "data"), "--content", str(root / "content"), "--out", str(out),
                       "--quiet"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err and "Nothing was written" in err, err
    assert not out.exists()
    return err


def assert_refused(root: Path, capsys, expected: list) -> str:
    """--check exits 1 with `expected` among its problems and no traceback; the build refuses too."""
    code, problems, printed = check(root, capsys)
    assert code == 1 and "Traceback" not in printed
    for item in expected:
        assert item in problems, (item, problems)
    return printed + build_refuses(root, capsys)


CHILD = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
run = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=%d, stdin=subprocess.DEVNULL)
print(json.dumps({"rc": run.returncode, "out": run.stdout, "err": run.stderr, "seconds": time.perf_counter() - start,
                  "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
""" % (4 * SECONDS)


def check_in_child(root: Path) -> dict:
    """`build.py --check --format json` in a grandchild process, timed and with its peak memory (ru_maxrss of the
    only child of a wrapper process, so nothing else the tests ran is counted). A hang fails, it never blocks."""
    argv = [sys.executable, str(ROOT / "build.py"), "--check", "--format", "json", "--data", str(root / "data"),
            "--content", str(root / "content")]
    wrapper = subprocess.run([sys.executable, "-c", CHILD, *argv], capture_output=True, text=True,
                             timeout=5 * SECONDS, cwd=ROOT, stdin=subprocess.DEVNULL)
    assert wrapper.returncode == 0, wrapper.stderr[-2000:]
    result = json.loads(wrapper.stdout)
    assert result["rc"] == 1 and "Traceback" not in result["out"] + result["err"], result["err"][-2000:]
    assert result["seconds"] < SECONDS and result["peak_mb"] < PEAK_MB, (result["seconds"], result["peak_mb"])
    problems = json.loads(result["out"])["problems"]
    result["problems"] = [[p["code"], p["file"], p["row"], p["field"]] for p in problems]
    return result


def values_lines(root: Path) -> list[str]:
    return (root / "data" / PACKAGE / "values.csv").read_text(encoding="utf-8").split("\n")


def edit_descriptor(folder: Path, **changes) -> None:
    path = folder / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor.update(changes)
    path.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")


def set_resource_path(folder: Path, name: str, path: str) -> None:
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    next(r for r in descriptor["resources"] if r["name"] == name)["path"] = path
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")


def keep_archived(root: Path, version: str = "0.9.0") -> Path:
    """An archived release of the sample package, as `build.py release` would keep it (comparisons aside)."""
    package = root / "data" / PACKAGE
    folder = package / "releases" / version
    shutil.copytree(package, folder, ignore=shutil.ignore_patterns("releases"))
    edit_descriptor(folder, version=version)
    return folder


# --- Files from outside the package -------------------------------------------------------------------------------

def test_archived_release_naming_a_file_outside_is_refused_and_never_published(root, outside, capsys):
    release = keep_archived(root)
    set_resource_path(release, "values", "/etc/hostname")
    (release / "indicators.csv").unlink()
    (release / "indicators.csv").symlink_to(outside / "values.csv")
    printed = assert_refused(root, capsys, [
        ["resource-path-unsafe", f"{R}/datapackage.json", None, "resources/values/path"],
        ["resource-path-unsafe", f"{R}/datapackage.json", None, "resources/indicators/path"]])
    assert SECRET not in printed
    # the release history reads the release's files through the same guard, even if validation were skipped
    with pytest.raises(load.Refused) as refused:
        archived(root / "data" / PACKAGE, PACKAGE)
    assert refused.value.code == "resource-path-unsafe"
    descriptor = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    with pytest.raises(load.Refused):
        package_members(release, descriptor)


def test_a_valid_archived_release_is_published_with_only_its_own_files(root, capsys):
    keep_archived(root)
    code, problems, _ = check(root, capsys)
    assert code == 0 and problems == []
    out = root / "site"
    assert build.main(["--data", str(root / "data"), "--content", str(root / "content"), "--out", str(out),
                       "--quiet"]) == 0
    sums = (out / "data" / PACKAGE / "0.9.0" / "SHA256SUMS").read_text(encoding="utf-8")
    listed = sorted(line.split("  ", 1)[1] for line in sums.splitlines())
    assert listed == sorted(["README.txt", "datapackage.json", "indicators.csv", "values.csv", f"{PACKAGE}.xlsx"])


def test_values_linked_to_a_csv_outside_is_refused_unread(root, outside, capsys):
    values = root / "data" / PACKAGE / "values.csv"
    values.unlink()
    values.symlink_to(outside / "values.csv")
    printed = assert_refused(root, capsys, [["resource-path-unsafe", D, None, "resources/values/path"]])
    assert SECRET not in printed


def test_resource_linked_to_etc_passwd_is_never_quoted(root, capsys):
    areas = root / "data" / "areas" / "areas.csv"
    areas.unlink()
    areas.symlink_to("/etc/passwd")
    printed = assert_refused(root, capsys, [["resource-path-unsafe", "data/areas/datapackage.json", None,
                                             "resources/areas/path"]])
    assert "root:" not in printed and "/bin/" not in printed


def test_a_link_inside_the_package_is_followed(root, capsys):
    package = root / "data" / PACKAGE
    (package / "files").mkdir()
    (package / "values.csv").rename(package / "files" / "values.csv")
    (package / "values.csv").symlink_to(Path("files") / "values.csv")
    code, problems, _ = check(root, capsys)
    assert code == 0 and problems == []


def test_package_folder_linked_from_outside_is_refused(root, capsys):
    elsewhere = root / "elsewhere"
    shutil.move(root / "data" / PACKAGE, elsewhere)
    (root / "data" / PACKAGE).symlink_to(elsewhere)
    assert_refused(root, capsys, [["package-path-unsafe", D, None, None]])


def test_content_page_linked_outside_is_refused_and_never_published(root, outside, capsys):
    (root / "content" / "leak.md").symlink_to(outside / "page.md")
    printed = assert_refused(root, capsys, [["page-path-unsafe", "content/leak.md", None, None]])
    assert SECRET not in printed


# --- Inputs that never end ----------------------------------------------------------------------------------------

def test_a_fifo_resource_is_refused_at_once(root):
    values = root / "data" / PACKAGE / "values.csv"
    values.unlink()
    os.mkfifo(values)
    result = check_in_child(root)
    assert ["file-not-regular", V, None, None] in result["problems"]


def test_a_fifo_page_is_refused_at_once(root):
    os.mkfifo(root / "content" / "pipe.md")
    assert ["file-not-regular", "content/pipe.md", None, None] in check_in_child(root)["problems"]


def test_a_resource_linked_to_dev_zero_is_refused_at_once(root):
    values = root / "data" / PACKAGE / "values.csv"
    values.unlink()
    values.symlink_to("/dev/zero")
    assert ["resource-path-unsafe", D, None, "resources/values/path"] in check_in_child(root)["problems"]


LAUGHS = "".join(f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi"))
BILLION_LAUGHS = f'---\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n{LAUGHS}title: *i\n---\nlol\n'


def test_billion_laughs_front_matter_is_refused_quickly(root, capsys):
    assert len(BILLION_LAUGHS) < 600
    (root / "content" / "laughs.md").write_text(BILLION_LAUGHS, encoding="utf-8")
    assert ["page-yaml-alias", "content/laughs.md", None, None] in check_in_child(root)["problems"]
    build_refuses(root, capsys)


@pytest.mark.parametrize("body", ["[" * 20_000, "- " * 10_000 + "x", "a\n: b\n" * 5_000],
                         ids=["brackets", "nested-list", "definitions"])
def test_markdown_that_cannot_be_rendered_in_bounded_time_is_refused(root, capsys, monkeypatch, body):
    monkeypatch.setattr(icsite.core.markup, "RENDER_SECONDS", 2.0)  # 20,000 [ take python-markdown about a minute
    (root / "content" / "slow.md").write_text(f"---\ntitle: Slow\n---\n{body}", encoding="utf-8")
    started = time.perf_counter()
    code, problems, printed = check(root, capsys)
    assert code == 1 and problems == [["page-too-complex", "content/slow.md", None, None]]
    assert "Traceback" not in printed and time.perf_counter() - started < SECONDS
    build_refuses(root, capsys)


def test_a_ten_megabyte_line_of_commas_is_refused_in_bounded_memory(root):
    lines = values_lines(root)
    lines.insert(1, "," * 10_000_000)
    (root / "data" / PACKAGE / "values.csv").write_text("\n".join(lines), encoding="utf-8")
    assert ["row-too-wide", V, 2, None] in check_in_child(root)["problems"]


def test_a_ten_megabyte_line_of_text_is_refused_in_bounded_memory(root):
    lines = values_lines(root)
    lines[9] += "x" * 10_000_000  # in the note
    (root / "data" / PACKAGE / "values.csv").write_text("\n".join(lines), encoding="utf-8")
    assert ["line-too-long", V, 10, None] in check_in_child(root)["problems"]


def test_many_rows_of_many_cells_are_refused_in_bounded_time(root):
    lines = values_lines(root)
    lines[1:1] = [lines[1] + "," * 100_000] * 200  # 20 MB: lines of 100,000 cells each, within the line limit
    (root / "data" / PACKAGE / "values.csv").write_text("\n".join(lines), encoding="utf-8")
    assert ["row-too-wide", V, 2, None] in check_in_child(root)["problems"]


def test_a_header_of_ten_million_names_is_refused_in_bounded_memory(root):
    with open(root / "data" / PACKAGE / "indicators.csv", "w", encoding="utf-8") as f:
        f.write(",".join(["a"] * 10_000_000) + "\n")  # 20 MB
    assert ["header-too-wide", I, 1, None] in check_in_child(root)["problems"]


def test_a_file_over_the_size_limit_is_refused(root, capsys, monkeypatch):
    monkeypatch.setattr(load, "MAX_RESOURCE_BYTES", 1000)
    assert (root / "data" / PACKAGE / "values.csv").stat().st_size > 1000
    assert_refused(root, capsys, [["file-too-large", V, None, None]])


def test_a_file_that_cannot_be_opened_is_refused(root, capsys, monkeypatch):
    real_open = os.open

    def no_permission(path, *args, **kwargs):
        if Path(path).name == "values.csv":
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", no_permission)
    assert_refused(root, capsys, [["file-unreadable", V, None, None]])


def test_a_page_over_the_size_limit_is_refused(root, capsys, monkeypatch):
    monkeypatch.setattr(load, "MAX_PAGE_BYTES", 1000)
    (root / "content" / "long.md").write_text("---\ntitle: Long\n---\n" + "word " * 400, encoding="utf-8")
    assert_refused(root, capsys, [["file-too-large", "content/long.md", None, None]])


def test_a_huge_cell_never_appears_in_full_in_the_report(root, capsys):
    lines = values_lines(root)
    cells = lines[9].split(",")
    cells[5] = "9" * 5 + "x" * 500_000  # value: half a megabyte, under the line limit
    lines[9] = ",".join(cells)
    (root / "data" / PACKAGE / "values.csv").write_text("\n".join(lines), encoding="utf-8")
    code, problems, printed = check(root, capsys)
    assert code == 1 and ["type-error", V, 10, "value"] in problems
    assert len(printed) < 20_000 and "x" * (QUOTE_CHARS + 1) not in printed and "\\u2026" in printed  # "…"
    err = build_refuses(root, capsys)
    assert len(err) < 20_000 and "x" * (QUOTE_CHARS + 1) not in err


def test_a_problem_bounds_whatever_it_quotes():
    huge = "y" * 10_000_000
    p = Problem("type-error", "f.csv", 2, huge, f'the cell "{huge}" is not a number', huge, huge)
    assert len(p.field) == len(p.expected) == len(p.found) == QUOTE_CHARS and p.found.endswith("…")
    assert p.message.startswith('the cell "yyy') and p.message.endswith('…" is not a number')
    assert len(format_report([p])) < 2000 and len(report_json([p])) < 2000


# --- Names and versions ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("version", ["../x", "/abs", "1.0/../../x", "1.0\n", ""])
def test_unsafe_versions_are_refused_by_check_and_by_release(root, capsys, version):
    version = str(root / "abs") if version == "/abs" else version
    edit_descriptor(root / "data" / PACKAGE, version=version)
    assert_refused(root, capsys, [["version-unsafe", D, None, "version"]])
    before = sorted(p.as_posix() for p in root.rglob("*"))
    assert build.main(["release", PACKAGE, "--data", str(root / "data")]) == 1
    assert "version-unsafe" in capsys.readouterr().err
    config, _ = load_config(data_dir=root / "data", content_dir=root / "content")
    with pytest.raises(ReleaseRefused):
        keep_release(config, PACKAGE)
    # and the release folder is never named by it, even when validation is not asked
    descriptor = json.loads((root / "data" / PACKAGE / "datapackage.json").read_text(encoding="utf-8"))
    with pytest.raises(ValueError, match="cannot name a release folder"):
        snapshot(root / "data" / PACKAGE, descriptor, pd.DataFrame())
    assert sorted(p.as_posix() for p in root.rglob("*")) == before
    assert not (root / "abs").exists() and not (root / "data" / "x").exists()


def test_a_missing_version_is_refused(root, capsys):
    descriptor = json.loads((root / "data" / PACKAGE / "datapackage.json").read_text(encoding="utf-8"))
    del descriptor["version"]
    (root / "data" / PACKAGE / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    assert_refused(root, capsys, [["version-unsafe", D, None, "version"]])


def test_a_releases_folder_linked_outside_is_never_written(root, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (root / "data" / PACKAGE / "releases").symlink_to(elsewhere, target_is_directory=True)
    assert build.main(["release", PACKAGE, "--data", str(root / "data")]) == 1
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("name", ["../x", "a/b", "Values"])
def test_unsafe_resource_names_are_refused(root, capsys, name):
    descriptor = json.loads((root / "data" / PACKAGE / "datapackage.json").read_text(encoding="utf-8"))
    position = next(i for i, r in enumerate(descriptor["resources"]) if r["name"] == "indicators")
    descriptor["resources"][position]["name"] = name
    (root / "data" / PACKAGE / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    assert_refused(root, capsys, [["name-unsafe", D, None, f"resources/{position}/name"]])


def test_two_packages_of_one_name_are_refused(root, capsys):
    """The second would be published over the first at data/<name>/ (their indicators differ, so nothing else
    catches it)."""
    copy = root / "data" / "copy"
    shutil.copytree(root / "data" / PACKAGE, copy, ignore=shutil.ignore_patterns("releases"))
    for name in ("indicators.csv", "values.csv"):
        path = copy / name
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text(lines[0] + "".join(line.replace(",", "_b,", 1) for line in lines[1:]), encoding="utf-8")
    assert_refused(root, capsys, [["package-name-duplicate", f"data/{PACKAGE}/datapackage.json", None, "name"]])


def test_unsafe_package_name_is_refused(root, capsys):
    edit_descriptor(root / "data" / PACKAGE, name="a/../../b")
    assert_refused(root, capsys, [["name-unsafe", D, None, "name"]])


# --- Archived releases: --check and the build agree ---------------------------------------------------------------

def test_archived_release_with_broken_json_is_refused(root, capsys):
    release = keep_archived(root)
    (release / "datapackage.json").write_text('{"name": ', encoding="utf-8")
    assert_refused(root, capsys, [["package-invalid-json", f"{R}/datapackage.json", None, None]])


def test_archived_release_with_ragged_rows_is_refused(root, capsys):
    release = keep_archived(root)
    lines = (release / "values.csv").read_text(encoding="utf-8").split("\n")
    lines[4] += ",surplus"
    (release / "values.csv").write_text("\n".join(lines), encoding="utf-8")
    assert_refused(root, capsys, [["resource-unreadable", f"{R}/values.csv", None, None]])


def test_archived_release_with_a_missing_resource_is_refused(root, capsys):
    (keep_archived(root) / "values.csv").unlink()
    assert_refused(root, capsys, [["resource-missing", f"{R}/datapackage.json", None, "resources/values/path"]])


def test_archived_comparisons_without_their_columns_are_refused(root, capsys):
    (keep_archived(root) / "comparisons.csv").write_text("indicator_id,area_code\nx,y\n", encoding="utf-8")
    assert_refused(root, capsys, [["column-missing", f"{R}/comparisons.csv", 1, "period"],
                                  ["column-missing", f"{R}/comparisons.csv", 1, "compared_to_england"]])


def test_archived_release_in_the_wrong_folder_is_refused(root, capsys):
    edit_descriptor(keep_archived(root), version="0.8.0")
    assert_refused(root, capsys, [["release-version-mismatch", f"{R}/datapackage.json", None, "version"]])


def test_archived_release_with_an_invalid_descriptor_is_refused(root, capsys):
    edit_descriptor(keep_archived(root), created="yesterday")
    assert_refused(root, capsys, [["descriptor-invalid", f"{R}/datapackage.json", None, None]])


# --- Content pages ------------------------------------------------------------------------------------------------

def write_page(root: Path, name: str, front: str, body: str = "Text.\n") -> None:
    path = root / "content" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front}---\n{body}", encoding="utf-8")


@pytest.mark.parametrize("where", ["package", "resource"])
def test_a_profile_given_by_address_is_refused_unfetched(root, capsys, where):
    descriptor = json.loads((root / "data" / PACKAGE / "datapackage.json").read_text(encoding="utf-8"))
    part = descriptor if where == "package" else descriptor["resources"][0]
    part["profile"] = "http://127.0.0.1:9/profile.json"  # Frictionless would fetch it
    (root / "data" / PACKAGE / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    field = "profile" if where == "package" else f"resources/{descriptor['resources'][0]['name']}/profile"
    printed = assert_refused(root, capsys, [["descriptor-invalid", D, None, field]])
    assert "cannot retrieve" not in printed


def test_a_schema_in_another_file_is_refused_unread(root, capsys):
    descriptor = json.loads((root / "data" / PACKAGE / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"][1]["schema"] = "http://127.0.0.1:9/schema.json"
    (root / "data" / PACKAGE / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    field = f"resources/{descriptor['resources'][1]['name']}/schema"
    code, problems, _ = check(root, capsys)
    assert code == 1 and problems == [["descriptor-invalid", D, None, field]]
    build_refuses(root, capsys)


def test_a_template_in_front_matter_is_refused(root, capsys):
    write_page(root, "styled.md", "title: Styled\ntemplate: profile.html\n")
    assert_refused(root, capsys, [["page-field-invalid", "content/styled.md", None, "template"]])


def test_the_default_template_may_be_named(root, capsys):
    write_page(root, "plain.md", "title: Plain\ntemplate: content.html\n")
    assert check(root, capsys)[:2] == (0, [])


def test_nav_order_of_mixed_kinds_is_refused(root, capsys):
    write_page(root, "first.md", "title: First\nnav: true\nnav_order: 1\n")
    write_page(root, "second.md", "title: Second\nnav: true\nnav_order: x\n")
    assert_refused(root, capsys, [["page-field-invalid", "content/second.md", None, "nav_order"]])


@pytest.mark.parametrize("key, value", [("title", "[a, b]"), ("nav", "maybe"), ("footer_order", "null"),
                                        ("description", "{a: 1}")])
def test_front_matter_values_of_the_wrong_kind_are_refused(root, capsys, key, value):
    write_page(root, "odd.md", f"{key}: {value}\n")
    assert_refused(root, capsys, [["page-field-invalid", "content/odd.md", None, key]])


@pytest.mark.parametrize("name", ["ics.md", "index.md", "data.md", "indicators.md", "compare.md", "search.md",
                                  "regions.md", "assets.md", "ics/kent-and-medway.md", "data/index.md",
                                  "api/v1.md", "api/v1/areas.json.md", "feed.xml.md", "ICS.md"])
def test_a_page_at_an_address_of_the_build_is_refused(root, capsys, name):
    write_page(root, name, "title: Mine\n")
    assert_refused(root, capsys, [["page-address-taken", f"content/{name}", None, None]])


def test_the_api_page_and_pages_in_folders_are_not_taken(root, capsys):
    write_page(root, "api.md", "title: API\n")
    write_page(root, "guides/start.md", "title: Start\n")
    assert check(root, capsys)[:2] == (0, [])


def test_two_pages_at_one_address_are_refused(root, capsys):
    write_page(root, "notes.md", "title: Notes\n")
    write_page(root, "notes/index.md", "title: More notes\n")
    assert_refused(root, capsys, [["page-address-taken", "content/notes.md", None, None],
                                  ["page-address-taken", "content/notes/index.md", None, None]])


# --- The limits are documented as they are ------------------------------------------------------------------------

def test_the_documented_limits_are_the_limits():
    assert (guard.MAX_RESOURCE_BYTES, guard.MAX_LINE_BYTES, guard.MAX_COLUMNS) == (2 * 1024**3, 1024**2, 1000)
    assert (guard.MAX_DESCRIPTOR_BYTES, guard.MAX_PAGE_BYTES) == (16 * 1024**2, 1024**2)
    assert "2 GiB" in CODES["file-too-large"][0] and "16 MiB" in CODES["file-too-large"][0]
    assert "1 MiB" in CODES["line-too-long"][0] and "1,000" in CODES["header-too-wide"][0]
    assert "1,000" in CODES["row-too-wide"][0]
    assert (icsite.core.markup.RENDER_SECONDS, icsite.core.markup.RENDER_MEMORY) == (10, 1024**3)
    assert "10 seconds and 1 GiB" in CODES["page-too-complex"][0]
    page = (ROOT / "content" / "data-standard.md").read_text(encoding="utf-8")
    for row in ("| a CSV file | 2 GiB |", "| a line of a CSV file | 1 MiB |",
                "| the columns of a CSV header, and the cells of any line (commas in quoted text count too) | 1,000 |",
                "| a `datapackage.json` | 16 MiB |", "| a markdown page in `content/` | 1 MiB |",
                "| rendering a page's markdown | 10 seconds and 1 GiB of memory |"):
        assert row in page
