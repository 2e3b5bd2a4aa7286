"""Every tests/fixtures/invalid-* folder is refused with exactly the problems its expected.json lists.

The fixtures are written by tests/fixtures/make_invalid.py, which states the expected problems by hand.
"""

import hashlib
import json
import shutil
from pathlib import Path

import pytest

import build
from icsite.core.config import load_config
from icsite.commands.build import check

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CASES = sorted(p for p in FIXTURES.glob("invalid-*") if p.is_dir())
CONTENT = FIXTURES / "site-small" / "content"


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def previous_site(tmp_path_factory) -> Path:
    """A site built from the valid fixture, which every failed build must leave byte-for-byte as it was."""
    out = tmp_path_factory.mktemp("previous") / "site"
    assert build.main(["--data", str(FIXTURES / "site-small" / "datapackages"), "--content", str(CONTENT),
                       "--out", str(out), "--quiet"]) == 0
    return out


def test_there_are_at_least_twenty_cases():
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_exact_problems_are_reported(case):
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    config, _ = load_config(data_dir=case / "datapackages", content_dir=CONTENT)
    problems = check(config)
    assert [[p.code, p.file, p.row, p.field] for p in problems] == expected["problems"]
    assert all(p.message and p.hint for p in problems)
    assert all(p.severity == "warning" for p in problems) == expected["warnings_only"]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_build_refuses_without_a_traceback_and_leaves_the_site(case, previous_site, tmp_path, capsys):
    site = tmp_path / "site"
    shutil.copytree(previous_site, site)
    before = snapshot(site)
    code = build.main(["--data", str(case / "datapackages"), "--content", str(CONTENT), "--out", str(site),
                       "--strict", "--quiet"])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err and "Nothing was written" in err
    assert snapshot(site) == before


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_parallel_validation_of_large_files_reports_the_same(case, monkeypatch):
    """Large values files are validated in parts, in parallel; force that path on the small fixtures."""
    import icsite.inputs.frictionless_checks

    monkeypatch.setattr(icsite.inputs.frictionless_checks, "CHUNK_BYTES", 1)
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    config, _ = load_config(data_dir=case / "datapackages", content_dir=CONTENT)
    assert [[p.code, p.file, p.row, p.field] for p in check(config)] == expected["problems"]


def expected_codes(case: Path) -> set[str]:
    return {p[0] for p in json.loads((case / "expected.json").read_text(encoding="utf-8"))["problems"]}


#: cases with problems that only Frictionless's cell checks find: in a big build those run in a second process
#: while the site is built, so the build must still stop on them (and report them as --check does)
CELL_CASES = [c for c in CASES if expected_codes(c) & {"type-error", "constraint-required", "constraint-enum",
                                                        "constraint-pattern", "missing-cell", "extra-cell"}][:6]


@pytest.mark.parametrize("case", CELL_CASES, ids=[c.name for c in CELL_CASES])
def test_background_cell_checks_stop_the_build_with_the_same_report(case, previous_site, tmp_path, capsys,
                                                                     monkeypatch):
    import icsite.core.parallel
    import icsite.commands.build
    from icsite.core.problems import format_report

    pools = []
    real_pool = icsite.core.parallel.pool
    monkeypatch.setattr(icsite.commands.build, "BACKGROUND_BYTES", -1)  # as if the data were big
    monkeypatch.setattr(icsite.core.parallel, "pool", lambda n: pools.append(n) or real_pool(n))
    site = tmp_path / "site"
    shutil.copytree(previous_site, site)
    before = snapshot(site)
    code = build.main(["--data", str(case / "datapackages"), "--content", str(CONTENT), "--out", str(site),
                       "--strict", "--quiet"])
    err = capsys.readouterr().err
    config, _ = load_config(data_dir=case / "datapackages", content_dir=CONTENT)
    assert 1 in pools, "the cell checks did not run in a second process"  # (the chart drawing has a pool of its own)
    assert code == 1 and err == format_report(check(config)) + "Nothing was written; the previous site is unchanged.\n"
    assert snapshot(site) == before


def test_every_problem_code_is_documented_for_publishers():
    from icsite.core.problems import CODES

    page = (Path(__file__).resolve().parents[2] / "content" / "data-standard.md").read_text(encoding="utf-8")
    missing = [code for code in CODES if f"| `{code}` |" not in page]
    assert missing == [], f"document these codes in content/data-standard.md: {missing}"


#: codes no fixture folder can hold: content problems (the fixtures share one content folder), links, pipes and
#: files too large to keep in the repository. page-unreadable is tested in test_stages.py, the story codes (content
#: too) in test_stories.py, the others in test_hostile_inputs.py.
STORIES = {"story-field-invalid", "story-board-unknown", "story-indicator-unknown", "story-period-outside"}
ELSEWHERE = {"page-unreadable", "page-path-unsafe", "page-yaml-alias", "page-too-complex", "page-field-invalid",
             "page-address-taken", "package-path-unsafe", "file-not-regular", "file-unreadable", "file-too-large",
             "line-too-long", "row-too-wide", "package-name-duplicate"} | STORIES


def test_every_error_code_has_a_fixture():
    from icsite.core.problems import CODES

    covered = {p[0] for case in CASES for p in json.loads((case / "expected.json").read_text())["problems"]}
    assert sorted(set(CODES) - covered) == sorted(ELSEWHERE)
    hostile = (Path(__file__).parent / "test_hostile_inputs.py").read_text(encoding="utf-8")
    assert [code for code in sorted(ELSEWHERE - {"page-unreadable"} - STORIES) if f'"{code}"' not in hostile] == []
    stories = (Path(__file__).parent / "test_stories.py").read_text(encoding="utf-8")
    assert [code for code in sorted(STORIES) if f'"{code}"' not in stories] == []
