"""The importers: OHID Fingertips exports (files and recorded API responses) and NHS England's monthly A&E CSV
become data packages that pass `build.py --check`, with a report that accounts for every row.

Fixtures are small hand-written files in tests/fixtures/importers/ (values invented, layouts as published).
No test touches the network: urllib's urlopen and socket connections raise throughout.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

import pytest

import build
from icsite.commands import import_data as cli_import
from icsite.core.standard import value_schema
from icsite.importers import common, fingertips
from icsite.importers.registry import Registry

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "importers"
SHIPPED = ROOT / "datapackages"

CONTENT = Path(__file__).resolve().parents[1] / "fixtures" / "site-small" / "content"


pytestmark = pytest.mark.usefixtures("no_network")  # and `data`: tests/unit/conftest.py


def run(capsys, data: Path, *argv: str) -> tuple[int, str, str]:
    code = cli_import.main([*argv, "--data", str(data)])
    out, err = capsys.readouterr()
    return code, out.replace(str(data), "<data>"), err.replace(str(data), "<data>")


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def passes_check(capsys, data: Path) -> bool:
    code = build.main(["--check", "--data", str(data), "--content", str(CONTENT)])  # (stories name the shipped data)
    capsys.readouterr()
    return code == 0


def rewrite(source: Path, target: Path, change) -> Path:
    """A copy of a CSV with `change(rows)` applied to its list of rows (header first)."""
    rows = list(csv.reader(io.StringIO(text(source))))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(change(rows))
    target.write_text(out.getvalue(), encoding="utf-8")
    return target


HEADER_IND = ("id,title,short_title,domain,unit,polarity,value_type,multiplier,decimals,definition,source,frequency,"
              "target,target_label,illustrative,fingertips_id,keywords\n")
HEADER_VAL = ("indicator_id,area_code,period,period_start,period_end,value,lower_ci,upper_ci,numerator,denominator,"
              "status,note\n")
#: a package whose values have published 99.8% limits: the standard's optional columns, right after upper_ci
HEADER_VAL_998 = HEADER_VAL.replace(",upper_ci,", ",upper_ci,lower_ci_99_8,upper_ci_99_8,")


# --- The schema -------------------------------------------------------------------------------------------------

def test_the_package_schema_is_the_shipped_one():
    shipped = json.loads(text(SHIPPED / "urgent-emergency-care" / "datapackage.json"))
    schemas = {r["name"]: r["schema"] for r in shipped["resources"]}
    assert common.INDICATOR_SCHEMA == schemas["indicators"]
    assert common.VALUE_SCHEMA == schemas["values"]
    assert HEADER_IND == text(SHIPPED / "urgent-emergency-care" / "indicators.csv").splitlines(keepends=True)[0]
    assert HEADER_VAL == text(SHIPPED / "urgent-emergency-care" / "values.csv").splitlines(keepends=True)[0]


# --- Fingertips: the classic 26-column export ---------------------------------------------------------------------

CLASSIC_INDICATORS = HEADER_IND + (
    "fingertips_92443,Smoking Prevalence in adults (18+) - current smokers (APS),Smoking Prevalence in adults…,"
    "healthy_lives,%,low_is_good,proportion,100,1,\"Smoking Prevalence in adults (18+) - current smokers (APS) "
    "(Persons, 18+ yrs). Figures from OHID Fingertips indicator 92443; its full definition is in the Fingertips "
    "metadata.\",\"OHID Fingertips, indicator 92443\",annual,,,false,92443,\n"
    "fingertips_90366,Life expectancy at birth (Male),Life expectancy at birth (Male),healthy_lives,years,"
    "high_is_good,life_expectancy,1,1,\"Life expectancy at birth (Male, All ages). Figures from OHID Fingertips "
    "indicator 90366; its full definition is in the Fingertips metadata.\",\"OHID Fingertips, indicator 90366\","
    "three_year,,,false,90366,\n")
CLASSIC_VALUES = HEADER_VAL_998 + """\
fingertips_92443,E40000003,2023,2023-01-01,2023-12-31,10,9.39,10.64,9.05,11.01,900,9000,final,
fingertips_92443,E54000027,2023,2023-01-01,2023-12-31,9,8.03,10.07,7.51,10.69,270,3000,final,Aggregated from all known lower geography values
fingertips_92443,E54000030,2023,2023-01-01,2023-12-31,,,,,,,,suppressed,Value suppressed for disclosure control due to small count
fingertips_92443,E54000055,2023,2023-01-01,2023-12-31,13,11.83,14.26,11.24,14.95,390,3000,final,
fingertips_92443,E54000063,2023,2023-01-01,2023-12-31,9,7.83,10.33,7.23,11.08,180,2000,final,
fingertips_92443,E92000001,2023,2023-01-01,2023-12-31,11,10.694,11.313,10.521,11.494,4400,40000,final,
fingertips_90366,E54000027,2021 - 23,2021-01-01,2023-12-31,81.2,80.9,81.5,80.73,81.67,,,final,
fingertips_90366,E54000055,2021 - 23,2021-01-01,2023-12-31,76.4,76.1,76.7,75.93,76.87,,,final,
fingertips_90366,E92000001,2021 - 23,2021-01-01,2023-12-31,79.1,79.02,79.18,78.98,79.22,,,final,
"""
CLASSIC_REPORT = """\
Import of OHID Fingertips export fingertips_classic.csv into package 'smoking'
Rows read: 18
  imported: 9, as 9 values; 1 suppressed (row 7)
  kept apart, breakdown rows (a category, or another Sex/Age): 5 (rows 10, 11, 15, 17, 19)
  not imported: 4
    area of another type (not England, an NHS region or an ICB): 1 (row 8)
    area not in the area registry (neither its ONS code nor its ODS code): 1 (row 9)
    period label in no known format: 1 (row 12)
    second row for the same indicator, area and period (the first was kept): 1 (row 13)
Areas matched through a code change or an ODS code: 2
  row 5: E54000052 -> E54000063 (code change)
  row 6: E54000099 (QHL) -> E54000055 (ODS code)
