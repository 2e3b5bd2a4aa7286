"""The published 99.8% limits: the data standard's optional columns lower_ci_99_8 and upper_ci_99_8.

A package without them is valid and unchanged; a package with them has them checked (both columns, numbers, both
limits or neither, in order, around the 95% interval), read by the model and used by `add_intervals` instead of the
limits the site would work out itself. The importer side is in test_importers.py.
"""

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from icsite.commands.build import check
from icsite.compute.comparisons import PUBLISHED_COLUMNS, add_intervals, compute
from icsite.core.config import load_config
from icsite.core.standard import (CI_99_8_FIELDS, CI_99_8_SCHEMA_FIELDS, VAL_FIELDS, VALUE_SCHEMA, indicator_package,
                                  value_fields, value_schema)
from icsite.datasets.tables import COLUMNS, computed_table
from icsite.inputs.domain_checks import CHECKS, Tables, ValuesTable, interval_99_8_problems, suppressed_has_value
from icsite.inputs.load import load
from icsite.inputs.model import build_model, canonical_values

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
SMALL = FIXTURES / "site-small"
V = "datapackages/urgent-care-sample/values.csv"
D = "datapackages/urgent-care-sample/datapackage.json"


# --- The standard -------------------------------------------------------------------------------------------------

def test_the_optional_fields_follow_upper_ci_and_leave_the_shipped_schema_as_it_was():
    assert value_fields() == VAL_FIELDS and value_schema() is VALUE_SCHEMA
    assert value_fields(ci_99_8=True)[6:10] == ["lower_ci", "upper_ci", "lower_ci_99_8", "upper_ci_99_8"]
    names = [f["name"] for f in value_schema(ci_99_8=True)["fields"]]
    assert names == value_fields(ci_99_8=True) and [f["name"] for f in VALUE_SCHEMA["fields"]] == VAL_FIELDS
    for f in CI_99_8_SCHEMA_FIELDS:
        assert f["type"] == "number" and f["constraints"] == {"minimum": 0} and "99.8 limit" in f["description"]
    assert "required" not in json.dumps(CI_99_8_SCHEMA_FIELDS)
    plain = indicator_package("p", "t", "d", [], version="1.0.0", created="", illustrative=False)
    assert plain["resources"][1]["schema"] == VALUE_SCHEMA
    shipped = json.loads((ROOT / "datapackages" / "urgent-emergency-care" / "datapackage.json").read_text())
    assert shipped["resources"][1]["schema"] == VALUE_SCHEMA


# --- The domain checks ----------------------------------------------------------------------------------------------

AREAS = pd.DataFrame({"code": ["E92000001"], "valid_from": ["2020-04-01"], "valid_to": [None], "type": ["country"]})


def tables(**columns) -> Tables:
    """One proportion of 50% (95% interval 49 to 51) with the 99.8% limits given (none unless given)."""
    base = {"indicator_id": ["x"], "area_code": ["E92000001"], "period": ["Jan 2026"], "period_start": ["2026-01-01"],
            "period_end": ["2026-01-31"], "value": [50.0], "lower_ci": [49.0], "upper_ci": [51.0],
            "numerator": [50.0], "denominator": [100.0], "status": ["final"], "_line": [2],
            "_value_type": ["proportion"], "_multiplier": [100.0], "_decimals": [1]}
    base.update(columns)
    return Tables(AREAS, "areas.csv", None, "", [ValuesTable("pkg/values.csv", pd.DataFrame(base), {"x"},
                                                             "pkg/indicators.csv")])


def located(problems):
    return [(p.code, p.row, p.field) for p in problems]


