"""Import an OHID Fingertips CSV export (a downloaded file, or fetched from the Fingertips API) as an indicator
package.

The export (docs: /work/shared/reference/fingertips-format.md) has 26 columns, or 27 in current exports (a final
`Time period range`); later unknown columns are ignored and named in the report. Column 23 compares with the parent
area and its name varies (`Compared to percentiles`, `Compared to Regions (statistical) value or percentiles`...),
so it is checked by its prefix `Compared to`; every other column by its name, ignoring case, spaces and dots (so
the fingertipsR names `IndicatorID`, `LowerCI95.0limit` are accepted too).

What becomes of each row:

- Headline rows only: `Category Type` empty and the indicator's own Sex and Age. When an indicator has several
  Sex/Age combinations the one kept is `--sex`/`--age` if given, else the most common of the `Persons` rows, else
  the most common one (the first seen on a tie); rows with a category or another Sex/Age are breakdown rows,
  counted in the report and not imported.
- Areas: England, NHS England regions and ICBs, placed with `common.Registry.place` (the ONS code; an old code
  moves to its `code_change` successor when that existed in the period; an older or unknown code is matched by the
  ODS code suffix of the area name, `NHS X Integrated Care Board - QHL`). Other area types and unplaceable areas
  are reported.
- Periods: `icsite.core.periods.parse_period`; a label that fixes only years is taken as financial years (April to
  March). An unparseable label is reported.
- Numbers: Value; 95% interval; Count as numerator; Denominator. An empty value, or a value note saying the value
  was suppressed or not published, makes the row `suppressed` (numbers empty, the note kept); other value notes go
  to `note` (a note saying "provisional" makes the status `provisional`). The standard gives no interval for
  counts, scores and means and no numerator or denominator for life expectancy, means, counts and scores: those
  cells are left empty for those kinds (the report says how many).

Indicator metadata (each can be given instead with a flag; see `infer`):

- id `fingertips_<Indicator ID>` (or `--id`), title the Indicator Name, `fingertips_id`, source
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
  else 1; short title the title cut to 32 characters.

`fetch` gets the same CSV from the public API (`by_indicator_id`, ICBs as the child area type) through `http_get`,
the one function that touches the network (tests replace it).

A file (`common.read_text`) or an API response (`common.scan`, at most `MAX_FILE_BYTES` read) is refused, with
nothing written, when it is not a regular file, is over a limit, is not well-formed CSV with one row per line (an
unbalanced quote, a row with more or fewer cells than the header: `common.read_csv`), or has two rows for the same
indicator, area, sex, age, category and period (`duplicate_keys`); see docs/importing.md, "What is refused".
"""

from __future__ import annotations

import math
import re
import statistics
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from icsite.importers.common import (DOMAINS, ENGLAND, EXAMPLES, FREQUENCIES, INDICATOR_ID, MAX_FILE_BYTES, POLARITIES, VALUE_TYPES,
                     InputProblem, Registry, Report, RowRef, decode, fmt_number, frequency_of, parse_number,
                     period_dates, period_months, quoted, read_csv, refuse_duplicates, scan, short_title,
                     write_package)

API = "https://fingertips.phe.org.uk/api/all_data/csv/by_indicator_id"
ICB_AREA_TYPE = 221  # "ICBs, former STPs"
ENGLAND_AREA_TYPE = 15  # parent area type: England (223 gives NHS regions as the parents, and their rows)
COLUMNS = ["Indicator ID", "Indicator Name", "Parent Code", "Parent Name", "Area Code", "Area Name", "Area Type",
           "Sex", "Age", "Category Type", "Category", "Time period", "Value", "Lower CI 95.0 limit",
           "Upper CI 95.0 limit", "Lower CI 99.8 limit", "Upper CI 99.8 limit", "Count", "Denominator",
           "Value note", "Recent Trend", "Compared to England value or percentiles",
           "Compared to <parent> value or percentiles", "Time period Sortable", "New data", "Compared to goal"]
PARENT_COMPARISON = 22  # index of the column whose name varies
KNOWN_TRAILING = {"timeperiodrange": "Time period range"}
SUPPRESSED_NOTE = re.compile(r"^\s*suppressed|\b(value|data)\s+(was\s+|has\s+been\s+|is\s+)?"
                             r"(suppressed|not\s+published|withheld)", re.I)