fingertips_classic.csv: 26 columns; column 23 is 'Compared to percentiles'
Indicator fingertips_92443 (Fingertips 92443; Persons, 18+ yrs): Smoking Prevalence in adults (18+) - current smokers (APS)
  value_type proportion: value = count / denominator x 100 in all 5 rows with counts
  multiplier 100: from the values and counts
  unit %: from the value type and multiplier
  polarity low_is_good: 3 comparisons with England say so
  frequency annual: from the most common period length
  domain healthy_lives: the default (set it with --domain)
  Sex/Age Persons, 18+ yrs: the Persons one; choose another with --sex and --age
  other Sex/Age kept apart: Male, 18+ yrs (1 row)
Indicator fingertips_90366 (Fingertips 90366; Male, All ages): Life expectancy at birth (Male)
  value_type life_expectancy: no counts; 'life expectancy' in the name
  multiplier 1: the usual one for the value type
  unit years: from the value type and multiplier
  polarity high_is_good: 2 comparisons with England say so
  frequency three_year: from the most common period length
  domain healthy_lives: the default (set it with --domain)
  Sex/Age Male, All ages: the most common combination (3 rows, the first in the file of those with as many); \
choose another with --sex and --age
  other Sex/Age kept apart: Female, All ages (3 rows)
Check: no errors; no warnings
Wrote <data>/smoking: version 1.0.0, created 2026-01-15, 2 indicator(s), 9 value row(s).
"""


def test_classic_export_becomes_the_exact_package(capsys, data):
    """26 columns; an old ICB code (E54000052) moved to its 2023 code; an unknown code placed by its ODS suffix;
    a suppressed value; breakdown rows; a sub-ICB area; an unknown area; an unparseable period; a duplicate."""
    code, out, err = run(capsys, data, "fingertips", "fingertips_classic.csv", "--package", "smoking",
                         "--date", "2026-01-15")
    assert (code, err) == (0, "")
    assert out == CLASSIC_REPORT
    assert text(data / "smoking" / "indicators.csv") == CLASSIC_INDICATORS
    assert text(data / "smoking" / "values.csv") == CLASSIC_VALUES
    descriptor = json.loads(text(data / "smoking" / "datapackage.json"))
    assert descriptor["name"] == "smoking" and descriptor["version"] == "1.0.0"
    assert descriptor["created"] == "2026-01-15T00:00:00Z" and descriptor["illustrative"] is False
    assert descriptor["profile"] == "tabular-data-package"
    assert [r["schema"] for r in descriptor["resources"]] == [common.INDICATOR_SCHEMA, value_schema(ci_99_8=True)]
    assert [s["title"][:40] for s in descriptor["sources"]] == ["OHID Fingertips, indicator 92443: Smokin",
                                                                 "OHID Fingertips, indicator 90366: Life e"]
    assert passes_check(capsys, data)


# --- Fingertips: the current 27-column export -------------------------------------------------------------------

LIVE_INDICATORS = HEADER_IND + (
    "fingertips_40401,Under 75 mortality rate from all cardiovascular diseases,Under 75 mortality rate from…,"
    "healthy_lives,\"per 100,000\",no_judgement,directly_standardised_rate,100000,1,\"Under 75 mortality rate "
    "from all cardiovascular diseases (Persons, <75 yrs). Figures from OHID Fingertips indicator 40401; its full "
    "definition is in the Fingertips metadata.\",\"OHID Fingertips, indicator 40401\",annual,,,false,40401,\n")
LIVE_VALUES = HEADER_VAL_998 + """\
fingertips_40401,E40000012,2023,2023-01-01,2023-12-31,86.2,84.9,87.5,84,88.4,6900,7400000,final,
fingertips_40401,E54000031,2023,2023-01-01,2023-12-31,61.2,59,63.4,57.6,64.9,1200,1500000,final,
fingertips_40401,E54000050,2023,2023-01-01,2023-12-31,92.4,89.9,94.9,88.3,96.6,2400,2500000,provisional,Provisional data
fingertips_40401,E54000057,2023,2023-01-01,2023-12-31,88,85.8,90.2,84.4,91.7,2700,2900000,final,
fingertips_40401,E92000001,2022,2022-01-01,2022-12-31,77.5,76.7,78.3,76.2,78.8,36000,44000000,final,
fingertips_40401,E92000001,2023,2023-01-01,2023-12-31,76.1,75.3,76.9,74.9,77.4,35500,44300000,final,
"""
LIVE_REPORT = """\
Import of OHID Fingertips export fingertips_live.csv into package 'cvd'
Rows read: 6
  imported: 6, as 6 values
  not imported: 0
fingertips_live.csv: 27 columns (with Time period range); column 23 is 'Compared to percentiles'
Indicator fingertips_40401 (Fingertips 40401; Persons, <75 yrs): Under 75 mortality rate from all cardiovascular diseases
  value_type directly_standardised_rate: value / (count / denominator) is near 100000 but not equal (age standardised) in 6 rows
  multiplier 100000: from the values and counts
  unit per 100,000: from the value type and multiplier
  polarity no_judgement: no Better/Worse comparison or better/worse trend in the export
  frequency annual: from the most common period length
  domain healthy_lives: the default (set it with --domain)