def test_no_columns_and_nested_limits_are_both_valid():
    assert [p for check_ in CHECKS for p in check_(tables())] == []
    assert [p for check_ in CHECKS for p in check_(tables(lower_ci_99_8=[48.5], upper_ci_99_8=[51.5]))] == []
    # the 99.8% limits may equal the 95% ones (published rounded to the same decimals)
    assert located(interval_99_8_problems(tables(lower_ci_99_8=[49.0], upper_ci_99_8=[51.0]))) == []
    assert located(interval_99_8_problems(tables(lower_ci_99_8=[np.nan], upper_ci_99_8=[np.nan]))) == []


@pytest.mark.parametrize("lower, upper, expected", [
    (48.5, np.nan, [("interval-incomplete", 2, "upper_ci_99_8")]),
    (np.nan, 51.5, [("interval-incomplete", 2, "lower_ci_99_8")]),
    (51.5, 48.5, [("interval-inverted", 2, "lower_ci_99_8")]),
    (49.5, 51.5, [("interval-not-nested", 2, "lower_ci_99_8")]),
    (48.5, 50.5, [("interval-not-nested", 2, "upper_ci_99_8")]),
    (49.5, 50.5, [("interval-not-nested", 2, "lower_ci_99_8"), ("interval-not-nested", 2, "upper_ci_99_8")]),
])
def test_each_broken_interval_is_a_located_problem_with_a_hint(lower, upper, expected):
    problems = list(interval_99_8_problems(tables(lower_ci_99_8=[lower], upper_ci_99_8=[upper])))
    assert located(problems) == expected
    assert all(p.file == "pkg/values.csv" and p.message and p.hint and p.severity == "error" for p in problems)


def test_the_problem_says_what_was_expected_and_found():
    [p] = interval_99_8_problems(tables(lower_ci_99_8=[49.5], upper_ci_99_8=[51.5]))
    assert (p.expected, p.found) == ("lower_ci_99_8 <= 49.0 (lower_ci)", "49.5")
    assert "Lower CI 99.8 limit" in p.hint


def test_without_a_95_interval_the_99_8_interval_must_hold_the_value():
    no95 = {"lower_ci": [np.nan], "upper_ci": [np.nan]}
    assert located(interval_99_8_problems(tables(**no95, lower_ci_99_8=[48.0], upper_ci_99_8=[52.0]))) == []
    assert located(interval_99_8_problems(tables(**no95, lower_ci_99_8=[50.5], upper_ci_99_8=[52.0]))) == [
        ("value-outside-interval", 2, "value")]


def test_a_suppressed_row_publishes_no_99_8_limit():
    t = tables(value=[np.nan], lower_ci=[np.nan], upper_ci=[np.nan], numerator=[np.nan], denominator=[np.nan],
               status=["suppressed"], lower_ci_99_8=[1.0], upper_ci_99_8=[2.0])
    assert located(suppressed_has_value(t)) == [("suppressed-has-value", 2, "lower_ci_99_8"),
                                                ("suppressed-has-value", 2, "upper_ci_99_8")]


# --- The whole check, on the small fixture site ---------------------------------------------------------------------

def site_with_99_8(tmp_path: Path, limits: dict[int, tuple[str, str]], columns=CI_99_8_FIELDS,
                   declared=CI_99_8_SCHEMA_FIELDS) -> Path:
    """A copy of the small fixture's data with `columns` added to values.csv after upper_ci (cells from `limits`,
    by line; empty elsewhere) and `declared` added to its schema after upper_ci; the copy's data folder."""
    data = tmp_path / "datapackages"
    shutil.copytree(SMALL / "datapackages", data)
    values = tmp_path / V
    lines = values.read_text(encoding="utf-8").split("\n")
    at = VAL_FIELDS.index("upper_ci") + 1
    for i, line in enumerate(lines):
        if line:
            cells = line.split(",")
            added = list(columns) if i == 0 else list(limits.get(i + 1, ("",) * len(columns)))
            lines[i] = ",".join(cells[:at] + added + cells[at:])
    values.write_text("\n".join(lines), encoding="utf-8")
    descriptor = json.loads((tmp_path / D).read_text(encoding="utf-8"))
    fields = descriptor["resources"][1]["schema"]["fields"]
    assert descriptor["resources"][1]["name"] == "values"
    fields[at:at] = declared
    (tmp_path / D).write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    return data