SCALES = [1, 100, 1000, 10000, 100000]
UNITS = {1000: "per 1,000", 10000: "per 10,000", 100000: "per 100,000"}
HAS_INTERVAL = {"proportion", "crude_rate", "directly_standardised_rate", "indirectly_standardised_ratio",
                "life_expectancy"}
HAS_COUNTS = {"proportion", "crude_rate", "directly_standardised_rate", "indirectly_standardised_ratio"}
INDICATOR_NUMBER = re.compile(r"\d{1,12}")  # a Fingertips indicator id (longer digit strings are not ids)
KEY_COLUMNS = {0: "indicator", 4: "area", 7: "sex", 8: "age", 9: "category type", 10: "category", 11: "period"}


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", (name or "").lower())


# --- Options ------------------------------------------------------------------------------------------------------

@dataclass
class Options:
    """Flags: each value is given for every indicator (key "*") or for one Fingertips id (key "92443")."""

    overrides: dict[str, dict[str, str]] = field(default_factory=dict)
    package_title: str | None = None

    def get(self, name: str, indicator: str) -> str | None:
        given = self.overrides.get(name, {})
        return given.get(indicator, given.get("*"))

    def explicit(self, indicator: str) -> set[str]:
        return {name for name in self.overrides if self.get(name, indicator) is not None}


def check_options(options: Options, indicators: list[str]) -> None:
    """InputProblem (status 2) for a flag value outside its allowed values or naming an indicator not imported."""
    allowed = {"domain": DOMAINS, "polarity": POLARITIES, "value_type": VALUE_TYPES, "frequency": FREQUENCIES}
    for name, given in options.overrides.items():
        flag = "--" + name.replace("_", "-")
        for key, value in given.items():
            if key != "*" and key not in indicators:
                raise InputProblem(f"{flag} {key}={value}: indicator {key} is not in the export (it has "
                                   f"{listed(indicators)})", status=2)
            if name in allowed and value not in allowed[name]:
                raise InputProblem(f"{flag} {value}: expected one of {', '.join(allowed[name])}", status=2)
            if name == "id" and not INDICATOR_ID.match(value):
                raise InputProblem(f"{flag} {value}: an id is lower-case letters, digits and _", status=2)
            if name == "id" and key == "*" and len(indicators) > 1:
                raise InputProblem(f"{flag} {value}: the export has {len(indicators)} indicators "
                                   f"({', '.join(indicators)}); map each one as --id INDICATOR=ID", status=2)
            if name == "short_title" and len(value) > 32:
                raise InputProblem(f"{flag}: at most 32 characters (found {len(value)})", status=2)
            if name == "multiplier":
                try:
                    ok = float(value) >= 1
                except ValueError:
                    ok = False
                if not ok:
                    raise InputProblem(f"{flag} {value}: expected a number of at least 1 (100 for a percentage)",
                                       status=2)
            if name == "decimals" and value not in {"0", "1", "2", "3"}:
                raise InputProblem(f"{flag} {value}: expected a whole number from 0 to 3", status=2)


# --- Reading the export ---------------------------------------------------------------------------------------------

@dataclass
class Row:
    ref: RowRef
    cells: list[str]

    def __getitem__(self, index: int) -> str:
        return self.cells[index].strip()


def read_export(text: str, label: str, report: Report) -> list[Row]:
    """The data rows of one export; InputProblem when its header is not the Fingertips layout, Refused when it is
    not well-formed CSV (`common.read_csv`: every row has the header's cells)."""
    header, lines = read_csv(text, label)
    if not header:
        raise InputProblem(f"{label}: the file is empty; expected an OHID Fingertips CSV export")
    for i, expected in enumerate(COLUMNS):
        found = header[i].strip() if i < len(header) else None
        ok = found is not None and (_norm(found).startswith("comparedto") if i == PARENT_COMPARISON
                                    else _norm(found) == _norm(expected))
        if not ok:
            what = f"found '{quoted(found)}'" if found is not None else f"the header has only {len(header)} columns"
            raise InputProblem(f"{label}, line 1, column {i + 1}: expected '{expected}', {what}. An OHID Fingertips "
                               "export has 26 or 27 columns in this order: " + ", ".join(COLUMNS)
                               + " (and Time period range).")
    extra = [h.strip() for h in header[len(COLUMNS):]]
    layout = f"{len(header)} columns"
    known = [KNOWN_TRAILING[_norm(h)] for h in extra if _norm(h) in KNOWN_TRAILING]
    unknown = [quoted(h) or "(no name)" for h in extra if _norm(h) not in KNOWN_TRAILING]
    if known:
        layout += f" (with {', '.join(known)})"
    if unknown:
        layout += f"; ignored unknown column(s): {listed(unknown)}"
    report.details.append(f"{label}: {layout}; column 23 is '{quoted(header[PARENT_COMPARISON].strip())}'")
    rows = [Row(RowRef(label, line), cells) for line, cells in lines]
    report.sources.add(label)
    report.rows_read += len(rows)
    return rows