Check: no errors; no warnings
Wrote <data>/cvd: version 1.0.0, created 2026-01-15, 1 indicator(s), 6 value row(s).
"""


def test_live_27_column_export_with_a_standardised_rate(capsys, data):
    """27 columns (Time period range); a rate near but not equal to count / denominator x 100,000 is directly
    standardised; Higher/Lower labels give no polarity; a 'provisional' note makes the status provisional."""
    code, out, err = run(capsys, data, "fingertips", "fingertips_live.csv", "--package", "cvd", "--date",
                         "2026-01-15")
    assert (code, out, err) == (0, LIVE_REPORT, "")
    assert text(data / "cvd" / "indicators.csv") == LIVE_INDICATORS
    assert text(data / "cvd" / "values.csv") == LIVE_VALUES
    assert passes_check(capsys, data)


# --- Fingertips: every period format ------------------------------------------------------------------------------

PERIOD_VALUES = HEADER_VAL + """\
fingertips_41001,E92000001,2019/20 - 21/22,2019-04-01,2022-03-31,14800,,,,,final,
fingertips_41001,E92000001,2021 - 23,2021-01-01,2023-12-31,15200,,,,,final,
fingertips_41001,E92000001,Jul 2022 - Jun 2023,2022-07-01,2023-06-30,5000,,,,,final,
fingertips_41001,E92000001,2023,2023-01-01,2023-12-31,5100,,,,,final,
fingertips_41001,E92000001,2023/24,2023-04-01,2024-03-31,5050,,,,,final,
fingertips_41001,E92000001,2023/24 Q2 - 2024/25 Q1,2023-07-01,2024-06-30,5080,,,,,final,
fingertips_41001,E92000001,Jan 2024,2024-01-01,2024-01-31,410,,,,,final,
fingertips_41001,E92000001,2024 Q1,2024-01-01,2024-03-31,1250,,,,,final,
fingertips_41001,E92000001,2024/25 Q1,2024-04-01,2024-06-30,1300,,,,,final,
fingertips_41001,E92000001,2024/25 Q1-Q3,2024-04-01,2024-12-31,3900,,,,,final,
"""
PERIOD_INDICATORS = HEADER_IND + (
    "fingertips_41001,Number of deaths from suicide,Number of deaths from suicide,healthy_lives,count,"
    "no_judgement,count,1,0,\"Number of deaths from suicide (Persons, All ages). Figures from OHID Fingertips "
    "indicator 41001; its full definition is in the Fingertips metadata.\",\"OHID Fingertips, indicator 41001\","
    "annual,,,false,41001,\n")
PERIOD_REPORT = """\
Import of OHID Fingertips export fingertips_periods.csv into package 'periods'
Rows read: 11
  imported: 10, as 10 values
  not imported: 1
    area that did not exist during the period (see areas.csv valid_from and valid_to): 1 (row 12)
fingertips_periods.csv: 27 columns; ignored unknown column(s): Column not used; column 23 is 'Compared to percentiles'
Indicator fingertips_41001 (Fingertips 41001; Persons, All ages): Number of deaths from suicide
  value_type count: every value equals its count
  multiplier 1: the usual one for the value type
  unit count: from the value type and multiplier
  polarity no_judgement: no Better/Worse comparison or better/worse trend in the export
  frequency annual: from the most common period length
  domain healthy_lives: the default (set it with --domain)
Check: no errors; no warnings
Wrote <data>/periods: version 1.0.0, created 2026-01-15, 1 indicator(s), 10 value row(s).
"""


def test_every_period_format_and_an_unknown_trailing_column(capsys, data):
    """2023, 2021 - 23, 2023/24, 2019/20 - 21/22, 2024 Q1, 2024/25 Q1, Jan 2024 and the special, cumulative and
    rolling formats; England before the registry says figures start (2005, before its figures_from) is reported;
    a count keeps no numerator."""
    code, out, err = run(capsys, data, "fingertips", "fingertips_periods.csv", "--package", "periods", "--date",
                         "2026-01-15")
    assert (code, out, err) == (0, PERIOD_REPORT, "")
    assert text(data / "periods" / "values.csv") == PERIOD_VALUES
    assert text(data / "periods" / "indicators.csv") == PERIOD_INDICATORS
    # a count has no interval: no 99.8% columns, the package has the shipped packages' schema
    values = json.loads(text(data / "periods" / "datapackage.json"))["resources"][1]
    assert values["schema"] == common.VALUE_SCHEMA
    assert passes_check(capsys, data)


# --- Fingertips: the published 99.8% limits ----------------------------------------------------------------------

def fixture_cells(path: Path) -> dict[tuple[str, str], tuple[str, str]]:
    """(area code, period) -> the 99.8% limits as written in a Fingertips export, for its headline rows."""
    rows = csv.DictReader(io.StringIO(text(path)))
    return {(r["Area Code"], r["Time period"]): (r["Lower CI 99.8 limit"], r["Upper CI 99.8 limit"])
            for r in rows if not r["Category Type"] and r["Sex"] == "Persons"}


def test_the_published_99_8_limits_reach_values_csv_unchanged(capsys, data):
    """Every 99.8% limit of the recorded export is in values.csv as written there, in the standard's optional
    columns right after upper_ci, which the package's schema declares; the package passes the check."""
    assert run(capsys, data, "fingertips", "fingertips_live.csv", "--package", "cvd", "--date", "2026-01-15")[0] == 0
    source = fixture_cells(FIXTURES / "fingertips_live.csv")
    written = list(csv.DictReader(io.StringIO(text(data / "cvd" / "values.csv"))))
    assert len(written) == len(source) == 6
    assert {(r["area_code"], r["period"]): (r["lower_ci_99_8"], r["upper_ci_99_8"]) for r in written} == source
    assert text(data / "cvd" / "values.csv").splitlines()[0] == HEADER_VAL_998.strip()
    schema = json.loads(text(data / "cvd" / "datapackage.json"))["resources"][1]["schema"]
    assert [f["name"] for f in schema["fields"]][6:10] == ["lower_ci", "upper_ci", "lower_ci_99_8", "upper_ci_99_8"]
    assert schema == value_schema(ci_99_8=True)
    assert passes_check(capsys, data)


def test_a_package_gains_the_99_8_columns_when_an_import_brings_them(capsys, data):
    """A package without 99.8% limits (a count) and an export with them: the merged package has the columns, empty
    where the source had no limits; importing the count again changes nothing."""
    assert run(capsys, data, "fingertips", "fingertips_periods.csv", "--package", "mixed", "--date",
               "2026-01-15")[0] == 0
    assert text(data / "mixed" / "values.csv") == PERIOD_VALUES
    assert run(capsys, data, "fingertips", "fingertips_live.csv", "--package", "mixed", "--date",
               "2026-02-01")[0] == 0
    lines = text(data / "mixed" / "values.csv").splitlines(keepends=True)
    assert lines[0] == HEADER_VAL_998 and lines[11:] == LIVE_VALUES.splitlines(keepends=True)[1:]
    assert lines[1] == "fingertips_41001,E92000001,2019/20 - 21/22,2019-04-01,2022-03-31,14800,,,,,,,final,\n"
    assert (data / "mixed" / "releases" / "1.0.0").is_dir()
    code, out, _ = run(capsys, data, "fingertips", "fingertips_periods.csv", "--package", "mixed")
    assert code == 0 and "No change" in out
    assert passes_check(capsys, data)


