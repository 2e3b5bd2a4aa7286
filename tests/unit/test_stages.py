"""One test module per remaining stage, each on small hand-made inputs: load, validate, model, charts, publish."""

import json
import zipfile
from io import BytesIO
from pathlib import Path

import pandas as pd
import pytest
import vl_convert

from icsite.charts import specs as charts
from icsite.inputs.load import read_package, unsafe_path_reason
from icsite.inputs.model import canonical_areas
from icsite.core.problems import Problem, format_report, report_json
from icsite.core.zips import make_zip
from icsite.publish.folder import publish
from icsite.inputs.domain_checks import CHECKS, Tables, ValuesTable, area_not_valid, area_unknown, interval_problems, suppressed_has_value

ROOT = Path(__file__).resolve().parents[2]


# load ------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, safe", [
    ("values.csv", True), ("sub/values.csv", True), ("../values.csv", False), ("/etc/passwd", False),
    ("https://example.org/values.csv", False), ("C:\\values.csv", False), (None, False), (["a.csv"], False),
])
def test_unsafe_paths_are_never_read(path, safe):
    assert (unsafe_path_reason(path) is None) == safe


def test_read_package_skips_unsafe_resources(tmp_path):
    (tmp_path / "datapackage.json").write_text(json.dumps({"name": "p", "resources": [
        {"name": "values", "path": "../secret.csv", "schema": {"fields": []}}]}))
    source = read_package(tmp_path)
    code, message, _ = source.read_errors["values"]
    assert source.tables == {} and code == "resource-path-unsafe" and "leaves the package" in message


def test_read_package_reports_bad_json(tmp_path):
    (tmp_path / "datapackage.json").write_text('{"name": "p",')
    source = read_package(tmp_path)
    assert source.descriptor is None and source.descriptor_error


def test_read_table_casts_declared_types(tmp_path):
    (tmp_path / "v.csv").write_text("id,value,count\na,1.5,3\nb,,x\n", encoding="utf-8")
    (tmp_path / "datapackage.json").write_text(json.dumps({"name": "p", "resources": [{"name": "v", "path": "v.csv",
        "schema": {"fields": [{"name": "id", "type": "string"}, {"name": "value", "type": "number"},
                              {"name": "count", "type": "integer"}]}}]}))
    table = read_package(tmp_path).tables["v"]
    assert table["value"].tolist()[0] == 1.5 and pd.isna(table["value"].tolist()[1])
    assert table["count"].tolist()[0] == 3 and pd.isna(table["count"].tolist()[1])


# validate (domain layer) -----------------------------------------------------------------------------------------

AREAS = pd.DataFrame({"code": ["E92000001", "E54000042", "E54000067"],
                      "valid_from": ["2020-04-01", "2022-07-01", "2026-04-01"],
                      "valid_to": [None, "2026-03-31", None]})


def tables(**columns) -> Tables:
    base = {"indicator_id": ["x"], "area_code": ["E54000042"], "period": ["Jan 2026"], "period_start": ["2026-01-01"],
            "period_end": ["2026-01-31"], "value": [50.0], "lower_ci": [49.0], "upper_ci": [51.0],
            "numerator": [50.0], "denominator": [100.0], "status": ["final"], "_line": [2],
            "_value_type": ["proportion"], "_multiplier": [100.0], "_decimals": [1]}
    base.update(columns)
    values = ValuesTable("pkg/values.csv", pd.DataFrame(base), {"x"}, "pkg/indicators.csv")
    return Tables(AREAS.assign(type="icb"), "areas.csv", None, "", [values])


def located(problems):
    return [(p.code, p.file, p.row, p.field) for p in problems]


def test_valid_row_has_no_domain_problems():
    t = tables(area_code=["E92000001"])
    assert [p for check in CHECKS for p in check(t)] == []


def test_unknown_area():
    assert located(area_unknown(tables(area_code=["E54999999"]))) == [("area-unknown", "pkg/values.csv", 2, "area_code")]


def test_area_after_it_closed_and_before_it_opened():
    closed = tables(period=["Apr 2026"], period_start=["2026-04-01"], period_end=["2026-04-30"])
    assert located(area_not_valid(closed)) == [("area-not-valid", "pkg/values.csv", 2, "area_code")]
    early = tables(area_code=["E54000067"])
    assert located(area_not_valid(early)) == [("area-not-valid", "pkg/values.csv", 2, "area_code")]