def problems_of(data: Path):
    config, _ = load_config(data_dir=data, content_dir=SMALL / "content")
    return [(p.code, p.file, p.row, p.field) for p in check(config)]


def test_the_shipped_packages_and_the_fixture_are_valid_without_the_columns():
    config, _ = load_config(data_dir=SMALL / "datapackages", content_dir=SMALL / "content")
    assert [p for p in check(config) if p.severity == "error"] == []
    header = (ROOT / "datapackages" / "urgent-emergency-care" / "values.csv").read_text().split("\n", 1)[0]
    assert header.split(",") == VAL_FIELDS


def test_a_package_with_the_columns_is_checked_and_valid(tmp_path):
    # line 10: value 73.177, 95% interval 72.8591 to 73.4925
    assert problems_of(site_with_99_8(tmp_path, {10: ("72.7", "73.6")})) == []


def test_a_cell_that_is_not_a_number_and_a_negative_limit(tmp_path):
    data = site_with_99_8(tmp_path, {10: ("n/a", "73.6"), 11: ("-1", "78.4")})
    assert problems_of(data) == [("type-error", V, 10, "lower_ci_99_8"), ("constraint-range", V, 11, "lower_ci_99_8")]


def test_one_column_without_the_other(tmp_path):
    data = site_with_99_8(tmp_path, {10: ("72.7",)}, columns=["lower_ci_99_8"], declared=CI_99_8_SCHEMA_FIELDS[:1])
    assert problems_of(data) == [("column-missing", V, 1, "upper_ci_99_8")]


def test_declared_columns_must_be_in_the_file(tmp_path):
    data = site_with_99_8(tmp_path, {}, columns=[])
    assert problems_of(data) == [("column-missing", V, 1, "lower_ci_99_8"), ("column-missing", V, 1, "upper_ci_99_8")]


def test_columns_the_schema_does_not_declare_are_unknown(tmp_path):
    data = site_with_99_8(tmp_path, {10: ("72.7", "73.6")}, declared=[])
    assert problems_of(data) == [("column-unknown", V, 1, "lower_ci_99_8"), ("column-unknown", V, 1, "upper_ci_99_8")]


def test_the_schema_must_declare_them_as_numbers(tmp_path):
    as_text = [{k: v for k, v in dict(f, type="string").items() if k != "constraints"} for f in CI_99_8_SCHEMA_FIELDS]
    data = site_with_99_8(tmp_path, {10: ("72.7", "73.6")}, declared=as_text)
    assert problems_of(data) == [("descriptor-invalid", D, None, "resources/values/schema/lower_ci_99_8"),
                                 ("descriptor-invalid", D, None, "resources/values/schema/upper_ci_99_8")]


# --- The model, the intervals and the downloads -------------------------------------------------------------------

def test_the_model_reads_the_columns_or_leaves_them_missing():
    base = pd.DataFrame({"indicator_id": ["x"], "area_code": ["E92000001"], "period_start": ["2026-01-01"],
                         "period_end": ["2026-01-31"], "value": [1.0]})
    absent = canonical_values(base)
    assert absent["lower_ci_99_8"].isna().all() and absent["upper_ci_99_8"].isna().all()
    present = canonical_values(base.assign(lower_ci_99_8=[0.5], upper_ci_99_8=["1.5"]))
    assert (present.loc[0, "lower_ci_99_8"], present.loc[0, "upper_ci_99_8"]) == (0.5, 1.5)


def frame(**columns) -> pd.DataFrame:
    n = max(len(v) for v in columns.values() if isinstance(v, list))
    base = {"indicator_id": "x", "period": "2024", "status": "final", "lower_ci": np.nan, "upper_ci": np.nan,
            "numerator": np.nan, "denominator": np.nan, "value_type": "proportion", "multiplier": 100.0}
    base.update(columns)
    return pd.DataFrame({k: (v if isinstance(v, list) else [v] * n) for k, v in base.items()})