def test_a_99_8_limit_that_is_not_a_number_keeps_its_row_out_like_a_95_limit(capsys, data, tmp_path):
    bad = rewrite(FIXTURES / "fingertips_live.csv", tmp_path / "bad.csv",
                  lambda rows: [r[:16] + ["n/a"] + r[17:] if r[4] == "E54000057" else r for r in rows])
    code, out, err = run(capsys, data, "fingertips", str(bad), "--package", "cvd", "--date", "2026-01-15")
    assert (code, err) == (0, "")
    assert "    value or interval that is not a number, or is negative: 1 (row 6)\n" in out
    assert "E54000057" not in text(data / "cvd" / "values.csv")
    assert passes_check(capsys, data)


def test_99_8_limits_that_do_not_contain_the_95_interval_are_not_written(capsys, data, tmp_path):
    """The build's check runs on the new package: a 99.8% interval narrower than the 95% one is refused."""
    bad = rewrite(FIXTURES / "fingertips_live.csv", tmp_path / "bad.csv",
                  lambda rows: [r[:15] + ["86"] + r[16:] if r[4] == "E54000057" else r for r in rows])
    code, out, err = run(capsys, data, "fingertips", str(bad), "--package", "cvd")
    assert (code, out) == (1, "")
    assert "ERROR [interval-not-nested] row 5, field lower_ci_99_8: the 99.8% interval does not contain the 95% " \
           "one" in err
    assert err.endswith("Nothing was written.\n") and not (data / "cvd").exists()


# --- Fingertips: flags instead of inference ---------------------------------------------------------------------

def test_flags_give_ids_metadata_and_the_sex_to_import(capsys, data):
    code, out, err = run(capsys, data, "fingertips", "fingertips_classic.csv", "--package", "smoking",
                         "--id", "92443=smoking_adults", "--id", "90366=le_female", "--sex", "90366=Female",
                         "--polarity", "92443=high_is_good", "--domain", "prevention", "--unit",
                         "92443=% of adults", "--value-type", "90366=mean", "--date", "2026-01-15")
    assert (code, err) == (0, "")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(text(data / "smoking" / "indicators.csv")))}
    smoking, le = rows["smoking_adults"], rows["le_female"]
    assert (smoking["polarity"], smoking["domain"], smoking["unit"]) == ("high_is_good", "prevention", "% of adults")
    assert (le["title"], le["value_type"], le["domain"], le["polarity"]) == (
        "Life expectancy at birth (Female)", "mean", "prevention", "high_is_good")
    assert "  polarity high_is_good: given with --polarity\n" in out
    assert "  intervals left empty: the standard gives none for a mean\n" in out
    assert "  other Sex/Age kept apart: Male, All ages (3 rows)\n" in out
    assert [line for line in text(data / "smoking" / "values.csv").splitlines() if line.startswith("le_")] == [
        "le_female,E54000027,2021 - 23,2021-01-01,2023-12-31,84.6,,,,,,,final,",
        "le_female,E54000055,2021 - 23,2021-01-01,2023-12-31,81,,,,,,,final,",
        "le_female,E92000001,2021 - 23,2021-01-01,2023-12-31,83,,,,,,,final,"]
    assert passes_check(capsys, data)


@pytest.mark.parametrize("flags, message", [
    (["--polarity", "sideways"], "--polarity sideways: expected one of high_is_good, low_is_good, no_judgement"),
    (["--id", "smoking"], "--id smoking: the export has 2 indicators (92443, 90366); map each one as "
                          "--id INDICATOR=ID"),
    (["--domain", "12345=prevention"], "--domain 12345=prevention: indicator 12345 is not in the export"),
    (["--sex", "90366=Other"], "indicator 90366 has no headline rows with Sex 'Other' and Age 'any'"),
    (["--short-title", "x" * 33], "--short-title: at most 32 characters (found 33)"),
])
def test_bad_flags_are_usage_errors(capsys, data, flags, message):
    code, out, err = run(capsys, data, "fingertips", "fingertips_classic.csv", "--package", "smoking", *flags)
    assert code == 2 and out == "" and message in err and "Traceback" not in err
    assert not (data / "smoking").exists()


# --- Re-importing: releases and versions -------------------------------------------------------------------------

