"""The Fingertips importer on real published input: an extract of OHID Fingertips indicator 92477, "Emergency
admissions (0 to 4 years)", kept byte for byte (tests/fixtures/importers/real_fingertips/README.md), and two
variants of it made as real files differ: column 23 headed `Column not used` (the API's CSV) and `NA` in the empty
number cells (a file saved from R).

Each variant imports, the written package passes `build.py --check`, the title keeps the age group, and the
imported values are the file's: the expectations are read from the fixture with the csv module, not with icsite.
Rows the area registry refuses (a board's values for years before it existed) are not counted here: that rule is
the registry's, and may change; only that every row is accounted for.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from pathlib import Path

import pytest

import build
from icsite.commands import import_data as cli_import
from icsite.importers.fingertips_mapping import titles

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "tests" / "fixtures" / "importers" / "real_fingertips"
EXTRACT = REAL / "fingertips-92477-extract.csv"
UNUSED = REAL / "fingertips-92477-column-not-used.csv"
NA = REAL / "fingertips-92477-na.csv"
NUMBER_COLUMNS = ["Value", "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Lower CI 99.8 limit",
                  "Upper CI 99.8 limit", "Count", "Denominator"]

pytestmark = pytest.mark.usefixtures("no_network")  # and `data`: tests/unit/conftest.py

CONTENT = Path(__file__).resolve().parents[1] / "fixtures" / "site-small" / "content"


def run(capsys, data: Path, *argv: str) -> tuple[int, str, str]:
    code = cli_import.main([*argv, "--data", str(data)])
    out, err = capsys.readouterr()
    return code, out, err


def passes_check(capsys, data: Path) -> bool:
    code = build.main(["--check", "--data", str(data), "--content", str(CONTENT)])  # (stories name the shipped data)
    capsys.readouterr()
    return code == 0


def source_rows(path: Path) -> list[dict]:
    """The file's data rows, as the csv module reads them (line numbers as the report gives them)."""
    with open(path, newline="", encoding="utf-8") as f:
        return [dict(row, line=str(n)) for n, row in enumerate(csv.DictReader(f), 2)]