def listed(items: list[str], separator: str = ", ") -> str:
    """The first few items and how many more (a report line stays short)."""
    more = f" and {len(items) - EXAMPLES} more" if len(items) > EXAMPLES else ""
    return separator.join(items[:EXAMPLES]) + more


def duplicate_keys(rows: list[Row]) -> None:
    """Refused when two rows (of any of the exports) have the same indicator, area, sex, age, category type,
    category and period: such rows are never merged, dropped or summed."""
    def key(row: Row) -> tuple:
        return (str(int(row[0])),) + tuple(row[i].upper() if i == 4 else row[i] for i in list(KEY_COLUMNS)[1:])

    def what(key: tuple) -> str:
        return ", ".join(f"{name} {quoted(value, 40) or '(empty)'}" for name, value in zip(KEY_COLUMNS.values(), key))
    refuse_duplicates(((key(row), row.ref) for row in rows), what)


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


# --- Rows to values -------------------------------------------------------------------------------------------------

@dataclass
class Entry:
    """One headline row placed on an area and a period, its numbers parsed."""

    ref: RowRef
    area: str
    period: str
    start: date
    end: date
    value: float | None
    lower: float | None
    upper: float | None
    count: float | None
    denominator: float | None
    status: str
    note: str
    compared: str
    trend: str


def headline_combo(rows: list[Row], options: Options, indicator: str) -> tuple[str, str]:
    """The Sex and Age of the indicator's headline rows (see the module docstring)."""
    combos = Counter((r[7], r[8]) for r in rows if not r[9])
    if not combos:
        return ("", "")
    sex, age = options.get("sex", indicator), options.get("age", indicator)
    if sex is not None or age is not None:
        wanted = [c for c in combos if (sex is None or c[0].lower() == sex.lower())
                  and (age is None or c[1].lower() == age.lower())]
        if not wanted:
            have = listed([f"{quoted(s, 40)}, {quoted(a, 40)}" for s, a in combos], "; ")
            raise InputProblem(f"indicator {indicator} has no headline rows with Sex '{quoted(sex or 'any')}' and "
                               f"Age '{quoted(age or 'any')}' (it has: {have})", status=2)
        combos = Counter({c: combos[c] for c in wanted})
    persons = Counter({c: n for c, n in combos.items() if c[0].lower() == "persons"})
    pool = persons or combos
    best = max(pool.values())
    return next(c for c in pool if pool[c] == best)  # Counter keeps first-seen order


def parse_entry(row: Row, placement_code: str, label: str, start: date, end: date) -> Entry:
    """The numbers of a headline row (ValueError when one is not a number or is negative)."""
    note = " ".join(row[19].split())
    suppressed = not row[12] or bool(SUPPRESSED_NOTE.search(note))
    if suppressed:
        return Entry(row.ref, placement_code, label, start, end, None, None, None, None, None, "suppressed",
                     note or "No value in the Fingertips export", row[21], row[20])
    numbers = [parse_number(row[i]) for i in (12, 13, 14, 17, 18)]
    if any(x is not None and x < 0 for x in numbers):
        raise ValueError("negative")
    status = "provisional" if re.search(r"provisional", note, re.I) else "final"
    return Entry(row.ref, placement_code, label, start, end, *numbers, status, note, row[21], row[20])