def test_reimport_keeps_the_release_bumps_the_version_and_skips_no_change(capsys, data, tmp_path):
    assert run(capsys, data, "fingertips", "fingertips_classic.csv", "--package", "smoking", "--date",
               "2026-01-15")[0] == 0
    package = data / "smoking"
    first = {name: text(package / name) for name in ("datapackage.json", "indicators.csv", "values.csv")}

    # the same export again: nothing written
    code, out, err = run(capsys, data, "fingertips", "fingertips_classic.csv", "--package", "smoking", "--date",
                         "2026-02-01")
    assert (code, err) == (0, "")
    assert out.endswith("No change: <data>/smoking already holds these values (version 1.0.0); "
                        "nothing was written.\n")
    assert {name: text(package / name) for name in first} == first
    assert not (package / "releases").exists()

    # a revised value: 1.0.0 kept as a release, 1.1.0 written with the import date
    revised = rewrite(FIXTURES / "fingertips_classic.csv", tmp_path / "revised.csv", lambda rows: [
        r[:12] + ["9.1", "8.13", "10.17"] + r[15:17] + ["273"] + r[18:] if r[4] == "E54000027" and r[11] == "2023"
        else r for r in rows])
    code, out, err = run(capsys, data, "fingertips", str(revised), "--package", "smoking", "--date", "2026-02-01")
    assert (code, err) == (0, "")
    assert out.splitlines()[-3:] == [
        "Check: no errors; no warnings",
        "Kept version 1.0.0 in <data>/smoking/releases/1.0.0.",
        "Wrote <data>/smoking: version 1.1.0, created 2026-02-01, 2 indicator(s), 9 value row(s)."]
    kept = package / "releases" / "1.0.0"
    assert text(kept / "values.csv") == first["values.csv"] and text(kept / "indicators.csv") == CLASSIC_INDICATORS
    assert (kept / "comparisons.csv").is_file()
    descriptor = json.loads(text(package / "datapackage.json"))
    assert (descriptor["version"], descriptor["created"]) == ("1.1.0", "2026-02-01T00:00:00Z")
    assert text(package / "values.csv") == CLASSIC_VALUES.replace(
        "E54000027,2023,2023-01-01,2023-12-31,9,8.03,10.07,7.51,10.69,270,",
        "E54000027,2023,2023-01-01,2023-12-31,9.1,8.13,10.17,7.51,10.69,273,")

    # a version already kept by hand (build.py release) is not kept again
    assert build.main(["release", "smoking", "--data", str(data)]) == 0
    capsys.readouterr()
    code, out, err = run(capsys, data, "fingertips", "fingertips_classic.csv", "--package", "smoking", "--date",
                         "2026-03-01")
    assert (code, err) == (0, "")
    assert out.splitlines()[-2:] == [
        "Version 1.1.0 was already kept in <data>/smoking/releases/1.1.0.",
        "Wrote <data>/smoking: version 1.2.0, created 2026-03-01, 2 indicator(s), 9 value row(s)."]
    assert text(package / "values.csv") == CLASSIC_VALUES
    assert sorted(p.name for p in (package / "releases").iterdir()) == ["1.0.0", "1.1.0"]
    assert passes_check(capsys, data)


def test_import_into_an_existing_package_keeps_its_other_indicators(capsys, data):
    assert run(capsys, data, "fingertips", "fingertips_classic.csv", "--package", "mixed", "--date",
               "2026-01-15")[0] == 0
    rows = list(csv.DictReader(io.StringIO(text(data / "mixed" / "indicators.csv"))))
    rows[0]["title"] = "Adults who smoke"  # a hand edit, which a re-import keeps
    with open(data / "mixed" / "indicators.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    code, out, err = run(capsys, data, "fingertips", "fingertips_live.csv", "--package", "mixed", "--date",
                         "2026-02-01")
    assert (code, err) == (0, "")
    assert "Kept unchanged: 2 other indicator(s) of the package (fingertips_92443, fingertips_90366)\n" in out
    assert text(data / "mixed" / "values.csv") == CLASSIC_VALUES + LIVE_VALUES.split("\n", 1)[1]
    ids = [r["id"] for r in csv.DictReader(io.StringIO(text(data / "mixed" / "indicators.csv")))]
    assert ids == ["fingertips_92443", "fingertips_90366", "fingertips_40401"]
    assert "Adults who smoke" in text(data / "mixed" / "indicators.csv")
    assert json.loads(text(data / "mixed" / "datapackage.json"))["version"] == "1.1.0"
    assert (data / "mixed" / "releases" / "1.0.0" / "values.csv").is_file()
    # re-importing the first export keeps the hand-edited title: nothing changes
    code, out, _ = run(capsys, data, "fingertips", "fingertips_classic.csv", "--package", "mixed")
    assert code == 0 and "No change" in out
    assert passes_check(capsys, data)


# --- Fingertips API: recorded responses only -------------------------------------------------------------------------

API_VALUES = HEADER_VAL_998 + """\
fingertips_92443,E54000027,2023,2023-01-01,2023-12-31,9,8.03,10.07,7.51,10.69,270,3000,final,
fingertips_92443,E54000063,2023,2023-01-01,2023-12-31,9,7.83,10.33,7.23,11.08,180,2000,final,
fingertips_92443,E92000001,2023,2023-01-01,2023-12-31,11,10.694,11.313,10.521,11.494,4400,40000,final,
fingertips_90366,E54000027,2021 - 23,2021-01-01,2023-12-31,84.6,84.3,84.9,84.13,85.07,,,final,
fingertips_90366,E92000001,2021 - 23,2021-01-01,2023-12-31,83,82.93,83.07,82.89,83.11,,,final,
"""
API_REPORT_HEAD = """\
Import of OHID Fingertips API, indicators 92443, 90366 into package 'api'
Rows read: 6
  imported: 5, as 5 values
  kept apart, breakdown rows (a category, or another Sex/Age): 1 (row indicator 90366:4)
  not imported: 0
Areas matched through a code change or an ODS code: 1
  row indicator 92443:4: E54000052 -> E54000063 (code change)
indicator 92443: 27 columns (with Time period range); column 23 is 'Compared to percentiles'
indicator 90366: 27 columns (with Time period range); column 23 is 'Compared to percentiles'
"""
API_URL = ("https://fingertips.phe.org.uk/api/all_data/csv/by_indicator_id?indicator_ids={}&child_area_type_id=221"
           "&parent_area_type_id=15")


def recorded(url: str) -> bytes:
    for ind in ("92443", "90366"):
        if url == API_URL.format(ind):
            return (FIXTURES / "api" / f"by_indicator_id_{ind}.csv").read_bytes()
    raise AssertionError(f"unexpected request {url}")


def test_fetch_uses_the_api_through_a_replaceable_function(capsys, data, monkeypatch):
    asked = []
    monkeypatch.setattr(fingertips, "http_get", lambda url: asked.append(url) or recorded(url))
    code, out, err = run(capsys, data, "fingertips", "--indicator", "92443", "--indicator", "90366", "--package",
                         "api", "--date", "2026-01-15")
    assert (code, err) == (0, "")
    assert asked == [API_URL.format("92443"), API_URL.format("90366")]
    assert out.startswith(API_REPORT_HEAD)
    assert out.endswith("Wrote <data>/api: version 1.0.0, created 2026-01-15, 2 indicator(s), 5 value row(s).\n")
    assert text(data / "api" / "values.csv") == API_VALUES
    assert "fingertips_90366,Life expectancy at birth (Female)," in text(data / "api" / "indicators.csv")
    assert passes_check(capsys, data)


