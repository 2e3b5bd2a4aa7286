"""Hostile and broken input to the importers: it is refused, located and reported in bounded lines, and nothing is
written. Malformed CSV (an unbalanced or misplaced quote, rows with more or fewer cells than the header), repeated
rows, inputs that never end (a FIFO, a device, a symlink to one) and inputs over the limits of
`icsite.importers.common`.

Fixtures are copies of tests/fixtures/importers/ files broken in one place each. No test touches the network, and a
test that could hang (a FIFO) runs the importer in a subprocess with a timeout.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import urllib.request
import time
from pathlib import Path

import pytest

from icsite.commands import import_data as cli_import
from icsite.importers import common, fingertips, nhse_ae
from icsite.importers.common import Refused

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "importers"
AE = FIXTURES / "nhse_ae_monthly.csv"
LIVE = FIXTURES / "fingertips_live.csv"
LONGEST_REPORT_LINE = 300  # every line the importers print, whatever the input holds (with the tmp_path names)


pytestmark = pytest.mark.usefixtures("no_network")  # and `data`: tests/unit/conftest.py


def run(capsys, data: Path, *argv: str) -> tuple[int, str, str]:
    code = cli_import.main([*argv, "--data", str(data)])
    out, err = capsys.readouterr()
    for line in (out + err).splitlines():
        assert len(line) <= LONGEST_REPORT_LINE, line[:200]
    return code, out, err


def broken(source: Path, target: Path, change) -> Path:
    """A copy of a fixture with `change(lines)` applied to its physical lines (header first, line 1 at index 0)."""
    lines = source.read_text(encoding="utf-8").splitlines()
    target.write_text("\n".join(change(lines)) + "\n", encoding="utf-8")
    return target


def problems_of(call) -> list[tuple]:
    """(code, row, field) of each problem of a refusal."""
    with pytest.raises(Refused) as refused:
        call()
    return [(p.code, p.row, p.field) for p in refused.value.problems]


def package_files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def imported_first(capsys, data: Path) -> dict[str, bytes]:
    """Import the good A&E fixture into package 'ae' and return its files, to show a refused import leaves them."""
    assert run(capsys, data, "ae", str(AE), "--package", "ae", "--date", "2026-01-15")[0] == 0
    return package_files(data / "ae")


# --- NHS England A&E: malformed CSV -------------------------------------------------------------------------------

def stray_quote(lines):  # line 3: `,KING'S COLLEGE...` -> `,"KING'S COLLEGE...`, a quote that never closes
    return [line.replace(",KING'S", ',"KING\'S') for line in lines]


def test_ae_stray_quote_is_refused_exit_1_and_the_package_is_untouched(capsys, data, tmp_path):
    """The review's case: one stray quote swallowed the rest of the file (1 of 7 providers imported, England at
    79.07% instead of 75.08%, "Check: no errors"). Now: refused at line 3, exit 1, no traceback, nothing written."""
    before = imported_first(capsys, data)
    bad = broken(AE, tmp_path / "stray.csv", stray_quote)
    code, out, err = run(capsys, data, "ae", str(bad), "--package", "ae", "--date", "2026-02-01")
    assert (code, out) == (1, "")
    assert err == (
        "The input was refused:\n"
        "Found 1 error(s) and 0 warning(s) in 1 file(s).\n"
        "\n"
        "stray.csv (1 problem(s))\n"
        "  ERROR [quote-unbalanced] row 3, field Org name: line 3 has an unbalanced quote: the cell starting "
        "`\"KING'S COLLEGE HOSPITAL NHS FOUNDATION TRUST,12000,0,5000,300,0,100,4000,0,300…` never closes\n"
        "      expected: a closing double quote on the same line\n"
        f"      hint:     {common.INPUT_CODES['quote-unbalanced'][1]}\n"
        "Nothing was written.\n")
    assert package_files(data / "ae") == before  # no new version, no release kept
    assert "79.07" not in (data / "ae" / "values.csv").read_text()


@pytest.mark.parametrize("change, expected", [
    (stray_quote, [("quote-unbalanced", 3, "Org name")]),
    (lambda lines: lines[:8] + [lines[8] + '"'], [("quote-unbalanced", 9, "ICB Code")]),  # in the last cell
    (lambda lines: [line.replace(",RJZ,", ',"RJZ"X,') for line in lines], [("quote-misplaced", 3, "Org Code")]),
    (lambda lines: [lines[0].replace(",Org name,", ',"Org name,')] + lines[1:], [("quote-unbalanced", 1,
                                                                                  "column 4")]),
    (lambda lines: lines[:7] + [lines[7].removesuffix(",")] + lines[8:], [("row-width", 8, None)]),  # a cell short
    (lambda lines: [line + ",x" if line.startswith("MSitAE-MARCH-2025,RRK") else line for line in lines],
     [("row-width", 5, None)]),  # a cell over
    (lambda lines: [line + "," if ",RJ1," in line or ",RXK," in line else line for line in lines],
     [("row-width", 2, None), ("row-width", 6, None)]),  # an empty extra cell is not let through either
])
def test_ae_malformed_csv_is_refused_with_its_line(data, tmp_path, change, expected):
    bad = broken(AE, tmp_path / "bad.csv", change)
    assert problems_of(lambda: nhse_ae.import_file(bad, data, "ae")) == expected
    assert not (data / "ae").exists()


def test_ae_row_width_problem_says_what_was_expected(capsys, data, tmp_path):
    bad = broken(AE, tmp_path / "bad.csv", lambda lines: lines[:3] + [lines[3].rsplit(",", 1)[0]] + lines[4:])
    code, out, err = run(capsys, data, "ae", str(bad), "--package", "ae")
    assert (code, out) == (1, "")
    assert "  ERROR [row-width] row 4: line 4 has 22 cells, the header has 23\n      expected: 23 cells\n" \
           "      found:    `MSitAE-MARCH-2025,R1K,NHS ENGLAND LONDON,LONDON NORTH WEST UNIVERSITY HEALTHCAR…`\n" \
        in err
    assert "Traceback" not in err and not (data / "ae").exists()


# --- NHS England A&E: repeated rows -------------------------------------------------------------------------------

def test_ae_duplicated_provider_rows_are_refused_not_summed(capsys, data, tmp_path):
    before = imported_first(capsys, data)
    bad = broken(AE, tmp_path / "dup.csv", lambda lines: lines[:5] + [lines[3]] + lines[5:])  # R1K again, line 6
    code, out, err = run(capsys, data, "ae", str(bad), "--package", "ae", "--date", "2026-02-01")
    assert (code, out) == (1, "")
    assert "  ERROR [row-duplicate] row 6: line 6 repeats line 4: provider R1K in Mar 2025\n" in err
    assert err.endswith("Nothing was written.\n") and package_files(data / "ae") == before


def test_ae_a_provider_twice_in_one_month_is_refused_whatever_the_period_spelling(data, tmp_path):
    bad = broken(AE, tmp_path / "dup.csv", lambda lines: lines + [
        lines[1].replace("MSitAE-MARCH-2025", "March 2025").replace("15000", "1"),
        lines[8]])  # and the TOTAL row twice
    assert problems_of(lambda: nhse_ae.import_file(bad, data, "ae")) == [("row-duplicate", 10, None),
                                                                          ("row-duplicate", 11, None)]


def test_ae_the_same_provider_in_two_months_is_not_a_duplicate(capsys, data, tmp_path):
    two = broken(AE, tmp_path / "two.csv", lambda lines: lines[:8] + [
        line.replace("MARCH", "APRIL") for line in lines[1:8]])
    code, out, err = run(capsys, data, "ae", str(two), "--package", "ae", "--date", "2026-01-15")
    assert (code, err) == (0, "")
    assert "imported: 14, as 18 values" in out


def test_ae_lookup_with_a_provider_twice_is_refused(capsys, data, tmp_path):
    plain = broken(AE, tmp_path / "plain.csv", lambda lines: [line.rsplit(",", 1)[0] for line in lines])
    lookup = broken(FIXTURES / "nhse_ae_icb_lookup.csv", tmp_path / "lookup.csv",
                    lambda lines: lines + ["rj1,QRV"])
    code, out, err = run(capsys, data, "ae", str(plain), "--package", "ae", "--icb-lookup", str(lookup))
    assert (code, out) == (1, "")
    assert f"{lookup} (1 problem(s))\n  ERROR [row-duplicate] row 8: line 8 repeats line 2: provider RJ1\n" in err
    assert not (data / "ae").exists()


# --- Fingertips: malformed CSV and repeated rows (file and API) ----------------------------------------------------

@pytest.mark.parametrize("change, expected", [
    (lambda lines: lines[:3] + [lines[3].replace(",North East", ',"North East')] + lines[4:],
     [("quote-unbalanced", 4, "Area Name")]),
    (lambda lines: lines[:2] + [lines[2].rsplit(",", 1)[0]] + lines[3:], [("row-width", 3, None)]),  # 26 of 27
    (lambda lines: lines[:5] + [lines[5] + ",extra"] + lines[6:], [("row-width", 6, None)]),
    (lambda lines: lines + [lines[4]], [("row-duplicate", 8, None)]),  # the same row again
    (lambda lines: lines + [lines[2].replace(",76.1,", ",99.9,")], [("row-duplicate", 8, None)]),  # other value
])
def test_fingertips_file_malformed_or_repeated_is_refused(data, tmp_path, change, expected):
    bad = broken(LIVE, tmp_path / "bad.csv", change)
    call = lambda: fingertips.import_exports([(str(bad), common.read_text(bad))], data, "cvd")  # noqa: E731
    assert problems_of(call) == expected
    assert not (data / "cvd").exists()


def test_fingertips_duplicate_names_both_lines_and_the_key(capsys, data, tmp_path):
    bad = broken(LIVE, tmp_path / "dup.csv", lambda lines: lines + [lines[4]])
    code, out, err = run(capsys, data, "fingertips", str(bad), "--package", "cvd")
    assert (code, out) == (1, "")
    assert ("  ERROR [row-duplicate] row 8: line 8 repeats line 5: indicator 40401, area E54000050, sex Persons, "
            "age <75 yrs, category type (empty), category (empty), period 2023\n") in err
    assert "Traceback" not in err and not (data / "cvd").exists()


def test_fingertips_other_sex_or_category_is_not_a_duplicate(capsys, data, tmp_path):
    more = broken(LIVE, tmp_path / "more.csv", lambda lines: lines + [
        lines[4].replace(",Persons,", ",Male,"), lines[4].replace(",,,2023,", ",Deprivation,Most deprived,2023,")])
    code, out, err = run(capsys, data, "fingertips", str(more), "--package", "cvd", "--date", "2026-01-15")
    assert (code, err) == (0, "")
    assert "  kept apart, breakdown rows (a category, or another Sex/Age): 2 (rows 8, 9)\n" in out


API_URL = ("https://fingertips.phe.org.uk/api/all_data/csv/by_indicator_id?indicator_ids={}&child_area_type_id=221"
           "&parent_area_type_id=15")


def answer(ind: str, change=lambda lines: lines) -> bytes:
    lines = (FIXTURES / "api" / f"by_indicator_id_{ind}.csv").read_text(encoding="utf-8").splitlines()
    return ("\n".join(change(lines)) + "\n").encode()


@pytest.mark.parametrize("response, expected", [
    (lambda url: answer("92443", lambda lines: lines[:2] + ['92443,"Smoking' + lines[2][5:]] + lines[3:]),
     "ERROR [quote-unbalanced] row 3, field Indicator Name: line 3 has an unbalanced quote"),
    (lambda url: answer("92443", lambda lines: lines + [lines[1]]),
     "ERROR [row-duplicate] row 5: line 5 repeats line 2: indicator 92443, area E92000001"),
    (lambda url: answer("92443", lambda lines: lines[:2] + [lines[2] + ","] + lines[3:]),
     "ERROR [row-width] row 3: line 3 has 28 cells, the header has 27"),
])
def test_fingertips_api_response_malformed_or_repeated_is_refused(capsys, data, monkeypatch, response, expected):
    monkeypatch.setattr(fingertips, "http_get", response)
    code, out, err = run(capsys, data, "fingertips", "--indicator", "92443", "--package", "api")
    assert (code, out) == (1, "")
    assert "indicator 92443 (1 problem(s))\n" in err and f"  {expected}" in err
    assert not (data / "api").exists()


def test_fingertips_the_same_indicator_twice_is_refused(capsys, data, monkeypatch):
    monkeypatch.setattr(fingertips, "http_get", lambda url: answer("92443"))
    code, out, err = run(capsys, data, "fingertips", "--indicator", "92443", "--indicator", "92443", "--package", "api")
    assert (code, out, err) == (2, "", "build.py import: --indicator 92443 is given twice: give each indicator "
                                       "once\n")
    exports = [("first", answer("92443").decode()), ("second", answer("92443").decode())]
    assert problems_of(lambda: fingertips.import_exports(exports, data, "api")) == [
        ("row-duplicate", 2, None), ("row-duplicate", 3, None), ("row-duplicate", 4, None)]
    with pytest.raises(Refused) as refused:
        fingertips.import_exports(exports, data, "api")
    assert refused.value.problems[0].file == "second"
    assert refused.value.problems[0].message.startswith("line 2 repeats first, line 2: indicator 92443, area E92000001")
    assert not (data / "api").exists()


def test_http_get_reads_at_most_one_byte_over_the_limit(monkeypatch):
    asked = []

    class Endless(io.RawIOBase):
        def read(self, size=-1):
            asked.append(size)
            return b"x" * 10

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False
    monkeypatch.setattr(urllib.request, "urlopen", lambda request, timeout: Endless())
    fingertips.http_get(API_URL.format("92443"))
    assert asked == [common.MAX_FILE_BYTES + 1]


# --- Inputs that never end or are huge --------------------------------------------------------------------------

def import_in_subprocess(data: Path, *argv: str, timeout: float = 60) -> tuple[subprocess.CompletedProcess, float]:
    start = time.monotonic()
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "import", *argv, "--data", str(data)],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    return done, time.monotonic() - start


@pytest.mark.parametrize("how", ["fifo", "symlink", "lookup"])
def test_a_fifo_is_refused_at_once(data, tmp_path, how):
    """A FIFO with no writer would block open() and read() for ever: it is refused before it is opened. The import
    runs in a subprocess with a timeout, so this test cannot hang."""
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    target = fifo
    if how == "symlink":
        target = tmp_path / "link.csv"
        target.symlink_to(fifo)
    argv = ["ae", str(AE), "--icb-lookup", str(fifo)] if how == "lookup" else ["ae", str(target)]
    done, seconds = import_in_subprocess(data, *argv, "--package", "ae")
    assert done.returncode == 1 and done.stdout == ""
    assert f"{target if how == 'symlink' else fifo} (1 problem(s))\n  ERROR [input-not-regular]: " in done.stderr
    assert "      found:    a FIFO (named pipe)\n" in done.stderr and "Traceback" not in done.stderr
    assert seconds < 30 and not (data / "ae").exists()


@pytest.mark.parametrize("path, kind", [("/dev/zero", "a character device"), ("/dev/null", "a character device")])
def test_a_device_is_refused(capsys, data, path, kind):
    if not os.path.exists(path):
        pytest.skip(f"no {path}")
    assert problems_of(lambda: common.read_bytes(Path(path))) == [("input-not-regular", None, None)]
    code, out, err = run(capsys, data, "fingertips", path, "--package", "x")
    assert (code, out) == (1, "") and f"      found:    {kind}\n" in err


def test_a_directory_is_refused(data, tmp_path):
    assert problems_of(lambda: common.read_bytes(tmp_path)) == [("input-not-regular", None, None)]


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(capsys, data, tmp_path):
    huge = tmp_path / "huge.csv"
    with open(huge, "wb") as f:
        f.truncate(common.MAX_FILE_BYTES + 1)  # sparse: takes no disk space
    start = time.monotonic()
    code, out, err = run(capsys, data, "ae", str(huge), "--package", "ae")
    assert (code, out) == (1, "") and time.monotonic() - start < 5
    assert (f"  ERROR [input-too-large]: {common.INPUT_CODES['input-too-large'][0]}\n"
            f"      expected: at most {common.MAX_FILE_BYTES:,} bytes\n"
            f"      found:    {common.MAX_FILE_BYTES + 1:,} bytes\n") in err
    assert not (data / "ae").exists()


def test_an_over_long_line_is_refused_with_its_line_and_a_bounded_quote(capsys, data, tmp_path):
    cell = "A" * (common.MAX_LINE_BYTES + 1)
    bad = broken(AE, tmp_path / "long.csv", lambda lines: lines[:2] + [lines[2].replace("KING'S", cell)] + lines[3:])
    code, out, err = run(capsys, data, "ae", str(bad), "--package", "ae")
    assert (code, out) == (1, "")
    assert f"  ERROR [line-too-long] row 3: line 3 is longer than {common.MAX_LINE_BYTES:,} bytes\n" in err
    found = next(line for line in err.splitlines() if line.startswith("      found:"))
    assert found.startswith("      found:    `MSitAE-MARCH-2025,RJZ,NHS ENGLAND LONDON,AAAA") and "…`" in found
    assert len(found) < 160 and not (data / "ae").exists()


def test_the_scan_stops_at_the_first_over_long_line_without_reading_on(monkeypatch):
    read = []

    def endless():  # a stream without a line end that never stops
        while True:
            read.append(1)
            yield b"y" * 1000
    assert problems_of(lambda: common.scan(endless(), "stream")) == [("line-too-long", 1, None)]
    assert len(read) == common.MAX_LINE_BYTES // 1000 + 1


def test_the_scan_stops_at_the_size_limit(monkeypatch):
    monkeypatch.setattr(common, "MAX_FILE_BYTES", 10_000)
    read = []

    def endless():  # short lines, for ever
        while True:
            read.append(1)
            yield b"a,b\n" * 250
    assert problems_of(lambda: common.scan(endless(), "stream")) == [("input-too-large", None, None)]
    assert len(read) == 11


def test_a_header_with_too_many_columns_is_refused(capsys, data, tmp_path):
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"c{i}" for i in range(common.MAX_COLUMNS + 1)) + "\n" + "1," * common.MAX_COLUMNS
                    + "1\n", encoding="utf-8")
    code, out, err = run(capsys, data, "fingertips", str(wide), "--package", "x")
    assert (code, out) == (1, "")
    assert f"  ERROR [header-too-wide] row 1: line 1 has {common.MAX_COLUMNS + 1:,} columns\n" in err
    assert f"      expected: at most {common.MAX_COLUMNS} columns\n" in err


def test_at_most_max_problems_are_collected(data, tmp_path):
    bad = broken(LIVE, tmp_path / "ragged.csv", lambda lines: [lines[0]] + ["1,2"] * (common.MAX_PROBLEMS + 50))
    with pytest.raises(Refused) as refused:
        common.read_csv(bad.read_text(encoding="utf-8"), "ragged.csv")
    assert len(refused.value.problems) == common.MAX_PROBLEMS
    assert f"The checks stopped at line {common.MAX_PROBLEMS + 2}, after {common.MAX_PROBLEMS} problems.\n" \
           in str(refused.value)
    assert f"... and {common.MAX_PROBLEMS - 5} more [row-width] problem(s) in this file" in str(refused.value)


# --- Report lines are bounded ------------------------------------------------------------------------------------

def test_a_huge_cell_is_not_echoed_in_an_error(capsys, data, tmp_path):
    huge = "9" * 5000 + "x"
    bad = broken(AE, tmp_path / "bad.csv", lambda lines: [line.replace(",RJZ,NHS ENGLAND LONDON,KING'S COLLEGE "
                                                                      "HOSPITAL NHS FOUNDATION TRUST,12000,",
                                                                      f",RJZ,NHS ENGLAND LONDON,K,{huge},")
                                                         for line in lines])
    code, out, err = run(capsys, data, "ae", str(bad), "--package", "ae")
    assert (code, out) == (1, "")
    assert err == ("build.py import: bad.csv, row 3, column 'A&E attendances Type 1': expected a whole number of "
                   f"attendances (0 or more), found '{'9' * 79}…'\n")


def test_huge_cells_are_quoted_short_in_the_report(capsys, data, tmp_path):
    """An unknown trailing column with a huge name, a huge Sex label and a huge unknown area code: the import
    goes ahead and every report line stays short."""
    name, sex, code = "N" * 3000, "S" * 3000, "Q" * 3000
    odd = broken(LIVE, tmp_path / "odd.csv", lambda lines: [lines[0] + "," + name] + [
        line + ",x" for line in lines[1:]] + [
        lines[4].replace(",Persons,", f",{sex},") + ",y",
        lines[4].replace("E54000050,NHS North East and North Cumbria Integrated Care Board - QHM",
                         f"{code},NHS Somewhere - {code}") + ",z"])
    code_, out, err = run(capsys, data, "fingertips", str(odd), "--package", "cvd", "--date", "2026-01-15")
    assert (code_, err) == (0, "")
    assert f"ignored unknown column(s): {'N' * 79}…; column 23" in out
    assert f"  other Sex/Age kept apart: {'S' * 39}…, <75 yrs (1 row)\n" in out


def test_quoted_cuts_and_cleans():
    assert common.quoted("short") == "short"
    assert common.quoted("x" * 500) == "x" * 79 + "…"
    assert common.quoted("a\nb\x00c\td") == "a b c d"
    assert len(common.quoted("word " * 1000)) <= common.QUOTE_CHARS