def test_suppressed_row_with_a_number():
    t = tables(status=["suppressed"], lower_ci=[None], upper_ci=[None], numerator=[None], denominator=[None])
    assert located(suppressed_has_value(t)) == [("suppressed-has-value", "pkg/values.csv", 2, "value")]


def test_value_outside_interval():
    t = tables(value=[52.0])
    assert located(interval_problems(t)) == [("value-outside-interval", "pkg/values.csv", 2, "value")]


def test_report_groups_by_file_and_summarises_repeats():
    problems = [Problem("area-unknown", "a.csv", row=i, field="area_code", message="m") for i in range(2, 12)]
    problems.append(Problem("x-warning", "b.csv", message="w", severity="warning"))
    text = format_report(problems, max_per_kind=3)
    assert text.startswith("Found 10 error(s) and 1 warning(s) in 2 file(s).")
    assert "a.csv (10 problem(s))" in text and "... and 7 more [area-unknown] problem(s) in this file" in text
    assert text.count("[area-unknown]") == 4
    assert json.loads(report_json(problems))["errors"] == 10


# model -----------------------------------------------------------------------------------------------------------

def test_canonical_areas_mark_current_boards():
    out = canonical_areas(AREAS.assign(type="icb", short_name="x", slug="x"))
    assert out.loc["E54000042", "current"] == False  # noqa: E712 (numpy bool)
    assert out.loc["E54000067", "current"] == True  # noqa: E712
    assert out.loc["E54000042", "valid_to"] == pd.Timestamp("2026-03-31")


# charts ----------------------------------------------------------------------------------------------------------

ROWS = [{"area": "A", "value": 80.0, "lower": 78.0, "upper": 82.0, "comparison": "Better", "order": 1, "rank": 1},
        {"area": "B", "value": 70.0, "lower": 68.0, "upper": 72.0, "comparison": "Worse", "order": 2, "rank": 2}]


def test_ranked_chart_spec_renders_and_carries_its_data():
    spec = charts.ranked_chart(ROWS, title="T", subtitle="S", unit="%", england=75.0, target=78.0, decimals=1)
    assert spec["datasets"]["ranked"] == ROWS
    colour = spec["layer"][1]["encoding"]["color"]["scale"]
    assert colour["domain"] == ["Better", "Worse"]  # only the categories present, in a fixed order
    assert [r["kind"] for r in spec["layer"][-1]["data"]["values"]] == ["England", "Target"]
    svg = vl_convert.vegalite_to_svg(spec, allowed_base_urls=[])
    assert svg.startswith("<svg") and "England 75.0" in svg


def test_chart_templates_are_not_mutated_between_charts():
    one = charts.ranked_chart(ROWS, title="One", subtitle="", unit="%", england=None, target=None, decimals=1)
    two = charts.ranked_chart(ROWS[:1], title="Two", subtitle="", unit="%", england=None, target=None, decimals=1)
    assert one["title"]["text"] == "One" and len(one["datasets"]["ranked"]) == 2
    assert two["title"]["text"] == "Two" and len(two["datasets"]["ranked"]) == 1


def test_trend_and_over_time_specs_render():
    rows = [{"title": "X", "series": s, "period": p, "period_end": e, "value": v}
            for s, p, e, v in [("A", "2024", "2024-12-31", 1.0), ("A", "2025", "2025-12-31", 2.0),
                               ("England", "2024", "2024-12-31", 1.5), ("England", "2025", "2025-12-31", 1.6)]]
    spec = charts.trend_chart(rows, title="T", area_label="A")
    assert vl_convert.vegalite_to_svg(spec, allowed_base_urls=[]).startswith("<svg")
    lines = [{"area": r["series"], "series": "England" if r["series"] == "England" else "ICS", **r} for r in rows]
    spec = charts.over_time_chart(lines, title="T", unit="%", decimals=1)
    assert vl_convert.vegalite_to_svg(spec, allowed_base_urls=[]).startswith("<svg")


# publish ---------------------------------------------------------------------------------------------------------

def site_files(out: Path) -> list[str]:
    """The files of a published site, less the marker every site carries."""
    from icsite.publish.folder import SITE_MARKER

    return sorted(p.name for p in out.iterdir() if p.name != SITE_MARKER)


def test_publish_swaps_in_a_complete_tree(tmp_path):
    out = tmp_path / "site"
    publish({"index.html": b"one", "a/b.txt": b"x"}, out)
    publish({"index.html": b"two"}, out)
    assert (out / "index.html").read_bytes() == b"two" and not (out / "a").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no staging or old folders left