def written(data: Path, package: str, name: str) -> list[dict]:
    with open(data / package / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def number(cell: str) -> float | None:
    """A number cell of the source as R and the Fingertips export mean it: empty or NA is no number."""
    return None if cell.strip() in ("", "NA", "NaN") else float(cell)


def headline(rows: list[dict], sex: str = "Persons", age: str = "0-4 yrs") -> dict[tuple[str, str], dict]:
    """(area code, period) -> the source row of the given Sex and Age (no category)."""
    return {(r["Area Code"], r["Time period"]): r for r in rows
            if r["Sex"] == sex and r["Age"] == age and not r["Category Type"]}


def accounted(out: str) -> None:
    """The report accounts for every row read: imported + kept apart + not imported."""
    read = int(re.search(r"^Rows read: (\d+)$", out, re.M)[1])
    imported = int(re.search(r"^  imported: (\d+),", out, re.M)[1])
    apart = sum(int(n) for n in re.findall(r"^  kept apart, [^:]+: (\d+) ", out, re.M))
    skipped = int(re.search(r"^  not imported: (\d+)$", out, re.M)[1])
    assert imported + apart + skipped == read and "UNACCOUNTED" not in out


# --- The variants (the extract itself is checked against the real file by the README's commands) --------------

def test_the_variants_differ_from_the_extract_only_as_the_readme_says():
    extract = EXTRACT.read_text(encoding="utf-8").splitlines()
    unused = UNUSED.read_text(encoding="utf-8").splitlines()
    assert unused[1:] == extract[1:]
    assert unused[0] == extract[0].replace(",Compared to percentiles,", ",Column not used,")
    plain, with_na = source_rows(EXTRACT), source_rows(NA)
    assert len(plain) == len(with_na) == 343
    for a, b in zip(plain, with_na):
        for column, cell in a.items():
            assert b[column] == ("NA" if column in NUMBER_COLUMNS and cell == "" else cell)


# --- Each variant imports and passes the check ------------------------------------------------------------------------

@pytest.mark.parametrize("path, column_23", [(EXTRACT, "Compared to percentiles"), (UNUSED, "Column not used"),
                                             (NA, "Compared to percentiles")])
def test_each_variant_imports_and_its_package_passes_the_check(capsys, data, path, column_23):
    code, out, err = run(capsys, data, "fingertips", str(path), "--package", "ea", "--date", "2026-01-15")
    assert (code, err) == (0, "")
    assert f"{path}: 27 columns (with Time period range); column 23 is '{column_23}'\n" in out
    accounted(out)
    assert passes_check(capsys, data)
    [indicator] = written(data, "ea", "indicators.csv")
    assert (indicator["id"], indicator["title"], indicator["short_title"]) == (
        "fingertips_92477", "Emergency admissions (0 to 4 years)", "Emergency admissions (0-4 yrs)")
    assert (indicator["value_type"], indicator["multiplier"], indicator["unit"]) == ("crude_rate", "1000", "per 1,000")
    assert "Indicator fingertips_92477 (Fingertips 92477; Persons, 0-4 yrs): Emergency admissions (0 to 4 years)\n" \
        in out


def test_the_three_variants_write_the_same_values(capsys, data):
    for package, path in (("a", EXTRACT), ("b", UNUSED), ("c", NA)):
        assert run(capsys, data, "fingertips", str(path), "--package", package, "--id", f"ea_{package}",
                   "--date", "2026-01-15")[0] == 0
    a, b, c = ([{k: v for k, v in row.items() if k != "indicator_id"} for row in written(data, p, "values.csv")]
               for p in "abc")
    assert a == b == c and len(a) > 0


def test_na_cells_are_read_as_empty_and_counted(capsys, data):
    rows = source_rows(NA)
    cells = sum(row[c] == "NA" for row in rows for c in NUMBER_COLUMNS)
    in_rows = sum(any(row[c] == "NA" for c in NUMBER_COLUMNS) for row in rows)
    assert (cells, in_rows) == (1399, 343)  # every row: the file has no confidence limits
    code, out, err = run(capsys, data, "fingertips", str(NA), "--package", "ea", "--date", "2026-01-15")
    assert (code, err) == (0, "")
    assert f"{NA}: {cells:,} number cell(s) in {in_rows} row(s) were NA (R's missing number), read as empty\n" in out
    assert "value or interval that is not a number" not in out


# --- The imported values are the file's ---------------------------------------------------------------------------

SPOT_CHECKS = [("E92000001", "2023/24"), ("E92000001", "2021/22"), ("E92000001", "2020/21"), ("E54000052", "2022/23")]
#: NHS Surrey Heartlands ICB (QXU) is E54000052 in the file (its July 2022 ONS code); the registry may write its
#: values under its April 2023 code, E54000063 (a code change, named in the report)
IN_FILE_AS = {"E54000063": "E54000052"}


def by_file_code(values: list[dict]) -> dict[tuple[str, str], dict]:
    """(area code as in the file, period) -> the values.csv row."""
    return {(IN_FILE_AS.get(v["area_code"], v["area_code"]), v["period"]): v for v in values}


@pytest.mark.parametrize("path", [EXTRACT, UNUSED, NA])
def test_imported_values_equal_the_files_values(capsys, data, path):
    assert run(capsys, data, "fingertips", str(path), "--package", "ea", "--date", "2026-01-15")[0] == 0
    source = headline(source_rows(path))
    values = by_file_code(written(data, "ea", "values.csv"))
    for key in SPOT_CHECKS:
        row, value = source[key], values[key]
        assert value["status"] == "final" and value["note"] == row["Value note"]
        assert float(value["value"]) == float(row["Value"])
        assert (float(value["numerator"]), float(value["denominator"])) == (float(row["Count"]),
                                                                            float(row["Denominator"]))
        assert value["lower_ci"] == value["upper_ci"] == ""  # the file has no limits
    # Frimley 2022/23: not presented (no value), its note kept
    frimley = values[("E54000034", "2022/23")]
    assert frimley["status"] == "suppressed" and frimley["value"] == frimley["numerator"] == ""
    assert frimley["note"] == source[("E54000034", "2022/23")]["Value note"]
    assert frimley["note"].startswith("Not presented due to Frimley Health Foundation Trust not submitting")
    # and every value written is the file's, for the area and period it was written for
    for (area, period), value in values.items():
        row = source[(area, period)]
        assert number(value["value"] or "NA") == number(row["Value"])
        assert number(value["numerator"] or "NA") == number(row["Count"])
        assert number(value["denominator"] or "NA") == number(row["Denominator"])


# --- Several Sex/Age combinations ---------------------------------------------------------------------------------

def combos_of(rows: list[dict]) -> Counter:
    return Counter((r["Sex"], r["Age"]) for r in rows if not r["Category Type"])


def test_the_default_combination_and_every_other_are_reported(capsys, data):
    combos = combos_of(source_rows(EXTRACT))
    assert len(combos) == 9 and combos[("Persons", "0-4 yrs")] == max(combos.values())
    code, out, err = run(capsys, data, "fingertips", str(EXTRACT), "--package", "ea", "--date", "2026-01-15")
    assert (code, err) == (0, "")
    assert (f"  Sex/Age Persons, 0-4 yrs: the most common Persons combination ({combos[('Persons', '0-4 yrs')]} "
            "rows); choose another with --sex and --age\n") in out
    others = "; ".join(f"{s}, {a} ({n} rows)" for (s, a), n in combos.items() if (s, a) != ("Persons", "0-4 yrs"))
    assert f"  other Sex/Age kept apart: {others}\n" in out
    apart = sum(n for c, n in combos.items() if c != ("Persons", "0-4 yrs"))
    assert re.search(rf"^  kept apart, breakdown rows \(a category, or another Sex/Age\): {apart} ", out, re.M)


@pytest.mark.parametrize("path", [EXTRACT, NA])
def test_choosing_a_sex_and_age_imports_that_combination(capsys, data, path):
    rows = source_rows(path)
    combos = combos_of(rows)
    code, out, err = run(capsys, data, "fingertips", str(path), "--package", "ea", "--sex", "male", "--age", "<1yr",
                         "--date", "2026-01-15")
    assert (code, err) == (0, "")
    assert "Indicator fingertips_92477 (Fingertips 92477; Male, <1 yr): Emergency admissions (Male, under 1 year)\n" \
        in out
    assert "  Sex/Age Male, <1 yr: given with --sex and --age\n" in out
    others = "; ".join(f"{s}, {a} ({n} rows)" for (s, a), n in combos.items() if (s, a) != ("Male", "<1 yr"))
    assert f"  other Sex/Age kept apart: {others}\n" in out
    accounted(out)
    assert passes_check(capsys, data)
    [indicator] = written(data, "ea", "indicators.csv")
    assert (indicator["title"], indicator["short_title"]) == ("Emergency admissions (Male, under 1 year)",
                                                              "Emergency… (Male, <1 yr)")
    source = headline(rows, "Male", "<1 yr")
    values = by_file_code(written(data, "ea", "values.csv"))
    row = source[("E92000001", "2023/24")]
    assert float(values[("E92000001", "2023/24")]["value"]) == float(row["Value"])
    for key, value in values.items():
        assert number(value["value"] or "NA") == number(source[key]["Value"])


def test_an_age_that_is_not_in_the_file_lists_every_combination(capsys, data):
    code, out, err = run(capsys, data, "fingertips", str(EXTRACT), "--package", "ea", "--age", "5-9 yrs")
    assert code == 2 and out == "" and "Traceback" not in err
    assert ("indicator 92477 has no headline rows with Sex 'any' and Age '5-9 yrs' (it has: "
            + "; ".join(f"{s}, {a}" for s, a in combos_of(source_rows(EXTRACT))) + ")") in err
    assert not (data / "ea").exists()


# --- Header variants and R's missing values, beyond the fixtures -------------------------------------------------

def variant(tmp_path: Path, name: str, change) -> Path:
    """A copy of the extract with `change(rows)` applied to its rows (header first)."""
    with open(EXTRACT, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(change(rows))
    path = tmp_path / name
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_nan_is_read_as_empty_and_target_data_is_column_26(capsys, data, tmp_path):
    def change(rows):
        rows[0][25] = "Target data"
        for row in rows[1:]:
            if row[4] == "E92000001" and row[7:9] == ["Persons", "0-4 yrs"] and row[11] == "2023/24":
                row[17] = "NaN"
        return rows
    path = variant(tmp_path, "nan.csv", change)
    code, out, err = run(capsys, data, "fingertips", str(path), "--package", "ea", "--date", "2026-01-15")
    assert (code, err) == (0, "")
    assert f"{path}: 1 number cell(s) in 1 row(s) were NaN (R's missing number), read as empty\n" in out
    england = {v["period"]: v for v in written(data, "ea", "values.csv") if v["area_code"] == "E92000001"}
    assert england["2023/24"]["numerator"] == "" and england["2023/24"]["value"] == "151.410101751"
    assert passes_check(capsys, data)


def test_na_outside_the_number_columns_is_kept_as_written(capsys, data, tmp_path):
    """`NA` is read as empty only where a number is expected: an `NA` category type makes a breakdown row."""
    def change(rows):
        return [rows[0]] + [r[:9] + ["NA"] + r[10:] if r[4] == "E54000034" else r for r in rows[1:]]
    path = variant(tmp_path, "na-category.csv", change)
    code, out, err = run(capsys, data, "fingertips", str(path), "--package", "ea", "--date", "2026-01-15")
    assert (code, err) == (0, "")
    assert not any(v["area_code"] == "E54000034" for v in written(data, "ea", "values.csv"))


@pytest.mark.parametrize("change, message", [
    (lambda rows: [rows[0][:22] + ["Unused"] + rows[0][23:]] + rows[1:],
     "line 1, column 23: expected 'Compared to <parent> value or percentiles' or 'Column not used', found 'Unused'."),
    (lambda rows: [[""] + rows[0]] + [[str(i)] + r for i, r in enumerate(rows[1:], 1)],
     "line 1, column 1: expected 'Indicator ID', found ''."),
])
def test_other_headers_are_still_refused(capsys, data, tmp_path, change, message):
    path = variant(tmp_path, "bad.csv", change)
    code, out, err = run(capsys, data, "fingertips", str(path), "--package", "ea")
    assert (code, out) == (1, "") and message in err and "Traceback" not in err
    assert not (data / "ea").exists()


def test_r_row_names_are_named_in_the_refusal(capsys, data, tmp_path):
    path = variant(tmp_path, "rownames.csv", lambda rows: [[""] + rows[0]] + [[str(i)] + r
                                                                              for i, r in enumerate(rows[1:], 1)])
    code, out, err = run(capsys, data, "fingertips", str(path), "--package", "ea")
    assert code == 1 and "R's write.csv adds its row names as a first column; save the file with row.names = " \
                         "FALSE." in err


# --- Titles ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, sex, age, title, short", [
    ("Emergency admissions", "Persons", "0-4 yrs", "Emergency admissions (0 to 4 years)",
     "Emergency admissions (0-4 yrs)"),
    ("Emergency admissions", "Female", "1-4 yrs", "Emergency admissions (Female, 1 to 4 years)",
     "Emergency… (Female, 1-4 yrs)"),
    ("Hip fractures in people", "Male", "65+ yrs", "Hip fractures in people (Male, 65+ years)",
     "Hip fractures… (Male, 65+ yrs)"),
    ("Emergency admissions (0 to 4 years)", "Persons", "0-4 yrs", "Emergency admissions (0 to 4 years)",
     "Emergency admissions (0-4 yrs)"),
    ("Emergency admissions (0 to 4 years)", "Male", "0-4 yrs", "Emergency admissions (Male, 0 to 4 years)",
     "Emergency… (Male, 0-4 yrs)"),
    ("Under 75 mortality rate from all cardiovascular diseases", "Persons", "<75 yrs",
     "Under 75 mortality rate from all cardiovascular diseases", "Under 75 mortality rate from…"),
    ("Smoking Prevalence in adults (18+) - current smokers (APS)", "Persons", "18+ yrs",
     "Smoking Prevalence in adults (18+) - current smokers (APS)", "Smoking Prevalence in adults…"),
    ("Life expectancy at birth", "Male", "All ages", "Life expectancy at birth (Male)",
     "Life expectancy at birth (Male)"),
    ("Life expectancy at 65", "Female", "65 yrs", "Life expectancy at 65 (Female)", "Life expectancy at 65 (Female)"),
    ("Population", "Persons", "Not applicable", "Population", "Population"),
])
def test_titles_keep_sex_and_age(name, sex, age, title, short):
    assert titles(name, (sex, age)) == (title, short)
    assert len(short) <= 32