def test_add_intervals_prefers_the_published_99_8_limits():
    # four proportions of 81/263 (30.798%): published 95% and 99.8% limits; published 95% only; only one 99.8%
    # limit (not used); counts only, with 99.8% limits published (used, the 95% ones computed)
    rows = dict(value=[30.798] * 4, numerator=[81] * 4, denominator=[263] * 4,
                lower_ci=[25.5, 25.5, 25.5, np.nan], upper_ci=[36.6, 36.6, 36.6, np.nan],
                lower_ci_99_8=[22.0, np.nan, 22.0, 22.5], upper_ci_99_8=[40.0, np.nan, np.nan, 40.5])
    out = add_intervals(frame(**rows))
    computed = add_intervals(frame(**{k: v for k, v in rows.items() if k not in CI_99_8_FIELDS}))
    assert (out.loc[0, "lower_ci_99_8"], out.loc[0, "upper_ci_99_8"]) == (22.0, 40.0)
    assert (out.loc[3, "lower_ci_99_8"], out.loc[3, "upper_ci_99_8"]) == (22.5, 40.5)
    for i in (1, 2):  # no published pair: what the site works out without the columns, as before
        assert out.loc[i, "lower_ci_99_8"] == computed.loc[i, "lower_ci_99_8"] != 22.0
        assert out.loc[i, "upper_ci_99_8"] == computed.loc[i, "upper_ci_99_8"]
    assert list(out["ci_method"]) == ["published", "published", "published", "Wilson score"]
    assert list(computed["ci_method"]) == list(out["ci_method"])
    assert out.loc[3, "lower_ci"] == computed.loc[3, "lower_ci"]  # the 95% limits are computed as before
    assert list(out.columns).count("lower_ci_99_8") == 1


def test_add_intervals_uses_published_limits_where_it_could_compute_none():
    # a mean has no method of its own: its published 99.8% limits are all there is; a suppressed row gets none
    out = add_intervals(frame(value=[7.0, np.nan], value_type="mean", lower_ci=[6.0, np.nan], upper_ci=[8.0, np.nan],
                              lower_ci_99_8=[5.5, 1.0], upper_ci_99_8=[8.5, 2.0], status=["final", "suppressed"]))
    assert (out.loc[0, "lower_ci_99_8"], out.loc[0, "upper_ci_99_8"]) == (5.5, 8.5)
    assert np.isnan(out.loc[1, "lower_ci_99_8"]) and np.isnan(out.loc[1, "upper_ci_99_8"])
    assert list(out["ci_method"]) == ["published", "suppressed"]


def test_published_limits_reach_the_downloads_once(tmp_path):
    data = site_with_99_8(tmp_path, {10: ("72.7", "73.6")})
    config, _ = load_config(data_dir=data, content_dir=SMALL / "content")
    model = build_model(load(config))
    assert model.values["lower_ci_99_8"].notna().sum() == 1
    comparisons = compute(model)
    table = computed_table(comparisons.values, model.areas["short_name"].to_dict())
    assert list(table.columns) == COLUMNS and len(set(COLUMNS)) == len(COLUMNS)
    assert "lower_ci_99_8" in PUBLISHED_COLUMNS
    row = table[(table["area_code"] == "E54000032") & (table["period"] == "Nov 2025")
                & (table["indicator_id"] == "ae_4hr")].iloc[0]
    assert (row["lower_ci_99_8"], row["upper_ci_99_8"], row["ci_method"]) == (72.7, 73.6, "published")
    others = table[table["lower_ci_99_8"].notna() & (table["lower_ci_99_8"] != 72.7)]
    assert len(others) > 0  # every other row's 99.8% limits are worked out, as without the columns
