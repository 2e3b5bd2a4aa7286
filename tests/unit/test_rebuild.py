"""A rebuild with nothing changed only says so, as fast as Python starts; any change, --force, or a site edited by
hand builds again; warnings and --strict behave as in the full build. (Builds the small fixture site several times.)"""

import hashlib
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import build
from icsite.publish.folder import site_listing

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "site-small"

pytestmark = pytest.mark.slow


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the fixture data (one England value removed: a warning) and content, with a site built from it."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURE / "datapackages", root / "data")
    shutil.copytree(FIXTURE / "content", root / "content")
    values = root / "data" / "urgent-care-sample" / "values.csv"
    lines = values.read_text(encoding="utf-8").splitlines(keepends=True)
    values.write_text("".join(line for line in lines if ",E92000001,Nov 2025," not in line), encoding="utf-8")
    return root


def build_into(project: Path, *extra: str) -> list[str]:
    return ["--data", str(project / "data"), "--content", str(project / "content"),
            "--out", str(project.parent / "site"), *extra]


def contents(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_nothing_changed_says_so_with_the_same_warnings_and_publishes_nothing(project, capsys):
    site = project.parent / "site"
    assert build.main(build_into(project)) == 0
    built = capsys.readouterr()
    assert built.out.startswith("Built ") and "england-missing" in built.err
    listing = site_listing(site)
    assert build.main(build_into(project)) == 0
    again = capsys.readouterr()
    assert again.out.startswith("Site is up to date: nothing changed since the last build") and "warning(s)" in again.out
    assert again.err == built.err  # the last build's warnings, as it reported them
    assert site_listing(site) == listing  # not a file written
    assert build.main(build_into(project, "--quiet")) == 0
    assert capsys.readouterr() == ("", "")
    assert build.main(build_into(project, "--force")) == 0
    assert capsys.readouterr().out.startswith("Built ")


def test_strict_fails_on_the_recorded_warnings_as_the_full_build_does(project, capsys):
    assert build.main(build_into(project)) == 0
    capsys.readouterr()
    site = project.parent / "site"
    before = contents(site)
    assert build.main(build_into(project, "--strict", "--force")) == 1
    full = capsys.readouterr()
    assert build.main(build_into(project, "--strict")) == 1
    assert capsys.readouterr() == full
    assert contents(site) == before


@pytest.mark.parametrize("change", ["data", "content", "setting", "edited by hand", "file removed", "file added"])
def test_any_change_builds_again(project, change, capsys):
    site = project.parent / "site"
    assert build.main(build_into(project, "--quiet")) == 0
    first = contents(site)
    extra = []
    if change == "data":
        values = project / "data" / "urgent-care-sample" / "values.csv"
        values.write_bytes(values.read_bytes().replace(b"74.0947", b"74.0948", 1))
    elif change == "content":
        page = project / "content" / "about.md"
        page.write_text(page.read_text(encoding="utf-8") + "\nA new sentence.\n", encoding="utf-8")
    elif change == "setting":
        extra = ["--base-url", "/ics-outcomes/"]
    elif change == "edited by hand":  # the same size, so only the modification time tells
        index = site / "index.html"
        time.sleep(0.01)
        index.write_bytes(index.read_bytes().replace(b"<html", b"<HTML", 1))
    elif change == "file removed":
        (site / "index.html").unlink()
    elif change == "file added":
        (site / "notes.txt").write_text("mine", encoding="utf-8")
    capsys.readouterr()
    assert build.main(build_into(project, *extra)) == 0
    assert capsys.readouterr().out.startswith("Built ")
    if change in ("edited by hand", "file removed", "file added"):
        assert contents(site) == first  # the site as the inputs make it, again
    assert build.main(build_into(project, *extra)) == 0
    assert capsys.readouterr().out.startswith("Site is up to date")


def test_a_failed_build_leaves_the_record_of_the_site_it_left(project, capsys):
    """Broken data is refused (exit 1, the site unchanged); with the data as it was, the site is up to date again."""
    assert build.main(build_into(project, "--quiet")) == 0
    values = project / "data" / "urgent-care-sample" / "values.csv"
    good = values.read_bytes()
    values.write_bytes(good.replace(b"E40000005", b"E40999999", 1))
    assert build.main(build_into(project, "--quiet")) == 1
    values.write_bytes(good)
    capsys.readouterr()
    assert build.main(build_into(project)) == 0
    assert capsys.readouterr().out.startswith("Site is up to date")


def test_the_up_to_date_check_is_fast_from_the_command_line(project):
    """As a publisher runs it: Python's start, the hash of the inputs and the listing of the site, no pandas."""
    command = [sys.executable, str(ROOT / "build.py"), *build_into(project, "--quiet")]
    subprocess.run(command, check=True, cwd=ROOT)
    started = time.perf_counter()
    done = subprocess.run(command + ["--timings"], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.startswith("Stages: up-to-date check"), done.stdout
    assert time.perf_counter() - started < 3