def comparison_votes(entries: list[Entry]) -> tuple[Counter, Counter]:
    """Votes for high_is_good / low_is_good from the England comparison labels, and from the trend labels."""
    england = {e.period: e.value for e in entries if e.area == ENGLAND and e.value is not None}
    by_comparison, by_trend = Counter(), Counter()
    for e in entries:
        eng = england.get(e.period)
        label = e.compared.lower()
        if e.area != ENGLAND and e.value is not None and eng is not None and e.value != eng:
            higher = e.value > eng
            if label.startswith(("better", "best")):
                by_comparison["high_is_good" if higher else "low_is_good"] += 1
            elif label.startswith(("worse", "worst")):
                by_comparison["low_is_good" if higher else "high_is_good"] += 1
        trend = e.trend.lower()
        for direction, better in (("increasing and getting better", "high_is_good"),
                                  ("decreasing and getting better", "low_is_good"),
                                  ("increasing and getting worse", "low_is_good"),
                                  ("decreasing and getting worse", "high_is_good")):
            if trend.startswith(direction):
                by_trend[better] += 1
    return by_comparison, by_trend


def scale_of(entries: list[Entry]) -> tuple[int, bool, int] | None:
    """(M, exact, rows): the power of ten nearest value / (count / denominator), whether every row equals
    count / denominator x M, and how many rows had counts; None without counts."""
    with_counts = [e for e in entries if e.value and e.count and e.denominator]
    if not with_counts:
        return None
    ratios = [e.value / (e.count / e.denominator) for e in with_counts]
    middle = math.log10(statistics.median(ratios))
    m = min(SCALES, key=lambda s: abs(math.log10(s) - middle))
    exact = all(abs(e.value - e.count / e.denominator * m) <= max(1e-3 * e.value, 0.005) for e in with_counts)
    return m, exact, len(with_counts)


def infer(indicator: str, name: str, entries: list[Entry], options: Options, combo: tuple[str, str],
          explain: list[str]) -> dict:
    """The indicators.csv row of one indicator: inferred, unless given as flags; `explain` gets one line per field."""
    def given(key):
        return options.get(key, indicator)

    placed = [e for e in entries if e.value is not None]
    scale = scale_of(placed)
    lname = name.lower()
    # value type and multiplier
    if scale:
        m, exact, n = scale
        within = all(e.count <= e.denominator for e in placed if e.count is not None and e.denominator)
        if exact and m in (1, 100) and within:
            vtype = "proportion"
        elif exact:
            vtype = "crude_rate"
        else:
            vtype = "directly_standardised_rate"
        how = (f"value = count / denominator x {m} in all {n} rows with counts" if exact else
               f"value / (count / denominator) is near {m} but not equal (age standardised) in {n} rows")
    else:
        m = None
        middle_value = statistics.median([e.value for e in placed]) if placed else 0
        if "life expectancy" in lname:
            vtype, how = "life_expectancy", "no counts; 'life expectancy' in the name"
        elif "ratio" in lname:
            vtype, how = "indirectly_standardised_ratio", "no counts; 'ratio' in the name"
            m = 100 if middle_value > 10 else 1
        elif placed and all(e.count is not None and e.value == e.count for e in placed):
            vtype, how = "count", "every value equals its count"
        elif "score" in lname:
            vtype, how = "score", "no counts; 'score' in the name"
        else:
            vtype, how = "score", "could not infer it (no counts); set it with --value-type"
    if given("value_type"):
        vtype, how = given("value_type"), "given with --value-type"
    if given("multiplier"):
        multiplier, mhow = float(given("multiplier")), "given with --multiplier"
    elif m is not None:
        multiplier, mhow = m, "from the values and counts"
    else:
        multiplier = {"proportion": 100, "crude_rate": 1000, "directly_standardised_rate": 100000}.get(vtype, 1)
        mhow = "the usual one for the value type"
    explain.append(f"  value_type {vtype}: {how}")
    explain.append(f"  multiplier {fmt_number(multiplier)}: {mhow}")
    # unit
    if given("unit"):
        unit, uhow = given("unit"), "given with --unit"
    else:
        if vtype in ("proportion", "crude_rate", "directly_standardised_rate"):
            unit = "%" if multiplier == 100 else UNITS.get(int(multiplier), "proportion" if multiplier == 1
                                                           else f"per {fmt_number(multiplier)}")
        else:
            unit = {"life_expectancy": "years", "indirectly_standardised_ratio": "ratio", "count": "count",
                    "mean": "mean", "score": "score"}[vtype]
        uhow = "from the value type and multiplier"
    explain.append(f"  unit {unit}: {uhow}")
    # polarity
    by_comparison, by_trend = comparison_votes(entries)
    if given("polarity"):
        polarity, phow = given("polarity"), "given with --polarity"
    else:
        votes, what = (by_comparison, "comparisons with England") if by_comparison else (by_trend, "trend labels")
        ranked = votes.most_common()
        if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
            polarity = "no_judgement"
            phow = ("the comparisons disagree" if ranked else
                    "no Better/Worse comparison or better/worse trend in the export")
        else:
            polarity = ranked[0][0]
            against = sum(n for p, n in ranked[1:])
            phow = f"{ranked[0][1]} {what} say so" + (f" ({against} disagree)" if against else "")
    explain.append(f"  polarity {polarity}: {phow}")
    # frequency, domain, decimals, titles
    months = [period_months(e.start, e.end) for e in entries]
    frequency = given("frequency") or frequency_of(months)
    explain.append(f"  frequency {frequency}: " + ("given with --frequency" if given("frequency") else
                                                   "from the most common period length"))
    domain = given("domain") or "healthy_lives"
    explain.append(f"  domain {domain}: " + ("given with --domain" if given("domain") else
                                             "the default (set it with --domain)"))
    decimals = given("decimals") or ("0" if vtype == "count" else "1")
    sex, age = combo
    title = given("title") or " ".join(name.split()) + (f" ({sex})" if sex and sex.lower() != "persons" else "")
    short = given("short_title") or short_title(title)
    plain = " ".join(name.split())
    definition = given("definition") or (f"{plain} ({sex}, {age}). Figures from OHID Fingertips indicator "
                                         f"{indicator}; its full definition is in the Fingertips metadata.")
    return {"id": given("id") or f"fingertips_{indicator}", "title": title, "short_title": short, "domain": domain,
            "unit": unit, "polarity": polarity, "value_type": vtype, "multiplier": fmt_number(multiplier),
            "decimals": decimals, "definition": definition, "source": f"OHID Fingertips, indicator {indicator}",
            "frequency": frequency, "target": "", "target_label": "", "illustrative": "false",
            "fingertips_id": indicator, "keywords": given("keywords") or ""}