def test_publish_failure_leaves_the_old_site(tmp_path):
    out = tmp_path / "site"
    publish({"index.html": b"old"}, out)
    with pytest.raises(AssertionError):
        publish({"index.html": b"new", "../escape.txt": b"x"}, out)
    assert (out / "index.html").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_zip_is_deterministic():
    a = make_zip({"b.csv": b"2", "a.csv": b"1"})
    assert a == make_zip({"a.csv": b"1", "b.csv": b"2"})
    assert zipfile.ZipFile(BytesIO(a)).namelist() == ["a.csv", "b.csv"]


def test_unreadable_page_is_a_problem(tmp_path):
    from icsite.inputs.load import read_page
    from icsite.inputs.load import Sources
    from icsite.inputs.validate import validate

    content = tmp_path / "content"
    content.mkdir()
    (content / "bad.md").write_text("---\ntitle: [unclosed\n---\nbody\n", encoding="utf-8")
    (content / "latin.md").write_bytes("caf\xe9".encode("latin-1"))
    pages = [read_page(p, content) for p in sorted(content.glob("*.md"))]
    problems = validate(Sources(packages=[], pages=pages), tmp_path / "datapackages")
    assert [(p.code, p.file) for p in problems if p.code == "page-unreadable"] == [
        ("page-unreadable", "content/bad.md"), ("page-unreadable", "content/latin.md")]


def test_publish_exchanges_atomically_on_linux(tmp_path):
    from icsite.publish.folder import exchange

    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "x").write_text("a"), (b / "x").write_text("b")
    assert exchange(a, b) is True
    assert (a / "x").read_text() == "b" and (b / "x").read_text() == "a"


def test_full_disk_leaves_the_previous_site(tmp_path, monkeypatch):
    import errno

    out = tmp_path / "site"
    publish({"index.html": b"old"}, out)
    real = Path.write_bytes
    calls = {"n": 0}

    def full_disk(self, data):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    with pytest.raises(OSError):
        publish({f"page{i}.html": b"new" for i in range(10)}, out)
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert site_files(out) == ["index.html"] and (out / "index.html").read_bytes() == b"old"


def test_killed_build_leaves_the_previous_site_and_is_cleaned_up(tmp_path):
    import signal
    import subprocess
    import sys

    out = tmp_path / "site"
    publish({"index.html": b"old"}, out)
    driver = tmp_path / "driver.py"
    driver.write_text(f"""
import sys, time
from pathlib import Path
sys.path.insert(0, {str(ROOT)!r})
from icsite.publish.folder import publish
real = Path.write_bytes
def slow(self, data):
    real(self, data)
    print("wrote", flush=True)
    time.sleep(0.2)
Path.write_bytes = slow
publish({{f"p{{i}}.html": b"new" for i in range(100)}}, Path({str(out)!r}))
""")
    proc = subprocess.Popen([sys.executable, str(driver)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "wrote"  # it is in the middle of writing the new site
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert (out / "index.html").read_bytes() == b"old" and site_files(out) == ["index.html"]
    assert any(p.name.startswith(".site.new-") for p in tmp_path.iterdir())  # the killed build's staging folder
    publish({"index.html": b"next"}, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["driver.py", "site"]


def test_publish_links_unchanged_files_from_the_old_site(tmp_path):
    out = tmp_path / "site"
    publish({"same.html": b"same", "edited.html": b"v1"}, out)
    same, edited = (out / "same.html").stat().st_ino, (out / "edited.html").stat().st_ino
    (out / "edited.html").write_bytes(b"changed by hand")  # the old site is not trusted: its bytes are compared
    publish({"same.html": b"same", "edited.html": b"v1"}, out)
    assert (out / "same.html").stat().st_ino == same  # not written again
    assert (out / "edited.html").read_bytes() == b"v1" and (out / "edited.html").stat().st_ino != edited
    publish({"same.html": b"new"}, out)
    assert (out / "same.html").read_bytes() == b"new" and not (out / "edited.html").exists()


def test_progress_bar_draws_every_stage_and_is_erased():
    import io

    from icsite.commands.build import STAGES, Stopwatch

    stream = io.StringIO()
    clock = Stopwatch(stream)
    for name in STAGES:
        clock.lap(name)
    clock.clear()
    text = stream.getvalue()
    assert text.count("\rBuilding [") == len(STAGES) and "[" + "#" * 24 + "] publish done" in text
    assert text.endswith("\r" + " " * 60 + "\r") and list(clock.laps) == STAGES
