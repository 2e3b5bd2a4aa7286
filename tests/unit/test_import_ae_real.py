"""The A&E importer on real NHS England files (tests/fixtures/importers/real_ae/, see its README): with the mapping
of the data's own year every value equals a sum recomputed here from the raw CSV; with the April 2026 mapping on
2025 months the import is refused, naming each provider that cannot be placed; without a lookup the package keeps
its ICB rows and the report warns; a lookup with From and To columns picks each month's rows (issue 15).

The recomputation reads the raw files with the csv module only (nothing of icsite), so it checks the importer
rather than repeating it. No test touches the network.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from icsite.commands import import_data as cli_import

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "tests" / "fixtures" / "importers" / "real_ae"
MONTHS = {"Apr 2025": REAL / "Monthly-AE-April-2025.csv", "May 2025": REAL / "Monthly-AE-May-2025.csv"}
RIGHT = REAL / "providers-2025-26.csv"
WRONG = REAL / "providers-2025-26-with-2026-codes.csv"  # NHS England's April 2026 mapping
#: in neither mapping, with attendances: said to be in no ICB (England and region only) for the imports that pass
LEFT_OUT = {"Y07709": "READING URGENT CARE CENTRE", "NQT51": "STATION PLAZA HEALTH CENTRE",
            "Y02147": "URGENT CARE CENTRE (QMS)"}
NO_ICB = ["--no-icb", ",".join(LEFT_OUT)]

pytestmark = pytest.mark.usefixtures("no_network")  # and `data`: tests/unit/conftest.py


def run(capsys, data: Path, *argv: str) -> tuple[int, str, str]:
    code = cli_import.main([*map(str, argv), "--data", str(data)])
    out, err = capsys.readouterr()
    return code, out, err


def rows_of(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def counts(row: dict, booked: bool = True) -> tuple[int, int]:
    """(attendances, over 4 hours) of a raw row: types 1, 2 and other, and the booked appointments."""
    kinds = ["Type 1", "Type 2", "Other A&E Department"]
    att = sum(int(row[f"A&E attendances {k}"]) for k in kinds)
    over = sum(int(row[f"Attendances over 4hrs {k}"]) for k in ["Type 1", "Type 2", "Other Department"])
    if booked:
        att += sum(int(row[f"A&E attendances Booked Appointments {k}"]) for k in ["Type 1", "Type 2",
                                                                                    "Other Department"])
        over += sum(int(row[f"Attendances over 4hrs Booked Appointments {k}"]) for k in ["Type 1", "Type 2",
                                                                                           "Other Department"])
    return att, over


def recomputed(month: str, mapping: Path, booked: bool = True) -> dict[str, tuple[int, int]]:
    """Area code -> (within 4 hours, attendances) for England, each region (by Parent Org) and each ICB (the
    mapping's ODS code -> the ONS code of the board that existed in the month, from areas.csv), straight from the
    raw CSV; providers not in the mapping count for England and their region only."""
    first = date(int(month[-4:]), 4 if month.startswith("Apr") else 5, 1)
    areas = rows_of(ROOT / "datapackages" / "areas" / "areas.csv")
    icbs = {a["ods_code"]: a["code"] for a in areas if a["type"] == "icb"
            and date.fromisoformat(a["valid_from"]) <= first
            and (not a["valid_to"] or first <= date.fromisoformat(a["valid_to"]))}
    regions = {a["name"].upper(): a["code"] for a in areas if a["type"] == "region"}
    lookup = {r["Org Code"]: r["ICB Code"] for r in rows_of(mapping)}
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows_of(MONTHS[month]):
        if row["Org Code"].upper() == "TOTAL":
            continue
        att, over = counts(row, booked)
        places = ["E92000001", regions[row["Parent Org"].strip().upper().removeprefix("NHS ENGLAND ")]]
        if row["Org Code"] in lookup:
            places.append(icbs[lookup[row["Org Code"]]])
        for place in places:
            sums[place][0] += att - over
            sums[place][1] += att
    return {area: (within, att) for area, (within, att) in sums.items()}


def values_of(data: Path, month: str) -> dict[str, dict]:
    return {r["area_code"]: r for r in rows_of(data / "ae" / "values.csv") if r["period"] == month}


def mismatches(values: dict[str, dict], expected: dict[str, tuple[int, int]]) -> list[str]:
    wrong = [f"{area}: missing" for area in expected if area not in values]
    wrong += [f"{area}: not expected" for area in values if area not in expected]
    for area, (within, att) in expected.items():
        row = values.get(area)
        if row is None:
            continue
        if (int(row["numerator"]), int(row["denominator"])) != (within, att) \
                or abs(float(row["value"]) - within / att * 100) > 5e-5:
            wrong.append(f"{area}: {row['numerator']}/{row['denominator']} = {row['value']}, recomputed "
                         f"{within}/{att}")
    return wrong


# --- (a) The mapping of the data's own year -------------------------------------------------------------------------

def test_the_right_mapping_alone_is_refused_for_the_three_providers_it_leaves_out(capsys, data):
    code, out, err = run(capsys, data, "ae", MONTHS["May 2025"], "--package", "ae", "--icb-lookup", RIGHT)
    assert (code, out) == (1, "")
    assert "Found 3 error(s) and 0 warning(s) in 1 file(s).\n" in err
    for org, name in LEFT_OUT.items():
        assert f"field Org Code: {org} {name} (May 2025, " in err
        assert f"{org} {name} (May 2025, " in err and "attendances): not in the lookup file providers-2025-26.csv\n" \
            in err
        assert f"give --no-icb {org} (England and its region only)" in err
    assert "Not placed either, but with no attendances (no value depends on them):\n  Y00751 EAST BERKS PRIMARY " \
           "CARE OOH(WAM) (May 2025: not in the lookup file providers-2025-26.csv)\n" in err
    assert err.endswith("Nothing was written.\n") and "Traceback" not in err and not (data / "ae").exists()


def test_the_right_mapping_gives_every_value_as_recomputed_from_the_raw_csv(capsys, data):
    for month, path in MONTHS.items():
        code, out, err = run(capsys, data, "ae", path, "--package", "ae", "--icb-lookup", RIGHT, *NO_ICB,
                             "--date", "2026-01-15")
        assert (code, err) == (0, "")
        assert f"TOTAL row for {month} agrees with the sum of the providers\n" in out
        assert "Counted towards England and its region only, in no ICB:\n  NQT51 STATION PLAZA HEALTH CENTRE " \
               "(given with --no-icb): " in out and "Warning" not in out
    for month in MONTHS:
        values, expected = values_of(data, month), recomputed(month, RIGHT)
        assert sum(a.startswith("E54") for a in expected) == 42 and len(expected) == 50  # 42 ICBs, 7 regions
        assert mismatches(values, expected) == []
        total = next(r for r in rows_of(MONTHS[month]) if r["Org Code"].upper() == "TOTAL")
        att, over = counts(total)
        assert (int(values["E92000001"]["numerator"]), int(values["E92000001"]["denominator"])) == (att - over, att)
    assert round(float(values_of(data, "Apr 2025")["E92000001"]["value"]), 2) == 74.77  # as the source README says


# --- (b) The April 2026 mapping on 2025 months ------------------------------------------------------------------

@pytest.mark.parametrize("month", list(MONTHS))
def test_the_2026_mapping_on_a_2025_month_is_refused_naming_each_provider(capsys, data, month):
    before = run(capsys, data, "ae", MONTHS["Apr 2025"], "--package", "ae", "--icb-lookup", RIGHT, *NO_ICB,
                 "--date", "2026-01-15")
    assert before[0] == 0
    package = files_of(data / "ae")
    code, out, err = run(capsys, data, "ae", MONTHS[month], "--package", "ae", "--icb-lookup", WRONG, *NO_ICB)
    assert (code, out) == (1, "")
    assert files_of(data / "ae") == package  # nothing written, not even England and the regions
    old = {r["Org Code"]: r["ICB Code"] for r in rows_of(RIGHT)}
    new = {r["Org Code"]: r["ICB Code"] for r in rows_of(WRONG)}
    moved = [(row, counts(row)[0]) for row in rows_of(MONTHS[month]) if old.get(row["Org Code"]) !=
             new.get(row["Org Code"])]
    named = [(row, att) for row, att in moved if att > 0]
    assert len(named) == 16
    assert "Found 16 error(s) and 0 warning(s) in 1 file(s).\n" in err
    for row, att in named:
        assert (f"field Org Code: {row['Org Code']} {row['Org name']} ({month}, {att:,} attendances): mapped to "
                f"{new[row['Org Code']]} (NHS ") in err
    assert err.count(f"a board that did not exist in {month} (it exists from 1 April 2026)\n") == 16
    assert "Use NHS England's A&E 'System Mapping' for 2025-26" in err
    assert "hint:     Use the mapping of the data's own year: NHS England's A&E 'System Mapping' for 2025-26, " \
           "published with that year's monthly files" in err
    assert "  RAN ROYAL NATIONAL ORTHOPAEDIC HOSPITAL NHS TRUST (" in err  # no attendances: named, not refused
    assert "Traceback" not in err


def test_without_no_icb_the_2026_mapping_names_the_providers_it_leaves_out_too(capsys, data):
    code, out, err = run(capsys, data, "ae", MONTHS["May 2025"], "--package", "ae", "--icb-lookup", WRONG)
    assert code == 1 and "Found 19 error(s)" in err and "19 provider(s) with attendances cannot be placed" in err
    assert "field Org Code: Y02147 URGENT CARE CENTRE (QMS) (May 2025, 8,479 attendances): not in the lookup file " \
           "providers-2025-26-with-2026-codes.csv\n" in err
    assert "field Org Code: RDU FRIMLEY HEALTH NHS FOUNDATION TRUST (May 2025, 36,462 attendances): mapped to " \
           "S0E4D (NHS Thames Valley Integrated Care Board) by providers-2025-26-with-2026-codes.csv row 85, a board " \
           "that did not exist in May 2025 (it exists from 1 April 2026)\n" in err


def test_a_board_with_figures_published_before_it_existed_is_still_not_a_2025_providers_board(capsys, data):
    """A registry may say figures on a new board's boundary are published for earlier years (`figures_from`):
    that does not make it the board a provider reported to in 2025."""
    areas = data / "areas" / "areas.csv"
    table = list(csv.reader(io.StringIO(areas.read_text(encoding="utf-8"))))
    if "figures_from" not in table[0]:
        table = [row + [name] for row, name in zip(table, ["figures_from"] + [""] * len(table))]
    at = table[0].index("figures_from")
    for row in table[1:]:
        if row[table[0].index("valid_from")] == "2026-04-01":
            row[at] = "2019-04-01"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(table)
    areas.write_text(out.getvalue(), encoding="utf-8")
    code, _, err = run(capsys, data, "ae", MONTHS["May 2025"], "--package", "ae", "--icb-lookup", WRONG, *NO_ICB)
    assert code == 1 and err.count("[provider-board-not-valid]") == 16 and not (data / "ae").exists()


# --- (c) No lookup --------------------------------------------------------------------------------------------------

def test_without_a_lookup_the_package_keeps_its_icb_rows_and_the_report_warns(capsys, data):
    assert run(capsys, data, "ae", MONTHS["Apr 2025"], "--package", "ae", "--icb-lookup", RIGHT, *NO_ICB,
               "--date", "2026-01-15")[0] == 0
    before = values_of(data, "Apr 2025")
    # again without the lookup, booked appointments left out: England and regions change, the ICB rows stay
    code, out, err = run(capsys, data, "ae", MONTHS["Apr 2025"], "--package", "ae", "--exclude-booked",
                         "--date", "2026-02-01")
    assert (code, err) == (0, "")
    assert "Warning: no ICB values were imported: the file has no ICB Code column and no --icb-lookup was given, " \
           "so the providers' ICBs are unknown; only England and the regions were written, and the package's 42 ICB " \
           "value row(s) for Apr 2025 are kept as they were.\n  The ICB of each provider is in NHS England's A&E " \
           "'System Mapping' for the financial year (2025-26), published with the monthly files" in out
    after = values_of(data, "Apr 2025")
    assert {a: r for a, r in after.items() if a.startswith("E54")} == \
        {a: r for a, r in before.items() if a.startswith("E54")}
    without_booked = recomputed("Apr 2025", RIGHT, booked=False)
    assert mismatches({a: r for a, r in after.items() if not a.startswith("E54")},
                      {a: c for a, c in without_booked.items() if not a.startswith("E54")}) == []
    assert after["E92000001"] != before["E92000001"]

    code, out, err = run(capsys, data, "ae", MONTHS["May 2025"], "--package", "ae", "--date", "2026-02-01")
    assert code == 0 and "Warning: no ICB values were imported" in out and "are kept as they were" not in out
    assert sorted(values_of(data, "May 2025")) == sorted(a for a in recomputed("May 2025", RIGHT)
                                                         if not a.startswith("E54"))
    assert len(values_of(data, "Apr 2025")) == 50


# --- (d) A lookup with the months each row applies to ------------------------------------------------------------

def with_months(source: Path, target: Path, first: str, last: str) -> Path:
    """A copy of a mapping with the columns From and To added to every row."""
    rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8"))))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([rows[0] + ["From", "To"]] + [r + [first, last]
                                                                                 for r in rows[1:]])
    target.write_text(out.getvalue(), encoding="utf-8")
    return target


def test_a_lookup_with_periods_picks_each_months_rows(capsys, data, tmp_path):
    """Both years in one file (2025-26 rows to March 2026, the 2026 rows from April 2026), or in two files: the same
    values as the 2025-26 mapping alone."""
    old = with_months(RIGHT, tmp_path / "2025-26.csv", "2025-04", "2026-03-31")
    new = with_months(WRONG, tmp_path / "2026-27.csv", "Apr 2026", "")
    both = tmp_path / "both.csv"
    both.write_text(old.read_text(encoding="utf-8") + new.read_text(encoding="utf-8").split("\n", 1)[1],
                    encoding="utf-8")
    for lookups in (["--icb-lookup", both], ["--icb-lookup", old, "--icb-lookup", new]):
        folder = tmp_path / f"data{len(lookups)}"
        shutil.copytree(data / "areas", folder / "areas")
        for month, path in MONTHS.items():
            code, out, err = run(capsys, folder, "ae", path, "--package", "ae", *lookups, *NO_ICB)
            assert (code, err) == (0, "")
            assert mismatches(values_of(folder, month), recomputed(month, RIGHT)) == []


def test_a_month_with_no_lookup_row_for_a_provider_is_refused(capsys, data, tmp_path):
    """The 2025-26 rows end in April 2025 and the 2026 mapping's rows start in May 2025: April imports; May is
    refused (its boards did not exist yet), and a provider only the first file has says which months it covers."""
    old = with_months(RIGHT, tmp_path / "old.csv", "", "Apr 2025")
    new = with_months(WRONG, tmp_path / "new.csv", "2025-05-01", "")
    rows = new.read_text(encoding="utf-8").splitlines()
    new.write_text("\n".join(r for r in rows if not r.startswith("RDU,")) + "\n", encoding="utf-8")
    lookups = ["--icb-lookup", old, "--icb-lookup", new, *NO_ICB]
    assert run(capsys, data, "ae", MONTHS["Apr 2025"], "--package", "ae", *lookups)[0] == 0
    assert mismatches(values_of(data, "Apr 2025"), recomputed("Apr 2025", RIGHT)) == []
    code, out, err = run(capsys, data, "ae", MONTHS["May 2025"], "--package", "ae", *lookups)
    assert code == 1 and err.count("[provider-board-not-valid]") == 15
    assert "RDU FRIMLEY HEALTH NHS FOUNDATION TRUST (May 2025, 36,462 attendances): no row of the lookup applies " \
           "to May 2025 (its rows: up to Apr 2025, old.csv row 85)\n" in err
    assert set(values_of(data, "May 2025")) == set()


def test_two_mappings_for_the_same_months_are_refused(capsys, data, tmp_path):
    code, out, err = run(capsys, data, "ae", MONTHS["May 2025"], "--package", "ae", "--icb-lookup", RIGHT,
                         "--icb-lookup", WRONG)
    assert (code, out) == (1, "") and "Found 100 error(s)" in err  # the checks stop at 100 (of 207)
    assert f"  ERROR [row-duplicate] row 2: line 2 repeats {RIGHT}, line 2: provider 8J094\n" in err
    old = with_months(RIGHT, tmp_path / "old.csv", "2025-04", "2026-03")
    new = with_months(WRONG, tmp_path / "new.csv", "2026-03", "")
    code, out, err = run(capsys, data, "ae", MONTHS["May 2025"], "--package", "ae", "--icb-lookup", old,
                         "--icb-lookup", new)
    assert code == 1 and "line 2 repeats " in err and "provider 8J094 (both apply to Mar 2026)\n" in err
    assert not (data / "ae").exists()


@pytest.mark.parametrize("cell, message", [
    ("2025-04-15", "column 'From': expected a month (2025-04, Apr 2025) or the first day of one (2025-04-01), "
                   "found '2025-04-15'"),
    ("Spring 2025", "column 'From': expected a month (2025-04, Apr 2025) or the first day of one (2025-04-01), "
                    "found 'Spring 2025'"),
])
def test_a_from_cell_that_is_not_a_month_is_refused_with_its_row(capsys, data, tmp_path, cell, message):
    lookup = with_months(RIGHT, tmp_path / "lookup.csv", cell, "")
    code, out, err = run(capsys, data, "ae", MONTHS["May 2025"], "--package", "ae", "--icb-lookup", lookup)
    assert (code, out) == (1, "")
    assert err == f"build.py import: {lookup}, row 2, {message}\n"


def test_a_to_before_its_from_is_refused(capsys, data, tmp_path):
    lookup = with_months(RIGHT, tmp_path / "lookup.csv", "2026-04", "2026-03-31")
    code, out, err = run(capsys, data, "ae", MONTHS["May 2025"], "--package", "ae", "--icb-lookup", lookup)
    assert code == 1 and err == (f"build.py import: {lookup}, row 2: 'From' (Apr 2026) is after 'To' (Mar 2026); a "
                                 "row applies from its From month to its To month\n")