def value_row(indicator_id: str, e: Entry, vtype: str) -> dict:
    interval = vtype in HAS_INTERVAL
    counts = vtype in HAS_COUNTS
    return {"indicator_id": indicator_id, "area_code": e.area, "period": e.period,
            "period_start": e.start.isoformat(), "period_end": e.end.isoformat(), "value": fmt_number(e.value),
            "lower_ci": fmt_number(e.lower) if interval else "", "upper_ci": fmt_number(e.upper) if interval else "",
            "numerator": fmt_number(e.count) if counts else "",
            "denominator": fmt_number(e.denominator) if counts else "", "status": e.status, "note": e.note}


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
        combo = headline_combo(ind_rows, options, indicator)
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
        if other_combos:
            report.details.append("  other Sex/Age kept apart: " + listed(
                [f"{quoted(s, 40)}, {quoted(a, 40)} ({n} row{'s' if n > 1 else ''})"
                 for (s, a), n in other_combos.items()], "; "))
        vtype = meta["value_type"]
        has_numbers = [e for e in entries if e.status != "suppressed"]
        if vtype not in HAS_INTERVAL and any(e.lower is not None or e.upper is not None for e in has_numbers):
            report.details.append(f"  intervals left empty: the standard gives none for a {vtype}")
        if vtype not in HAS_COUNTS and any(e.denominator is not None or (e.count is not None and vtype != "count")
                                           for e in has_numbers):
            report.details.append(f"  count and denominator left empty: the standard gives none for a {vtype}")
        indicator_rows.append(meta)
        entries.sort(key=lambda e: (e.area, e.start, e.end, e.period))
        value_rows += [value_row(meta["id"], e, vtype) for e in entries]
        sources.append({"title": f"OHID Fingertips, indicator {indicator}: {meta['title']} (Office for Health "
                                 "Improvement and Disparities; Open Government Licence v3.0)",
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
                   "England, NHS England regions and Integrated Care Boards (Open Government Licence v3.0).")
    explicit = set().union(*(options.explicit(r["fingertips_id"]) for r in indicator_rows))
    write_package(data_dir, package, indicator_rows, value_rows, title=package_title, description=description,
                  sources=sources, today=today, report=report, explicit=explicit)
    return report
