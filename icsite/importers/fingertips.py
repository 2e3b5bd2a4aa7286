"""Import an OHID Fingertips CSV export (a downloaded file, or fetched from the Fingertips API) as an indicator
package.

The export (docs: /work/shared/reference/fingertips-format.md) has 26 columns, or 27 in current exports (a final
`Time period range`); later unknown columns are ignored and named in the report. Column 23 compares with the parent
area and its name varies (`Compared to percentiles`, `Compared to Regions (statistical) value or percentiles`...),
so it is checked by its prefix `Compared to`; the API's CSV heads it `Column not used`, also accepted, as is
`Target data` for column 26 (`Compared to goal`; fingertipsR renames it so). Every other column is checked by its
name, ignoring case, spaces and dots (so the fingertipsR names `IndicatorID`, `LowerCI95.0limit` and the web
page's `AreaName` are accepted too). R writes `NA` (or `NaN`) for a missing number: in the number columns (Value,
the limits, Count, Denominator) these are read as empty cells and counted in the report; elsewhere they are kept
as written.

What becomes of each row:

- Headline rows only: `Category Type` empty and the indicator's own Sex and Age. When an indicator has several
  Sex/Age combinations the one kept is `--sex`/`--age` if given (case and spaces ignored), else the most common of
  the `Persons` rows, else the most common one (the first seen on a tie); rows with a category or another Sex/Age
  are breakdown rows, counted in the report and not imported. The report says which combination was taken and why,
  and every other one with its number of rows.
- Areas: England, NHS England regions and ICBs, placed with `registry.Registry.place` (the ONS code; an old code
  moves to its `code_change` successor when that existed in the period; an older or unknown code is matched by the
  ODS code suffix of the area name, `NHS X Integrated Care Board - QHL`). Other area types and unplaceable areas
  are reported.
- Periods: `icsite.core.periods.parse_period`; a label that fixes only years is taken as financial years (April to
  March). An unparseable label is reported.
- Numbers: Value; 95% interval; 99.8% interval (the standard's optional `lower_ci_99_8`, `upper_ci_99_8`: their
  columns are written, and declared, only when some row of the package has them); Count as numerator;
  Denominator. An empty value, or a value note saying the value was suppressed or not published, makes the row
  `suppressed` (numbers empty, the note kept); other value notes go to `note` (a note saying "provisional" makes
  the status `provisional`). The standard gives no interval for counts, scores and means and no numerator or
  denominator for life expectancy, means, counts and scores: those cells are left empty for those kinds (the
  report says how many).

Indicator metadata (each can be given instead with a flag; see `infer`):

- id `fingertips_<Indicator ID>` (or `--id`), title (see below), `fingertips_id`, source
  "OHID Fingertips, indicator <id>", `illustrative` false.
- value_type and multiplier from value / (count / denominator): close to a power of ten M (1, 100, 1,000,
  10,000, 100,000) in every row → a proportion (M = 100 or 1, counts within denominators) or a crude rate per M;
  near M but not equal in every row (age standardised) → directly standardised rate per M. Without counts: the
  name decides (`life expectancy` → life_expectancy, `ratio` → indirectly_standardised_ratio, `score` → score);
  a value that equals its count → count; otherwise score (say so with --value-type).
- unit from the value type and multiplier (`%`, `per 100,000`, `years`...).
- polarity from `Compared to England value or percentiles`: an area `Better` (or `Best`) than England with a
  higher value, or `Worse` (`Worst`) with a lower one, says high_is_good; the reverse low_is_good; the majority
  wins. Without such labels, the `Recent Trend` labels (`Increasing and getting better`...) are used the same way.
  With only Higher/Lower/Similar (no judgement made by Fingertips) or nothing: no_judgement.
- frequency from the most common period length; domain `healthy_lives` unless `--domain`; decimals 0 for counts,
  else 1.
- title the Indicator Name with the Sex and Age taken, unless `Persons` (or `Not applicable`) and `All ages`, or
  the name says them already: `Emergency admissions (0 to 4 years)`, `... (Male, 65+ years)`; short title the
  same within 32 characters, the age as Fingertips labels it (`Emergency admissions (0-4 yrs)`) and the name cut
  before the Sex and Age (`fingertips_mapping.titles`).

The export's layout and its reading are in `fingertips_export`; rows to values and the metadata in
`fingertips_mapping`.

`fetch` gets the same CSV from the public API (`by_indicator_id`, ICBs as the child area type) through `http_get`,
the one function that touches the network (tests replace it).

A file (`common.read_text`) or an API response (`common.scan`, at most `MAX_FILE_BYTES` read) is refused, with
nothing written, when it is not a regular file, is over a limit, is not well-formed CSV with one row per line (an
unbalanced quote, a row with more or fewer cells than the header: `common.read_csv`), or has two rows for the same
indicator, area, sex, age, category and period (`duplicate_keys`); see docs/importing.md, "What is refused".
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections import Counter
from datetime import date
from pathlib import Path

from icsite.core.standard import OGL_TITLE
from icsite.importers.cells import period_dates
from icsite.importers.common import MAX_FILE_BYTES, InputProblem, decode, quoted, scan
from icsite.importers.fingertips_export import Row, duplicate_keys, read_export
from icsite.importers.fingertips_mapping import (HAS_COUNTS, HAS_INTERVAL, Options, check_options, headline_combo,
                                                 infer, parse_entry, value_row)
from icsite.importers.package import write_package
from icsite.importers.registry import Registry
from icsite.importers.report import Report

API = "https://fingertips.phe.org.uk/api/all_data/csv/by_indicator_id"
ICB_AREA_TYPE = 221  # "ICBs, former STPs"
ENGLAND_AREA_TYPE = 15  # parent area type: England (223 gives NHS regions as the parents, and their rows)
INDICATOR_NUMBER = re.compile(r"\d{1,12}")  # a Fingertips indicator id (longer digit strings are not ids)


# --- Fetching -------------------------------------------------------------------------------------------------------

def api_url(indicator_id: str, parent_area_type: int = ENGLAND_AREA_TYPE) -> str:
    return (f"{API}?indicator_ids={indicator_id}&child_area_type_id={ICB_AREA_TYPE}"
            f"&parent_area_type_id={parent_area_type}")


def http_get(url: str, timeout: float = 120) -> bytes:
    """GET a URL (the only function here that uses the network; tests replace it). At most one byte more than
    `MAX_FILE_BYTES` is read, so that `fetch` refuses a larger response without reading it all."""
    request = urllib.request.Request(url, headers={"User-Agent": "ics-outcomes-importer", "Accept": "text/csv"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read(MAX_FILE_BYTES + 1)


def fetch(indicator_ids: list[str], parent_area_type: int = ENGLAND_AREA_TYPE, get=None) -> list[tuple[str, str]]:
    """(label, CSV text) for each indicator id, from the Fingertips API."""
    get = http_get if get is None else get
    twice = next((ind for i, ind in enumerate(indicator_ids) if ind in indicator_ids[:i]), None)
    if twice is not None:
        raise InputProblem(f"--indicator {twice} is given twice: give each indicator once", status=2)
    out = []
    for ind in indicator_ids:
        if not re.fullmatch(r"\d+", ind):
            raise InputProblem(f"--indicator {ind}: a Fingertips indicator id is a whole number, e.g. 92443",
                               status=2)
        url = api_url(ind, parent_area_type)
        try:
            data = get(url)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise InputProblem(f"could not fetch indicator {ind} from {url}: {reason}. Without a connection, "
                               "download the CSV from Fingertips and import the file instead.") from None
        text = decode(scan((data,), f"indicator {ind}"), f"indicator {ind}")
        if len([line for line in text.splitlines() if line.strip()]) < 2:
            raise InputProblem(f"Fingertips returned no data for indicator {ind} ({url}); check the id and that "
                               "the indicator is published for ICBs")
        out.append((f"indicator {ind}", text))
    return out


# --- The import -----------------------------------------------------------------------------------------------------

def import_exports(exports: list[tuple[str, str]], data_dir: Path, package: str, options: Options | None = None,
                   today: date | None = None, title: str | None = None) -> Report:
    """Import Fingertips exports ((label, CSV text) pairs) into package `package` of `data_dir`; the report says
    what became of every row and what was written. InputProblem when the input cannot be imported."""
    options = options or Options()
    today = today or date.today()
    labels = [label for label, _ in exports]
    if len(set(labels)) != len(labels):
        raise InputProblem(f"two exports have the same label ({', '.join(labels)}): their rows could not be told "
                           "apart", status=2)
    registry = Registry.load(data_dir)
    report = Report(title or f"OHID Fingertips export {', '.join(labels)}", package)
    rows = [row for label, text in exports for row in read_export(text, label, report)]
    by_indicator: dict[str, list[Row]] = {}
    for row in rows:
        if not INDICATOR_NUMBER.fullmatch(row[0]):
            report.skip("row-malformed", row.ref)
        else:
            by_indicator.setdefault(str(int(row[0])), []).append(row)
    duplicate_keys([row for ind_rows in by_indicator.values() for row in ind_rows])
    check_options(options, list(by_indicator))
    if not by_indicator:
        raise InputProblem(f"{report.title}: no data rows to import")

    indicator_rows, value_rows, sources = [], [], []
    for indicator, ind_rows in by_indicator.items():
        combo, chosen = headline_combo(ind_rows, options, indicator)
        name = next((r[1] for r in ind_rows if r[1]), f"Fingertips indicator {indicator}")
        entries, seen, other_combos = [], set(), Counter()
        for row in ind_rows:
            if row[9] or (row[7], row[8]) != combo:
                report.keep_apart("breakdown rows (a category, or another Sex/Age)", row.ref)
                if not row[9]:
                    other_combos[(row[7], row[8])] += 1
                continue
            if registry.other_type(row[4]):
                report.skip("area-other-type", row.ref)
                continue
            dates = period_dates(row[11])
            if dates is None:
                report.skip("period-unparseable", row.ref)
                continue
            placement = registry.place(row[4], row[5], *dates)
            if placement.code is None:
                report.skip(placement.reason, row.ref)
                continue
            try:
                entry = parse_entry(row, placement.code, row[11], *dates)
            except ValueError:
                report.skip("value-invalid", row.ref)
                continue
            if (placement.code, row[11]) in seen:
                report.skip("duplicate", row.ref)
                continue
            seen.add((placement.code, row[11]))
            if placement.how:
                report.matched.append(f"{report.rows([row.ref])}: {placement.how}")
            report.imported.append(row.ref)
            if entry.status == "suppressed":
                report.suppressed.append(row.ref)
            entries.append(entry)
        if not entries:
            report.details.append(f"Indicator {indicator}: no rows could be imported")
            continue
        explain: list[str] = []
        meta = infer(indicator, name, entries, options, combo, explain)
        report.details.append(f"Indicator {meta['id']} (Fingertips {indicator}; {quoted(combo[0], 40)}, "
                              f"{quoted(combo[1], 40)}): {quoted(meta['title'])}")
        report.details += explain
        if other_combos or options.get("sex", indicator) or options.get("age", indicator):
            report.details.append(f"  Sex/Age {quoted(combo[0], 40)}, {quoted(combo[1], 40)}: {chosen}")
        if other_combos:  # every one, so that the report says what else the file has
            report.details.append("  other Sex/Age kept apart: " + "; ".join(
                f"{quoted(s, 40)}, {quoted(a, 40)} ({n} row{'s' if n > 1 else ''})"
                for (s, a), n in other_combos.items()))
        vtype = meta["value_type"]
        has_numbers = [e for e in entries if e.status != "suppressed"]
        limits = ("lower", "upper", "lower_99_8", "upper_99_8")
        if vtype not in HAS_INTERVAL and any(getattr(e, x) is not None for e in has_numbers for x in limits):
            report.details.append(f"  intervals left empty: the standard gives none for a {vtype}")
        if vtype not in HAS_COUNTS and any(e.denominator is not None or (e.count is not None and vtype != "count")
                                           for e in has_numbers):
            report.details.append(f"  count and denominator left empty: the standard gives none for a {vtype}")
        indicator_rows.append(meta)
        entries.sort(key=lambda e: (e.area, e.start, e.end, e.period))
        value_rows += [value_row(meta["id"], e, vtype) for e in entries]
        sources.append({"title": f"OHID Fingertips, indicator {indicator}: {meta['title']} (Office for Health "
                                 f"Improvement and Disparities; {OGL_TITLE})",
                        "path": "https://fingertips.phe.org.uk/"})
    if not indicator_rows:
        raise InputProblem(report.render() + "Nothing to import: no row could be placed on an area and a period.")
    ids = [r["id"] for r in indicator_rows]
    if len(set(ids)) != len(ids):
        raise InputProblem(f"two indicators would have the same id ({', '.join(ids)}); map them with --id", status=2)
    report.values_written = len(value_rows)
    fingertips_ids = ", ".join(r["fingertips_id"] for r in indicator_rows)
    package_title = options.package_title or (indicator_rows[0]["title"] if len(indicator_rows) == 1
                                              else f"OHID Fingertips indicators {fingertips_ids}")
    plural = "s" if len(indicator_rows) > 1 else ""
    description = (f"Imported from OHID Fingertips (indicator{plural} {fingertips_ids}): published values for "
                   f"England, NHS England regions and Integrated Care Boards ({OGL_TITLE}).")
    explicit = set().union(*(options.explicit(r["fingertips_id"]) for r in indicator_rows))
    write_package(data_dir, package, indicator_rows, value_rows, title=package_title, description=description,
                  sources=sources, today=today, report=report, explicit=explicit)
    return report