class FakeResponse(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_http_get_asks_the_by_indicator_id_endpoint(monkeypatch):
    requests = []

    def urlopen(request, timeout):
        requests.append(request.full_url)
        return FakeResponse(recorded(request.full_url))
    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    [(label, csv_text)] = fingertips.fetch(["92443"])
    assert requests == [API_URL.format("92443")]
    assert label == "indicator 92443" and csv_text == text(FIXTURES / "api" / "by_indicator_id_92443.csv")


def test_offline_fetch_is_a_clear_input_problem(capsys, data, monkeypatch):
    def offline(request, timeout):
        raise urllib.error.URLError("no network in tests")
    monkeypatch.setattr(urllib.request, "urlopen", offline)
    code, out, err = run(capsys, data, "fingertips", "--indicator", "92443", "--package", "api")
    assert (code, out) == (1, "")
    assert err.startswith(f"build.py import: could not fetch indicator 92443 from {API_URL.format('92443')}: "
                          "no network in tests.")
    assert not (data / "api").exists()


# --- Fingertips: problems with the input -----------------------------------------------------------------------------

def test_a_renamed_column_is_reported_by_position(capsys, data, tmp_path):
    bad = rewrite(FIXTURES / "fingertips_live.csv", tmp_path / "bad.csv",
                  lambda rows: [rows[0][:12] + ["Val"] + rows[0][13:]] + rows[1:])
    code, out, err = run(capsys, data, "fingertips", str(bad), "--package", "cvd")
    assert (code, out) == (1, "")
    assert err.startswith(f"build.py import: {bad}, line 1, column 13: expected 'Value', found 'Val'. An OHID "
                          "Fingertips export has 26 or 27 columns")
    assert "Traceback" not in err and not (data / "cvd").exists()


def test_a_package_that_would_fail_the_check_is_not_written(capsys, data, tmp_path):
    bad = rewrite(FIXTURES / "fingertips_live.csv", tmp_path / "bad.csv",
                  lambda rows: [r[:13] + ["89"] + r[14:] if r[4] == "E54000057" else r for r in rows])
    code, out, err = run(capsys, data, "fingertips", str(bad), "--package", "cvd")
    assert (code, out) == (1, "")
    assert "The imported package would not pass the check:" in err
    assert "ERROR [value-outside-interval] row 5, field value: the value is not inside its own interval" in err
    assert err.endswith("Nothing was written.\n") and not (data / "cvd").exists()


def test_an_indicator_id_of_another_package_is_refused(capsys, data):
    assert run(capsys, data, "fingertips", "fingertips_live.csv", "--package", "cvd")[0] == 0
    code, out, err = run(capsys, data, "fingertips", "fingertips_live.csv", "--package", "cvd-again")
    assert (code, out) == (1, "")
    assert "indicator id 'fingertips_40401' is already defined in <data>/cvd/indicators.csv" in err


@pytest.mark.parametrize("argv, message", [
    (["fingertips", "--package", "x"], "give either FILE or --indicator ID (not both)"),
    (["fingertips", "fingertips_live.csv", "--indicator", "1", "--package", "x"], "give either FILE or"),
    (["fingertips", "fingertips_live.csv"], "the following arguments are required: --package"),
    (["fingertips", "fingertips_live.csv", "--package", "areas"], "not 'areas', the area registry"),
    (["fingertips", "fingertips_live.csv", "--package", "Bad Name"], "--package Bad Name: a package name is"),
    (["fingertips", "fingertips_live.csv", "--package", "x", "--date", "15/01/2026"], "expected a date"),
    (["fingertips", "no-such-file.csv", "--package", "x"], "no-such-file.csv: cannot read the file"),
    (["fingertips", "--indicator", "smoking", "--package", "x"], "a Fingertips indicator id is a whole number"),
    (["spreadsheet", "x.csv"], "invalid choice: 'spreadsheet'"),
])
def test_usage_errors_exit_2(capsys, data, argv, message):
    code, out, err = run(capsys, data, *argv)
    assert code == 2 and out == "" and message in err and "Traceback" not in err


def test_a_missing_data_folder_is_a_usage_error(capsys, tmp_path):
    assert cli_import.main(["ae", "x.csv", "--package", "ae", "--data", str(tmp_path / "nowhere")]) == 2
    assert "does not exist" in capsys.readouterr().err


# --- NHS England monthly A&E ------------------------------------------------------------------------------------

AE_VALUES = HEADER_VAL + """\
ae_4hr,E40000003,Mar 2025,2025-03-01,2025-03-31,77.7571,,,52175,67100,final,
ae_4hr,E40000005,Mar 2025,2025-03-01,2025-03-31,73.5345,,,8530,11600,final,
ae_4hr,E40000011,Mar 2025,2025-03-01,2025-03-31,71.8775,,,36370,50600,final,
ae_4hr,E54000027,Mar 2025,2025-03-01,2025-03-31,75.6522,,,17400,23000,final,
ae_4hr,E54000030,Mar 2025,2025-03-01,2025-03-31,77.3844,,,31805,41100,final,
ae_4hr,E54000055,Mar 2025,2025-03-01,2025-03-31,70.3067,,,22920,32600,final,
ae_4hr,E54000062,Mar 2025,2025-03-01,2025-03-31,74.7222,,,13450,18000,final,
ae_4hr,E54000063,Mar 2025,2025-03-01,2025-03-31,73.5345,,,8530,11600,final,
ae_4hr,E92000001,Mar 2025,2025-03-01,2025-03-31,75.0773,,,97075,129300,final,
"""
AE_INDICATORS = HEADER_IND + (
    "ae_4hr,\"A&E: % of attendances admitted, transferred or discharged within 4 hours (all types)\","
    "A&E within 4 hours,urgent_care,%,high_is_good,proportion,100,1,\"Percentage of A&E attendances (all types: "
    "major emergency departments, single-specialty departments and other departments such as urgent treatment "
    "centres) where the patient was admitted, transferred or discharged within four hours of arrival, summed from "
    "the providers' monthly returns.\",NHS England A&E Attendances and Emergency Admissions (monthly),monthly,,,"
    "false,,A&E; accident and emergency; emergency department; casualty; four hours; waiting times\n")
AE_REPORT = """\
Import of NHS England monthly A&E CSV nhse_ae_monthly.csv into package 'ae'
Rows read: 8
  imported: 7, as 9 values
  kept apart, summary (TOTAL) rows, used only to check the England sums: 1 (row 9)
  not imported: 0
  imported in part, in England and its region but no ICB (no ICB code for the row): 1 (row 8)
Areas matched through a code change or an ODS code: 1
  row 7: E54000052 (QXU) -> E54000063 (ODS code)
nhse_ae_monthly.csv: 23 columns; attendances of types 1, 2 and other, booked appointments included; ICBs from the ICB column
Counted towards England and its region only, in no ICB:
  NLO12 AN INDEPENDENT URGENT TREATMENT CENTRE (no ICB code for the row): 3,000 attendances in Mar 2025
TOTAL row for Mar 2025 agrees with the sum of the providers
Check: no errors; no warnings
Wrote <data>/ae: version 1.0.0, created 2026-01-15, 1 indicator(s), 9 value row(s).
"""


def test_ae_monthly_csv_becomes_the_4_hour_indicator(capsys, data):
    """Provider rows summed to ICBs (by the ICB Code column; an old ONS code moved on), regions and England;
    booked appointments included; the TOTAL row checks England; a row whose ICB Code cell is empty is said to be in
    no ICB: it counts for England and its region, and the report names it."""
    code, out, err = run(capsys, data, "ae", "nhse_ae_monthly.csv", "--package", "ae", "--date", "2026-01-15")
    assert (code, out, err) == (0, AE_REPORT, "")
    assert text(data / "ae" / "values.csv") == AE_VALUES
    assert text(data / "ae" / "indicators.csv") == AE_INDICATORS
    # no 99.8% limits in the source: the shipped packages' columns and schema, nothing more
    resources = json.loads(text(data / "ae" / "datapackage.json"))["resources"]
    assert [r["schema"] for r in resources] == [common.INDICATOR_SCHEMA, common.VALUE_SCHEMA]
    assert passes_check(capsys, data)


def test_ae_without_icb_column_uses_a_lookup_file(capsys, data, tmp_path):
    """The lookup leaves out NLO12 (3,000 attendances): refused, naming it, until --no-icb says it is in no ICB.
    (This test imported the file with NLO12 silently left out of the ICB sums before issue 15.)"""
    plain = rewrite(FIXTURES / "nhse_ae_monthly.csv", tmp_path / "plain.csv", lambda rows: [r[:-1] for r in rows])
    argv = ["ae", str(plain), "--package", "ae", "--icb-lookup", "nhse_ae_icb_lookup.csv", "--date", "2026-01-15"]
    code, out, err = run(capsys, data, *argv)
    assert (code, out) == (1, "")
    assert "  ERROR [provider-not-in-lookup] row 8, field Org Code: NLO12 AN INDEPENDENT URGENT TREATMENT CENTRE " \
           "(Mar 2025, 3,000 attendances): not in the lookup file nhse_ae_icb_lookup.csv\n" in err
    assert err.endswith("Nothing was written.\n") and not (data / "ae").exists()
    code, out, err = run(capsys, data, *argv, "--no-icb", "NLO12")
    assert (code, err) == (0, "")
    assert "plain.csv: 22 columns; attendances of types 1, 2 and other, booked appointments included; ICBs from " \
           "the lookup file\n" in out
    assert text(data / "ae" / "values.csv") == AE_VALUES


def test_ae_without_icbs_gives_england_and_regions_and_says_why(capsys, data, tmp_path):
    plain = rewrite(FIXTURES / "nhse_ae_monthly.csv", tmp_path / "plain.csv", lambda rows: [r[:-1] for r in rows])
    code, out, err = run(capsys, data, "ae", str(plain), "--package", "ae", "--exclude-booked")
    assert (code, err) == (0, "")
    assert "  imported in part, in England and its region but no ICB (no ICB code for the row): 7 " \
           "(rows 2, 3, 4, 5, 6 and 2 more)\n" in out
    assert "Warning: no ICB values were imported: the file has no ICB Code column and no --icb-lookup was given" \
        in out and "A&E 'System Mapping' for the financial year (2024-25)" in out
    areas = [line.split(",")[1] for line in text(data / "ae" / "values.csv").splitlines()[1:]]
    assert areas == ["E40000003", "E40000005", "E40000011", "E92000001"]
    england = text(data / "ae" / "values.csv").splitlines()[-1]
    assert england == "ae_4hr,E92000001,Mar 2025,2025-03-01,2025-03-31,74.9178,,,95670,127700,final,"


def test_ae_into_an_older_package_replaces_demo_values_and_then_adds_months(capsys, tmp_path, monkeypatch):
    """The small fixture site's package (written before the keywords column) holds illustrative ae_4hr values:
    the import replaces them all, keeps the other indicator, adds the keywords column and keeps 1.0.0; a later
    month's import then keeps the real month already there. (The small site's registry has two ICBs, none of the
    file's: with the ICB column the import is refused, so the file goes in without it, England and regions only;
    and one region, South East: London's and the Midlands' providers are refused, then left out of the file.
    Before issue 15 the unknown codes were left out of the ICB and region sums silently.)"""
    data = tmp_path / "datapackages"
    shutil.copytree(ROOT / "tests" / "fixtures" / "site-small" / "datapackages", data)
    monkeypatch.chdir(FIXTURES)
    package = data / "urgent-care-sample"
    before = text(package / "values.csv").splitlines()
    code, out, err = run(capsys, data, "ae", "nhse_ae_monthly.csv", "--package", "urgent-care-sample")
    assert code == 1 and "ERROR [provider-board-unknown] row 2, field ICB Code: RJ1 GUY'S AND ST THOMAS' NHS " \
        "FOUNDATION TRUST (Mar 2025, 23,700 attendances): mapped to QKK by its ICB Code cell, which is not an ICB " \
        "in the area registry\n" in err
    plain = rewrite(FIXTURES / "nhse_ae_monthly.csv", tmp_path / "plain.csv", lambda rows: [r[:-1] for r in rows])
    code, out, err = run(capsys, data, "ae", str(plain), "--package", "urgent-care-sample", "--date", "2026-07-01")
    assert code == 1 and "ERROR [provider-region-unknown] row 2, field Parent Org: RJ1 GUY'S AND ST THOMAS' NHS " \
        "FOUNDATION TRUST (Mar 2025, 23,700 attendances): its Parent Org 'NHS ENGLAND LONDON' is not an NHS England " \
        "region of the area registry" in err  # the registry has one region: London's would be part of England
    plain = rewrite(plain, tmp_path / "south-east.csv", lambda rows: [r for r in rows if "LONDON" not in r[2]
                                                                      and "MIDLANDS" not in r[2]])
    code, out, err = run(capsys, data, "ae", str(plain), "--package", "urgent-care-sample", "--date", "2026-07-01")
    assert (code, err) == (0, "")
    assert "Replaced all 32 illustrative value row(s) of ae_4hr: real values are not mixed with demo values\n" in out
    assert "Kept unchanged: 1 other indicator(s) of the package (amb_cat2_mean)\n" in out
    assert out.endswith("Kept version 1.0.0 in <data>/urgent-care-sample/releases/1.0.0.\n"
                        "Wrote <data>/urgent-care-sample: version 1.1.0, created 2026-07-01, 2 indicator(s), "
                        "34 value row(s).\n")
    after = text(package / "values.csv").splitlines()
    assert after[:33] == [before[0]] + [r for r in before[1:] if r.startswith("amb_cat2_mean,")]
    assert after[33:] == ["ae_4hr,E40000005,Mar 2025,2025-03-01,2025-03-31,73.5345,,,8530,11600,final,",
                          "ae_4hr,E92000001,Mar 2025,2025-03-01,2025-03-31,73.5345,,,8530,11600,final,"]
    indicators = list(csv.DictReader(io.StringIO(text(package / "indicators.csv"))))
    assert [(r["id"], r["illustrative"], r["target"]) for r in indicators] == [
        ("ae_4hr", "false", "78"), ("amb_cat2_mean", "true", "30")]  # the target is kept from the package
    assert list(indicators[0])[-1] == "keywords"
    assert passes_check(capsys, data)

    april = rewrite(plain, tmp_path / "april.csv", lambda rows: [rows[0]] + [
        [c.replace("MARCH", "APRIL") for c in r] for r in rows[1:]])
    code, out, err = run(capsys, data, "ae", str(april), "--package", "urgent-care-sample", "--date", "2026-08-01")
    assert (code, err) == (0, "")
    assert "Kept 2 earlier value row(s) of the imported indicator(s) for periods this import does not cover\n" in out
    assert [r.split(",")[1:3] for r in text(package / "values.csv").splitlines()[33:]] == [
        ["E40000005", "Mar 2025"], ["E40000005", "Apr 2025"], ["E92000001", "Mar 2025"], ["E92000001", "Apr 2025"]]
    assert passes_check(capsys, data)


def test_ae_missing_column_is_named(capsys, data, tmp_path):
    column = "Attendances over 4hrs Type 2"
    bad = rewrite(FIXTURES / "nhse_ae_monthly.csv", tmp_path / "bad.csv", lambda rows: [
        [c for c, h in zip(r, rows[0]) if h != column] for r in rows])
    code, out, err = run(capsys, data, "ae", str(bad), "--package", "ae")
    assert (code, out) == (1, "")
    assert err.startswith(f"build.py import: bad.csv, line 1: the column '{column}' (or 'Number of attendances "
                          "over 4hrs Type 2') is missing.")
    assert "Traceback" not in err and not (data / "ae").exists()


def test_ae_bad_number_names_the_row_and_column(capsys, data, tmp_path):
    bad = rewrite(FIXTURES / "nhse_ae_monthly.csv", tmp_path / "bad.csv",
                  lambda rows: [r[:4] + ["12a"] + r[5:] if r[1] == "RJZ" else r for r in rows])
    code, out, err = run(capsys, data, "ae", str(bad), "--package", "ae")
    assert (code, out) == (1, "")
    assert err == ("build.py import: bad.csv, row 3, column 'A&E attendances Type 1': expected a whole number of "
                   "attendances (0 or more), found '12a'\n")


# --- Placing areas ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("code, name, start, end, expected", [
    ("E54000052", "", date(2022, 4, 1), date(2023, 3, 31), ("E54000052", None)),  # the old code in its own time
    ("E54000052", "", date(2023, 1, 1), date(2023, 12, 31), ("E54000063", None)),  # its successor existed too
    ("E54000063", "", date(2022, 4, 1), date(2023, 3, 31), ("E54000052", None)),  # a new code used for old data
    ("E54000099", "NHS Sussex Integrated Care Board - QNX", date(2024, 1, 1), date(2024, 1, 31), ("E54000064", None)),
    ("E54000042", "NHS Hampshire and Isle of Wight ICB - QRL", date(2026, 4, 1), date(2026, 4, 30),
     ("E54000067", None)),
    ("E54000099", "NHS Hampshire and Isle of Wight ICB - QRL", date(2025, 4, 1), date(2027, 3, 31),
     (None, "area-ambiguous")),
    ("E54000024", "", date(2026, 4, 1), date(2026, 4, 30), (None, "area-not-valid")),
    ("E54000999", "NHS Nowhere", date(2024, 1, 1), date(2024, 1, 31), (None, "area-unknown")),
    # figures published on a boundary from before it existed (the registry's figures_from: 2010-04-01)
    ("E92000001", "England", date(2019, 1, 1), date(2019, 12, 31), ("E92000001", None)),
    ("E54000052", "", date(2015, 4, 1), date(2016, 3, 31), ("E54000052", None)),
    ("E92000001", "England", date(2005, 1, 1), date(2005, 12, 31), (None, "area-not-valid")),
])
def test_registry_places_codes_of_every_vintage(code, name, start, end, expected):
    placement = Registry.load(SHIPPED).place(code, name, start, end)
    assert (placement.code, placement.reason) == expected
