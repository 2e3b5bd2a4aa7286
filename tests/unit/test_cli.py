"""build.py as a publisher meets it: exit codes, reports without tracebacks, and a site that is never half-written."""

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from frictionless import validate

import build

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "site-small"


def args(data: Path, out: Path, *extra: str) -> list[str]:
    return ["--data", str(data), "--content", str(FIXTURE / "content"), "--out", str(out), "--quiet", *extra]


def snapshot(folder: Path) -> dict[str, str]:
    """Every file's SHA-256, to show a folder is byte-for-byte unchanged."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def broken_data(tmp_path) -> Path:
    """A copy of the fixture data with one unknown area code on line 3 of values.csv."""
    data = tmp_path / "data"
    shutil.copytree(FIXTURE / "datapackages", data)
    values = data / "urgent-care-sample" / "values.csv"
    lines = values.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].replace(lines[2].split(",")[1], "E54999999", 1)
    values.write_text("".join(lines), encoding="utf-8")
    return data


@pytest.fixture
def built_site(tmp_path) -> Path:
    out = tmp_path / "site"
    assert build.main(args(FIXTURE / "datapackages", out)) == 0
    return out


def test_check_passes_on_the_fixture(capsys):
    assert build.main(["--check", "--data", str(FIXTURE / "datapackages"), "--content", str(FIXTURE / "content")]) == 0
    assert "No problems found." in capsys.readouterr().out


def test_bad_data_exits_1_with_a_located_report_and_leaves_the_site_alone(broken_data, built_site, capsys):
    before = snapshot(built_site)
    assert build.main(args(broken_data, built_site)) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "data/urgent-care-sample/values.csv (1 problem(s))" in err  # relative to the data folder's parent
    assert "[area-unknown] row 3, field area_code" in err
    assert "hint:" in err and "Nothing was written" in err
    assert snapshot(built_site) == before


def test_check_json_report(broken_data, capsys):
    code = build.main(["--check", "--format", "json", "--data", str(broken_data), "--content", str(FIXTURE / "content")])
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and report["valid"] is False
    assert [(p["code"], p["file"].rsplit("/", 2)[-2:], p["row"], p["field"]) for p in report["problems"]] == [
        ("area-unknown", ["urgent-care-sample", "values.csv"], 3, "area_code")]


def test_no_traceback_from_the_command_line(broken_data, tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), *args(broken_data, tmp_path / "out")],
                            capture_output=True, text=True, stdin=subprocess.DEVNULL, cwd=ROOT, timeout=120)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "area-unknown" in result.stderr
    assert not (tmp_path / "out").exists()


def test_template_error_leaves_the_previous_site(built_site, tmp_path, capsys):
    themes = tmp_path / "themes"
    shutil.copytree(ROOT / "themes" / "default", themes / "default")
    (themes / "default" / "templates" / "indicator.html").write_text("{{ page.no_such_field }}", encoding="utf-8")
    before = snapshot(built_site)
    assert build.main(args(FIXTURE / "datapackages", built_site, "--themes", str(themes))) == 1
    assert "Traceback" not in capsys.readouterr().err
    assert snapshot(built_site) == before
    assert not [p for p in built_site.parent.iterdir() if p.name.startswith(".site.")], "staging folder left behind"


@pytest.mark.parametrize("argv", [["--no-such-flag"], ["--data", "/no/such/folder"], ["--theme", "nope"]])
def test_usage_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        raise SystemExit(build.main(argv + ["--check"]))
    assert exit_info.value.code == 2


def test_published_packages_validate_unchanged(built_site):
    descriptors = sorted(built_site.glob("data/*/1.0.0/datapackage.json"))
    assert [d.parent.parent.name for d in descriptors] == ["areas", "urgent-care-sample"]
    for descriptor in descriptors:
        report = validate(str(descriptor))
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type"])
        source = FIXTURE / "datapackages" / descriptor.parent.parent.name
        for file in source.iterdir():
            assert (descriptor.parent / file.name).read_bytes() == file.read_bytes()
        assert (descriptor.parent / f"{descriptor.parent.parent.name}.xlsx").stat().st_size > 0
        assert 'url=../1.0.0/"' in (descriptor.parent.parent / "latest" / "index.html").read_text(encoding="utf-8")


def test_summary_line(tmp_path, capsys):
    import re

    out = tmp_path / "site"
    assert build.main(args(FIXTURE / "datapackages", out)[:-1]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    match = re.fullmatch(r"Built (\d+) pages, (\d+) charts \((\d+) images rendered\) and (\d+) downloads "
                         r"\(([\d.]+ [kM]B)\) in [\d.]+ s\.", line)
    assert match, line
    assert int(match[1]) == len(list(out.rglob("index.html")))
    assert int(match[2]) == len(list(out.rglob("*.vl.json")))
    on_disk = sum(path.stat().st_size for path in out.rglob("*") if path.is_file())
    assert match[5] == (f"{on_disk / 1e6:.1f} MB" if on_disk >= 1e6 else f"{on_disk / 1e3:.0f} kB")  # as published


@pytest.mark.parametrize("mode", ["first", "none"])
def test_images_setting_leaves_pages_that_work_without_javascript(tmp_path, mode):
    """`--images first|none` (for very large sites): a chart without an image shows its table, open, instead (an
    embed page links to its page's table, never a copy); no page links an image that is not there; the link preview
    goes with the first chart's PNG."""
    import re

    out = tmp_path / "site"
    assert build.main(args(FIXTURE / "datapackages", out, "--images", mode, "--cache-dir", str(tmp_path / "c"))) == 0
    every_svg = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.svg"))
    svgs = [s for s in every_svg if not s.endswith("-phone.svg")]  # a chart's image for wide screens, and ...
    assert [s for s in every_svg if s.endswith("-phone.svg")] == [  # ... its phone layout (not every chart has one)
        s for s in (f"{s[:-4]}-phone.svg" for s in svgs) if s in every_svg]
    pngs = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.png"))
    firsts = sorted({p.parent.relative_to(out).as_posix() for p in out.rglob("*.vl.json")})
    assert sorted(s.rsplit("/", 1)[0] for s in svgs) == ([] if mode == "none" else firsts)  # one per page
    assert sorted(s.rsplit("/", 1)[0] for s in pngs) == ([] if mode == "none" else firsts)
    checked = 0
    for page in out.rglob("index.html"):
        html = page.read_text(encoding="utf-8")
        for figure in re.findall(r'<figure class="chart".*?</figure>', html, flags=re.S):
            has_image = '<img class="chart-image"' in figure
            if 'class="chart-data-link"' in figure:  # an embed page: the table is on the chart's page, linked
                assert '<details class="chart-data"' not in figure and page.parent.parent.joinpath("index.html").is_file()
                continue
            assert ('<details class="chart-data" open data-no-image>' in figure) != has_image, page
            checked += 1
        for src in re.findall(r'(?:src|href|srcset)="([^"]+\.(?:svg|png))"', html):
            assert (page.parent / src).resolve().is_file(), (page, src)
        assert ('property="og:image"' in html) <= (mode != "none"), page
    assert checked > 10


def test_images_setting_is_checked(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        build.main(args(FIXTURE / "datapackages", tmp_path / "site", "--images", "some"))
    assert exit_info.value.code == 2
    from icsite.core.config import load_config

    (tmp_path / "site.toml").write_text('images = "some"\n', encoding="utf-8")
    config, problems = load_config(tmp_path / "site.toml")
    assert [(p.code, p.field) for p in problems] == [("config-invalid", "images")] and config.images == "all"
    (tmp_path / "site.toml").write_text('images = "first"\n', encoding="utf-8")
    assert load_config(tmp_path / "site.toml")[0].images == "first"
