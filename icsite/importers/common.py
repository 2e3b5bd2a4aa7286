"""What the importers share: reading an input safely (the limits, and the refusals of a malformed CSV), the area
registry and how a source row is placed on it, the import report, and writing an indicator package (merged into an
existing one, whose previous version is kept as a release first).

An input is refused before anything is imported (`Refused`, exit status 1, nothing written) when it is not a
regular file, is over a limit (`MAX_FILE_BYTES`, `MAX_LINE_BYTES`, `MAX_COLUMNS`), is not well-formed CSV with one
row per line (an unbalanced or misplaced quote, a row with more or fewer cells than the header), or repeats a row's
key. Each problem is located (file, row = line of the file, field) with what was expected and a hint
(`INPUT_CODES`), in the build's report format (`icsite.core.problems.format_report`); a cell or line is quoted at most
`QUOTE_CHARS` long.

The package written has exactly the schema of the shipped indicator packages (`INDICATOR_SCHEMA`,
`VALUE_SCHEMA`, the same fields, types and order as `datapackages/urgent-emergency-care/datapackage.json`).
Before anything is written the new package is checked with the build's own validation, next to a copy of the
area registry: an import that would not pass `build.py --check` writes nothing.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from icsite.core.standard import INDICATOR_SCHEMA, IND_FIELDS, OGL, VAL_FIELDS, VALUE_SCHEMA, indicator_package  # noqa: F401
from icsite.core.periods import parse_period
from icsite.inputs.load import Refused as FileRefused, open_checked
from icsite.core.problems import Problem, clip, format_report

ENGLAND = "E92000001"
IN_SCOPE_PREFIXES = ("E92", "E40", "E54")  # England, NHS England regions, ICBs
ONS_CODE = re.compile(r"^[EWSNK]\d{8}$")
ODS_SUFFIX = re.compile(r"\s-\s*([A-Z0-9]{3,5})\s*$")  # "NHS Birmingham and Solihull Integrated Care Board - QHL"
PACKAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
INDICATOR_ID = re.compile(r"^[a-z0-9_]+$")

def allowed(schema: dict, name: str) -> list[str]:
    """The values a field's enum constraint allows."""
    return next(f["constraints"]["enum"] for f in schema["fields"] if f["name"] == name)


DOMAINS = allowed(INDICATOR_SCHEMA, "domain")
POLARITIES = allowed(INDICATOR_SCHEMA, "polarity")
VALUE_TYPES = allowed(INDICATOR_SCHEMA, "value_type")
FREQUENCIES = allowed(INDICATOR_SCHEMA, "frequency")
STATUSES = allowed(VALUE_SCHEMA, "status")
INDICATOR_FIELDS, VALUE_FIELDS = IND_FIELDS, VAL_FIELDS
#: optional trailing fields a package written before they existed may lack (read as empty, written on update)
LATER_FIELDS = ["keywords"]
NUMBER_FIELDS = {"multiplier", "decimals", "target", "fingertips_id", "value", "lower_ci", "upper_ci", "numerator",
                 "denominator"}


class InputProblem(Exception):
    """The input cannot be imported: the message says where and why (exit status 1, or `status`)."""

    def __init__(self, message: str, status: int = 1):
        super().__init__(message)
        self.status = status


# --- Limits on what an importer reads (documented in docs/importing.md, "What is refused") ----------------------
# For scale: NHS England's monthly A&E CSV is about 30 kB, 22 columns, lines under 800 bytes; a Fingertips export
# of one indicator for ICBs is under 2 MB, 27 columns, lines under 500 bytes.

MAX_FILE_BYTES = 64 * 1024 * 1024  # a file or API response larger than this is refused (files before reading)
MAX_LINE_BYTES = 32 * 1024  # a line longer than this is refused as soon as the scan reaches it
MAX_COLUMNS = 100  # a header with more columns than this is refused
MAX_PROBLEMS = 100  # the checks stop collecting problems here (the report shows 5 of each kind)
QUOTE_CHARS = 80  # a cell or line quoted in a report is cut to this many characters, with an ellipsis
READ_CHUNK = 1024 * 1024  # bytes read at a time while scanning a file

#: why an input is refused: code -> (what it means, hint); each refusal is a `Problem` with one of these codes
INPUT_CODES: dict[str, tuple[str, str]] = {
    "input-not-regular": ("the input is not a regular file: only files are read (a FIFO or a device might never "
                          "end)",
                          "Give the path of a CSV file saved on disk; download the file first (a pipe or a device is "
                          "not read)."),
    "input-too-large": (f"the input is larger than the importers' limit of {MAX_FILE_BYTES:,} bytes",
                        "Check it is the right file; import one indicator or ICB-level areas only, or raise "
                        "MAX_FILE_BYTES in icsite/importers/common.py for a genuine larger file."),
    "line-too-long": (f"a line is longer than the importers' limit of {MAX_LINE_BYTES:,} bytes",
                      "Rows of these files are well under 1,000 characters: check it is the right file, saved as CSV "
                      "with one row per line."),
    "header-too-wide": (f"the header has more than the importers' limit of {MAX_COLUMNS} columns",
                        "Check line 1 is the file's header and the file was saved as CSV (comma-separated)."),
    "quote-unbalanced": ("a quoted cell never closes on its line",
                         "Check the file was saved as CSV: a cell that starts with a double quote ends with one on "
                         "the same line, and a double quote inside a cell is written twice (\"\"). No cell of these "
                         "files spans lines."),
    "quote-misplaced": ("text follows a quoted cell before the next comma",
                        "Check the file was saved as CSV: a quoted cell ends with a double quote followed by a comma "
                        "or the end of the line, and a double quote inside a cell is written twice (\"\")."),
    "csv-unreadable": ("a line cannot be read as CSV",
                       "Save the file as CSV (comma-separated, UTF-8) with one row per line."),
    "row-width": ("a row has more or fewer cells than the header",
                  "Look for a missing or extra comma, or a cell holding a comma without double quotes around it; "
                  "check the file was saved as CSV."),
    "row-duplicate": ("a row has the same key as an earlier row",
                      "Keep one row per key: remove the repeated row, or check the file was not put together from "
                      "overlapping downloads. Repeated rows are never summed or merged."),
}


def input_problem(code: str, file: str, row: int | None = None, field: str | None = None, message: str = "",
                  expected: str | None = None, found: str | None = None) -> Problem:
    """A located problem with the input, with its code's meaning (when no message is given) and hint."""
    meaning, hint = INPUT_CODES[code]
    return Problem(code, file, row, field, message or meaning, expected, found, hint)


class Refused(InputProblem):
    """The input is refused before anything is imported: every problem found, in the build's report format."""

    def __init__(self, problems: list[Problem], note: str = ""):
        self.problems = problems
        super().__init__("The input was refused:\n" + format_report(problems) + note + "Nothing was written.\n")


def quoted(text: str, limit: int = QUOTE_CHARS) -> str:
    """A cell or line as a report quotes it: on one line (control characters as spaces), at most `limit`
    characters, cut with "…" (where it is cut, not at a word: the start of a huge cell is what helps find it)."""
    return clip("".join(c if c.isprintable() else " " for c in text[:limit + 1]), limit)


# --- Reading an input ---------------------------------------------------------------------------------------------

def read_bytes(path: Path) -> bytes:
    """The bytes of an input file: only a regular file is opened (a FIFO or a device, even through a symlink, is
    refused at once, by the build's own rule: `load.open_checked`), one over `MAX_FILE_BYTES` is refused before it
    is read, and the rest is `scan`ned."""
    label = str(path)
    try:
        with open_checked(Path(os.path.realpath(path)), MAX_FILE_BYTES) as f:
            return scan(iter(lambda: f.read(READ_CHUNK), b""), label)
    except FileRefused as refused:
        if refused.code == "file-not-regular":
            raise Refused([input_problem("input-not-regular", label, found=refused.found)]) from None
        if refused.code == "file-too-large":
            raise too_large(label, refused.found) from None
        raise InputProblem(f"{path}: cannot read the file ({refused.message})", status=2) from None


def too_large(label: str, found: str) -> Refused:
    """The refusal of an input over MAX_FILE_BYTES (`found`: how large it is, in words)."""
    return Refused([input_problem("input-too-large", label, expected=f"at most {MAX_FILE_BYTES:,} bytes",
                                  found=found)])


def scan(chunks: Iterable[bytes], label: str) -> bytes:
    """The input's bytes, read chunk by chunk and refused as soon as they pass `MAX_FILE_BYTES` or a line passes
    `MAX_LINE_BYTES`: a never-ending or huge input is not loaded. Lines end with a line feed (CR LF too)."""
    parts, size, line, run, head = [], 0, 1, 0, b""
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_FILE_BYTES:
            raise too_large(label, f"more than {MAX_FILE_BYTES:,} bytes")
        start = 0
        while True:
            end = chunk.find(b"\n", start)
            stop = len(chunk) if end < 0 else end
            if len(head) < QUOTE_CHARS * 2:
                head += chunk[start:min(stop, start + QUOTE_CHARS * 2)]
            run += stop - start
            if run > MAX_LINE_BYTES:
                raise Refused([input_problem(
                    "line-too-long", label, line, message=f"line {line} is longer than {MAX_LINE_BYTES:,} bytes",
                    expected=f"at most {MAX_LINE_BYTES:,} bytes a line",
                    found=f"`{quoted(head.decode('utf-8', 'replace'))}` (more than {MAX_LINE_BYTES:,} bytes)")])
            if end < 0:
                break
            line, run, head, start = line + 1, 0, b"", end + 1
        parts.append(chunk)
    return b"".join(parts)


def decode(data: bytes, label: str) -> str:
    """UTF-8 text (a byte order mark dropped); InputProblem with the line of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise InputProblem(f"{label}, line {line}: the file is not UTF-8 text (byte {exc.start}); save it as "
                           "'CSV UTF-8' or export it again from Fingertips") from None


def read_text(path: Path) -> str:
    """An input file as text (`read_bytes`, then `decode`)."""
    return decode(read_bytes(path), str(path))


def _lines(text: str) -> Iterator[str]:
    """The lines of a text, without their line ends (LF or CR LF), one at a time."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        yield text[start:end].removesuffix("\r")
        start = end + 1


QUOTED_CELL = re.compile(r'"(?:[^"]|"")*+"')  # a quoted cell, its inner quotes doubled (possessive: no backtracking)


def _bad_quote(line: str) -> tuple[int, str, int] | None:
    """Where a line's quotes go wrong: (column index, problem code, where its cell starts), or None."""
    start, column = 0, 0
    while start <= len(line):
        if line.startswith('"', start):
            match = QUOTED_CELL.match(line, start)
            if match is None:
                return column, "quote-unbalanced", start
            end = match.end()
            if end < len(line) and line[end] != ",":
                return column, "quote-misplaced", start
        else:
            end = line.find(",", start)
            end = len(line) if end < 0 else end
        start, column = end + 1, column + 1
    return None


def _unreadable(line: str, number: int, label: str, header: list[str], error: csv.Error) -> Problem:
    """The problem of a line the CSV reader refused, located at the cell whose quotes go wrong."""
    where = _bad_quote(line)
    if where is None:
        return input_problem("csv-unreadable", label, number, message=f"line {number} cannot be read as CSV "
                             f"({error})", found=f"`{quoted(line)}`")
    column, code, start = where
    field = quoted(header[column].strip()) if column < len(header) else f"column {column + 1}"
    cell = quoted(line[start:])
    if code == "quote-unbalanced":
        return input_problem(code, label, number, field, f"line {number} has an unbalanced quote: the cell "
                             f"starting `{cell}` never closes", expected="a closing double quote on the same line")
    return input_problem(code, label, number, field, f"line {number} has text after the closing quote of the cell "
                         f"`{cell}`", expected="a comma or the end of the line after a closing double quote")


def read_csv(text: str, label: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the rows (line number, cells) of a CSV whose every row is one line (no cell of the importers'
    formats spans lines); blank lines are left out. Refused with every problem found (up to `MAX_PROBLEMS`): a
    line the CSV reader cannot read (an unbalanced or misplaced quote), a header over `MAX_COLUMNS`, a row with more
    or fewer cells than the header. An empty text, or a blank line 1, gives no header and no rows."""
    problems: list[Problem] = []
    header: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    note = ""
    for number, line in enumerate(_lines(text.removeprefix("\ufeff")), 1):
        if len(problems) >= MAX_PROBLEMS:
            note = f"The checks stopped at line {number}, after {MAX_PROBLEMS} problems.\n"
            break
        if not line.strip():
            if number == 1:
                break
            continue  # a blank line is not a row
        try:
            cells = next(csv.reader((line,), strict=True))
        except csv.Error as error:
            problems.append(_unreadable(line, number, label, header, error))
            if number == 1:
                break  # without a header, the rows cannot be checked
            continue
        if number == 1:
            header = cells
            if len(header) > MAX_COLUMNS:
                problems.append(input_problem("header-too-wide", label, 1, message=f"line 1 has {len(header):,} "
                                              "columns", expected=f"at most {MAX_COLUMNS} columns",
                                              found=f"`{quoted(line)}`"))
                break
        elif len(cells) != len(header):
            problems.append(input_problem("row-width", label, number, message=f"line {number} has {len(cells)} "
                                          f"cells, the header has {len(header)}", expected=f"{len(header)} cells",
                                          found=f"`{quoted(line)}`"))
        else:
            rows.append((number, cells))
    if problems:
        raise Refused(problems, note)
    return header, rows


def refuse_duplicates(keyed: Iterable[tuple[Hashable, "RowRef"]], what: Callable[[Hashable], str]) -> None:
    """Refused with a `row-duplicate` problem for each row whose key an earlier row has, naming both lines
    (`what(key)` says what the key is): repeated rows are never summed, merged or dropped."""
    first: dict[Hashable, RowRef] = {}
    problems: list[Problem] = []
    for key, ref in keyed:
        earlier = first.setdefault(key, ref)
        if earlier is not ref and len(problems) < MAX_PROBLEMS:
            where = f"line {earlier.line}" if earlier.source == ref.source else f"{earlier.source}, line {earlier.line}"
            problems.append(input_problem("row-duplicate", ref.source, ref.line, message=f"line {ref.line} repeats "
                                          f"{where}: {what(key)}", expected="one row per key"))
    if problems:
        raise Refused(problems)


# --- Cells ------------------------------------------------------------------------------------------------------

def parse_number(text: str) -> float | None:
    """A number cell: None when empty; ValueError when it is not a finite number. Thousands commas are allowed."""
    text = (text or "").strip().replace(",", "")
    if not text:
        return None
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(text)
    return number


def fmt_number(x: float | int | None) -> str:
    """A number as written in the package: whole numbers plain, others in the shortest exact form, None empty."""
    if x is None:
        return ""
    x = float(x)
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    text = repr(x)
    if "e" in text:  # no exponents in the package: fixed point, trailing zeros dropped
        text = f"{x:.15f}".rstrip("0").rstrip(".")
    return text


def period_dates(label: str) -> tuple[date, date] | None:
    """The first and last day of a period label (`icsite.core.periods.parse_period`), or None if it is in no known
    format. A label that fixes only the years (`2023/24`, `2019/20 - 21/22`) is taken as financial years:
    1 April of the first year to 31 March of the last."""
    span = parse_period(label)
    if span is None:
        return None
    start = span.start or date(span.start_year, 4, 1)
    end = span.end or date(span.end_year, 3, 31)
    if start > end or not span.agrees(start, end):
        return None
    return start, end


def period_months(start: date, end: date) -> int:
    """How many calendar months a period covers (rounded)."""
    return round(((end + timedelta(days=1)) - start).days / 30.44)


def frequency_of(months: list[int]) -> str:
    """The frequency of the most common period length: a month, a quarter (or part-year), a year, three years.
    Other multi-year windows (two or five years) are published once a year: annual."""
    if not months:
        return "annual"
    common = Counter(months).most_common(1)[0][0]
    if common <= 1:
        return "monthly"
    if common < 12:
        return "quarterly"
    if common == 36:
        return "three_year"
    return "annual"


def short_title(title: str, limit: int = 32) -> str:
    """The title cut at a word boundary to at most `limit` characters (with an ellipsis when cut)."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    cut = title[:limit - 1]
    if " " in cut:
        cut = cut[:cut.rfind(" ")]
    return cut.rstrip(" ,;:-(") + "…"


# --- The area registry ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Area:
    code: str
    ods: str
    type: str
    name: str
    parent: str
    valid_from: date
    valid_to: date | None

    def exists_during(self, start: date, end: date) -> bool:
        """True when the area existed for at least part of the period (as `build.py --check` requires)."""
        return end >= self.valid_from and (self.valid_to is None or start <= self.valid_to)


@dataclass(frozen=True)
class Placement:
    """Where a source row's area goes: a registry code, or why it has none."""

    code: str | None
    reason: str | None = None  # a key of REASONS when code is None
    how: str = ""  # how an indirect match was made, for the report


def ods_suffix(name: str) -> str:
    match = ODS_SUFFIX.search(name or "")
    return match[1] if match else ""


def _norm_name(name: str) -> str:
    text = re.sub(r"[^A-Z0-9]+", " ", (name or "").upper()).strip()
    text = re.sub(r"^NHS ENGLAND\s+", "", text)
    text = re.sub(r"\s+(COMMISSIONING\s+)?REGION$", "", text)
    return text


class Registry:
    """The area registry of a data folder (`areas/areas.csv` and `areas/successions.csv`)."""

    def __init__(self, areas: list[Area], code_changes: dict[str, str]):
        self.areas = {a.code: a for a in areas}
        self.by_ods: dict[str, list[Area]] = {}
        for a in sorted(areas, key=lambda a: a.valid_from):
            if a.ods:
                self.by_ods.setdefault(a.ods.upper(), []).append(a)
        self.next_code = dict(code_changes)  # predecessor -> successor, for `code_change` successions only
        self.regions = {}
        for a in areas:
            if a.type == "region":
                self.regions[_norm_name(a.name)] = a
                self.regions[a.code] = a
                if a.ods:
                    self.regions[a.ods.upper()] = a

    @classmethod
    def load(cls, data_dir: Path) -> "Registry":
        folder = data_dir / "areas"
        areas_file, successions_file = folder / "areas.csv", folder / "successions.csv"
        if not areas_file.is_file():
            raise InputProblem(f"there is no area registry in {data_dir} (expected {areas_file}); importers place "
                               "rows on its areas. Use the project's datapackages/ folder, or copy its areas/ "
                               "package into your data folder.", status=2)
        areas = []
        for row in _read_rows(areas_file):
            try:
                areas.append(Area(row["code"].strip(), row.get("ods_code", "").strip(), row["type"].strip(),
                                  row["name"].strip(), row.get("parent_code", "").strip(),
                                  date.fromisoformat(row["valid_from"].strip()),
                                  date.fromisoformat(row["valid_to"].strip()) if row.get("valid_to", "").strip()
                                  else None))
            except (KeyError, ValueError) as exc:
                raise InputProblem(f"{areas_file}: cannot read the area registry ({exc}); run "
                                   "python build.py --check first") from None
        changes = {}
        if successions_file.is_file():
            for row in _read_rows(successions_file):
                if row.get("kind", "").strip() == "code_change":
                    changes[row["predecessor_code"].strip()] = row["successor_code"].strip()
        return cls(areas, changes)

    def other_type(self, code: str) -> bool:
        """True for an ONS code of another kind of area (sub-ICB location, local authority...)."""
        code = code.strip().upper()
        return code not in self.areas and bool(ONS_CODE.match(code)) and not code.startswith(IN_SCOPE_PREFIXES)

    def newest_same_board(self, area: Area, start: date, end: date) -> Area:
        """The newest code of the same board (following code changes) that existed during the period."""
        while area.code in self.next_code:
            successor = self.areas.get(self.next_code[area.code])
            if successor is None or not successor.exists_during(start, end):
                break
            area = successor
        return area

    def place(self, code: str, name: str, start: date, end: date) -> Placement:
        """The registry area for a row's ONS code and area name in a period.

        A known code that existed during the period is used, unless the board took a new code (a `code_change`
        succession) that also existed then: the newest code is used. Otherwise the ICB is found by its ODS code
        (the `- QHL` suffix of the area name, else the registry's ODS code for the old code) among the boards
        that existed during the period; several boards linked by code changes count as one (the newest).
        """
        code = (code or "").strip().upper()
        area = self.areas.get(code)
        if area is not None and area.exists_during(start, end):
            newest = self.newest_same_board(area, start, end)
            return Placement(newest.code, how="" if newest is area else f"{code} -> {newest.code} (code change)")
        ods = ods_suffix(name) or (area.ods.upper() if area is not None else "")
        if not ods and code and not ONS_CODE.match(code):
            ods = code  # an ODS code given as the area code
        known_ods = ods in self.by_ods
        candidates = [a for a in self.by_ods.get(ods, []) if a.exists_during(start, end)]
        if candidates:
            chosen = candidates[-1]
            linked = all(self.next_code.get(a.code) == b.code for a, b in zip(candidates, candidates[1:]))
            if len(candidates) == 1 or linked:
                return Placement(chosen.code, how=f"{quoted(code) or '(no code)'} ({quoted(ods)}) -> {chosen.code} "
                                                  "(ODS code)")
            return Placement(None, "area-ambiguous")
        if area is not None or known_ods:
            return Placement(None, "area-not-valid")
        return Placement(None, "area-unknown")

    def region(self, text: str) -> Area | None:
        """An NHS England region by its name (`NHS ENGLAND MIDLANDS`), ONS code or ODS code."""
        text = (text or "").strip()
        return self.regions.get(text.upper()) or self.regions.get(_norm_name(text))


def _read_rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


# --- The report -------------------------------------------------------------------------------------------------

REASONS = {  # why a source row was not imported, in report order
    "row-malformed": "row with no whole-number indicator id",
    "area-other-type": "area of another type (not England, an NHS region or an ICB)",
    "area-unknown": "area not in the area registry (neither its ONS code nor its ODS code)",
    "area-ambiguous": "area whose ODS code matches more than one board in the period",
    "area-not-valid": "area that did not exist during the period (see areas.csv valid_from and valid_to)",
    "period-unparseable": "period label in no known format",
    "value-invalid": "value or interval that is not a number, or is negative",
    "duplicate": "second row for the same indicator, area and period (the first was kept)",
}
EXAMPLES = 5  # row numbers shown per reason


@dataclass(frozen=True, order=True)
class RowRef:
    """A row of a source file: its line number (the header is line 1) and, when there are several sources, which."""

    source: str
    line: int


@dataclass
class Report:
    """What an import did with every row of its source, and what it wrote."""

    title: str  # e.g. "OHID Fingertips export data.csv"
    package: str
    rows_read: int = 0
    imported: list[RowRef] = field(default_factory=list)
    suppressed: list[RowRef] = field(default_factory=list)
    kept_apart: dict[str, list[RowRef]] = field(default_factory=dict)  # label -> rows
    skipped: dict[str, list[RowRef]] = field(default_factory=dict)  # REASONS key -> rows
    partial: dict[str, list[RowRef]] = field(default_factory=dict)  # label -> rows imported in part
    matched: list[str] = field(default_factory=list)  # indirect area matches
    values_written: int = 0
    details: list[str] = field(default_factory=list)  # what the importer inferred or noticed
    outcome: list[str] = field(default_factory=list)
    sources: set[str] = field(default_factory=set)

    def skip(self, reason: str, ref: RowRef) -> None:
        assert reason in REASONS, reason
        self.skipped.setdefault(reason, []).append(ref)

    def keep_apart(self, label: str, ref: RowRef) -> None:
        self.kept_apart.setdefault(label, []).append(ref)

    def accounted(self) -> int:
        return (len(self.imported) + sum(map(len, self.kept_apart.values()))
                + sum(map(len, self.skipped.values())))

    def rows(self, refs: list[RowRef]) -> str:
        """`row 7` / `rows 2, 3, 4, 5, 6 and 3 more` (prefixed with the source when there are several)."""
        refs = sorted(refs)
        shown = [f"{r.source}:{r.line}" if len(self.sources) > 1 else str(r.line) for r in refs[:EXAMPLES]]
        more = f" and {len(refs) - EXAMPLES} more" if len(refs) > EXAMPLES else ""
        return ("row " if len(refs) == 1 else "rows ") + ", ".join(shown) + more

    def render(self) -> str:
        lines = [f"Import of {self.title} into package '{self.package}'",
                 f"Rows read: {self.rows_read}"]
        suppressed = f"; {len(self.suppressed)} suppressed ({self.rows(self.suppressed)})" if self.suppressed else ""
        lines.append(f"  imported: {len(self.imported)}, as {self.values_written} values{suppressed}")
        for label, refs in self.kept_apart.items():
            lines.append(f"  kept apart, {label}: {len(refs)} ({self.rows(refs)})")
        skipped = sum(map(len, self.skipped.values()))
        lines.append(f"  not imported: {skipped}")
        for reason in REASONS:
            refs = self.skipped.get(reason)
            if refs:
                lines.append(f"    {REASONS[reason]}: {len(refs)} ({self.rows(refs)})")
        unaccounted = self.rows_read - self.accounted()
        if unaccounted:  # never expected: every row is imported, kept apart or reported
            lines.append(f"  UNACCOUNTED FOR: {unaccounted}")
        for label, refs in self.partial.items():
            lines.append(f"  imported in part, {label}: {len(refs)} ({self.rows(refs)})")
        if self.matched:
            lines.append(f"Areas matched through a code change or an ODS code: {len(self.matched)}")
            lines += [f"  {m}" for m in self.matched[:EXAMPLES]]
            if len(self.matched) > EXAMPLES:
                lines.append(f"  ... and {len(self.matched) - EXAMPLES} more")
        lines += self.details
        lines += self.outcome
        return "\n".join(lines) + "\n"


# --- Writing the package ----------------------------------------------------------------------------------------

#: indicator fields a re-import keeps from the existing indicators.csv (hand edits survive), unless given as flags
KEPT_ON_REIMPORT = ["title", "short_title", "domain", "polarity", "decimals", "definition", "frequency", "target",
                    "target_label", "keywords"]


def csv_text(fields: list[str], rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def json_text(obj: dict) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


def _canonical(rows: list[dict], fields: list[str]) -> list[tuple]:
    """Rows compared by meaning: numbers as numbers (so 74.10 equals 74.1), order ignored."""
    def cell(name, text):
        text = (text or "").strip()
        if name in NUMBER_FIELDS and text:
            try:
                return float(text)
            except ValueError:
                return text
        return text.lower() if name == "illustrative" else text
    return sorted(tuple(str(cell(f, r.get(f))) for f in fields) for r in rows)


def bump_minor(version: str) -> str:
    """1.0.0 -> 1.1.0 (1.2 -> 1.3.0)."""
    match = re.fullmatch(r"\s*(\d+)\.(\d+)(?:\.(\d+))?\s*", version or "")
    if not match:
        raise InputProblem(f"the package's version '{version}' is not of the form MAJOR.MINOR.PATCH (e.g. 1.0.0); "
                           "fix it in datapackage.json and import again")
    return f"{match[1]}.{int(match[2]) + 1}.0"


@dataclass
class Existing:
    descriptor: dict
    indicators: list[dict]
    values: list[dict]


def read_existing(folder: Path) -> Existing | None:
    """The package already in `folder`, or None when there is none; InputProblem when it cannot be merged into."""
    if not folder.exists():
        return None
    descriptor_file = folder / "datapackage.json"
    if not descriptor_file.is_file():
        raise InputProblem(f"{folder} exists but has no datapackage.json: move it away or choose another "
                           "--package name")
    try:
        descriptor = json.loads(descriptor_file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputProblem(f"{descriptor_file}: cannot read it ({exc}); run python build.py --check") from None
    tables = {}
    for name, fields in (("indicators", INDICATOR_FIELDS), ("values", VALUE_FIELDS)):
        res = next((r for r in descriptor.get("resources", []) if isinstance(r, dict) and r.get("name") == name),
                   None)
        found = [f.get("name") for f in (res or {}).get("schema", {}).get("fields", [])]
        older = [f for f in fields if f not in LATER_FIELDS]  # the layout before the optional later fields
        if res is None or found not in (fields, older) or res.get("path") != f"{name}.csv" \
                or not (folder / res["path"]).is_file():
            raise InputProblem(f"{descriptor_file}: the '{name}' resource is not the standard {name}.csv with the "
                               f"fields {', '.join(fields)}; an import can only update a package of the standard "
                               "layout. Choose another --package name.")
        tables[name] = _read_rows(folder / res["path"])
    return Existing(descriptor, tables["indicators"], tables["values"])


def ids_elsewhere(data_dir: Path, package: str, ids: list[str]) -> None:
    """InputProblem when another package of the data folder already defines one of the indicator ids."""
    for folder in sorted(p for p in data_dir.iterdir() if p.is_dir() and p.name != package
                         and not p.name.startswith(".")):
        path = folder / "indicators.csv"
        if not path.is_file():
            continue
        try:
            defined = {r.get("id", "") for r in _read_rows(path)}
        except (UnicodeDecodeError, csv.Error):
            continue
        for ind in ids:
            if ind in defined:
                raise InputProblem(f"indicator id '{ind}' is already defined in {path}: give the import another "
                                   f"id with --id, or import into that package with --package {folder.name}")


def merge_indicator(old: dict, new: dict, explicit: set[str]) -> dict:
    """A re-imported indicator: descriptive fields from the existing row (unless given as flags), the rest new."""
    out = dict(new)
    for name in KEPT_ON_REIMPORT:
        if name not in explicit and (old.get(name) or "").strip():
            out[name] = old[name]
    same_scale = _canonical([old], ["multiplier"]) == _canonical([new], ["multiplier"])
    if "unit" not in explicit and same_scale and (old.get("unit") or "").strip():
        out["unit"] = old["unit"]
    return out


def check_package(data_dir: Path, name: str, files: dict[str, str]) -> list:
    """The build's validation of the new package next to a copy of the data folder's area registry."""
    from icsite.inputs.load import Sources, read_package  # noqa: PLC0415 (pandas and friends only when writing)
    from icsite.inputs.validate import validate

    with tempfile.TemporaryDirectory(prefix="icsite-import-") as tmp:
        staged = Path(tmp) / data_dir.name
        (staged / name).mkdir(parents=True)
        areas = staged / "areas"
        areas.mkdir()
        for item in (data_dir / "areas").iterdir():
            if item.is_file():
                shutil.copy2(item, areas / item.name)
        for file_name, text in files.items():
            (staged / name / file_name).write_text(text, encoding="utf-8")
        sources = Sources(packages=[read_package(areas), read_package(staged / name)], pages=[])
        return validate(sources, staged)


def write_package(data_dir: Path, name: str, indicators: list[dict], values: list[dict], *, title: str,
                  description: str, sources: list[dict], today: date, report: Report,
                  explicit: set[str] = frozenset()) -> bool:
    """Write (or update) package `name` in `data_dir`; True when files were written, False when nothing changed.

    Other indicators of the package are kept as they are. An imported indicator's rows replace its earlier rows for
    the same periods; its rows for other periods are kept, unless the indicator was illustrative (then all its demo
    rows go). Descriptive metadata edited in indicators.csv is kept (`KEPT_ON_REIMPORT`). When the package exists and its content changes, its current version is kept as a release first
    (`icsite.datasets.releases.keep_release`, unless that version is already kept), then the files are written with the
    minor version raised and `created` set to `today`.
    """
    from icsite.core.problems import errors, format_report  # noqa: PLC0415

    folder = data_dir / name
    ids = [r["id"] for r in indicators]
    ids_elsewhere(data_dir, name, ids)
    old = read_existing(folder)

    merged_ind, kept_meta = [], []
    new_by_id = {r["id"]: r for r in indicators}
    for row in (old.indicators if old else []):
        if row.get("id") in new_by_id:
            merged_ind.append(merge_indicator(row, new_by_id.pop(row["id"]), explicit))
            kept_meta.append(row["id"])
        else:
            merged_ind.append({f: row.get(f, "") for f in INDICATOR_FIELDS})
    merged_ind += list(new_by_id.values())
    # values: other indicators' rows stay as they are; an imported indicator keeps its earlier rows for periods the
    # import does not cover (monthly files add a month), unless they were illustrative (demo values are replaced)
    demo = {r["id"] for r in (old.indicators if old else [])
            if r.get("id") in set(ids) and (r.get("illustrative") or "").strip().lower() == "true"}
    imported = {(v["indicator_id"], v["period"]) for v in values}
    others, earlier, replaced_demo = [], [], Counter()
    for r in (old.values if old else []):
        row = {f: r.get(f, "") for f in VALUE_FIELDS}
        if row["indicator_id"] not in set(ids):
            others.append(row)
        elif row["indicator_id"] in demo:
            replaced_demo[row["indicator_id"]] += 1
        elif (row["indicator_id"], row["period"]) not in imported:
            earlier.append(row)
    order = {ind: i for i, ind in enumerate(ids)}
    merged_val = others + sorted(earlier + values, key=lambda v: (order[v["indicator_id"]], v["area_code"],
                                                                   v["period_start"], v["period_end"], v["period"]))
    if earlier:
        report.details.append(f"Kept {len(earlier)} earlier value row(s) of the imported indicator(s) for periods "
                              "this import does not cover")
    for ind, n in sorted(replaced_demo.items()):
        report.details.append(f"Replaced all {n} illustrative value row(s) of {ind}: real values are not mixed "
                              "with demo values")
    if old:
        untouched = [r["id"] for r in merged_ind if r["id"] not in set(ids)]
        if untouched:
            report.details.append(f"Kept unchanged: {len(untouched)} other indicator(s) of the package "
                                  f"({', '.join(untouched)})")
        if kept_meta:
            report.details.append(f"Kept from the existing indicators.csv for {', '.join(kept_meta)}: "
                                  + ", ".join(KEPT_ON_REIMPORT + ["unit"]) + " (unless given as flags)")

    if old and _canonical(merged_ind, INDICATOR_FIELDS) == _canonical(old.indicators, INDICATOR_FIELDS) \
            and _canonical(merged_val, VALUE_FIELDS) == _canonical(old.values, VALUE_FIELDS):
        version = old.descriptor.get("version", "")
        report.outcome.append(f"No change: {folder} already holds these values (version {version}); "
                              "nothing was written.")
        return False

    if old:
        descriptor = dict(old.descriptor)
        version = bump_minor(str(descriptor.get("version", "")))
        known = {s.get("title") for s in descriptor.get("sources", []) if isinstance(s, dict)}
        descriptor["sources"] = list(descriptor.get("sources", [])) + [s for s in sources
                                                                       if s["title"] not in known]
        if "illustrative" in descriptor:
            descriptor["illustrative"] = any(r["illustrative"].strip().lower() == "true" for r in merged_ind)
    else:
        version = "1.0.0"
        descriptor = indicator_package(name, title, description, sources, version=version, created="",
                                       illustrative=False)
    descriptor["version"] = version
    descriptor["created"] = f"{today.isoformat()}T00:00:00Z"
    descriptor["resources"] = indicator_package(name, "", "", [], version=version, created="",
                                                illustrative=False)["resources"]
    files = {"indicators.csv": csv_text(INDICATOR_FIELDS, merged_ind),
             "values.csv": csv_text(VALUE_FIELDS, merged_val),
             "datapackage.json": json_text(descriptor)}

    problems = check_package(data_dir, name, files)
    if errors(problems):
        raise InputProblem(report.render() + "\nThe imported package would not pass the check:\n"
                           + format_report(problems) + "Nothing was written.")
    warnings = Counter(p.code for p in problems)
    report.details.append("Check: no errors" + (
        "; warnings: " + ", ".join(f"{code} x{n}" for code, n in sorted(warnings.items()))
        + " (python build.py --check shows them)" if warnings else "; no warnings"))

    if old:
        old_version = str(old.descriptor.get("version", ""))
        if (folder / "releases" / old_version).exists():
            report.outcome.append(f"Version {old_version} was already kept in {folder / 'releases' / old_version}.")
        else:
            from icsite.core.config import load_config  # noqa: PLC0415
            from icsite.datasets.releases import ReleaseRefused, keep_release

            config, _ = load_config(data_dir=data_dir)
            try:
                kept = keep_release(config, str(old.descriptor.get("name") or name))
            except ReleaseRefused as refused:
                raise InputProblem(f"cannot keep version {old_version} of {name} as a release before updating it: "
                                   f"{refused}", status=refused.status) from None
            report.outcome.append(f"Kept version {old_version} in {kept}.")
    folder.mkdir(parents=True, exist_ok=True)
    for file_name in ("indicators.csv", "values.csv", "datapackage.json"):
        staging = folder / f".{file_name}.new"
        staging.write_text(files[file_name], encoding="utf-8", newline="")
        os.replace(staging, folder / file_name)
    report.outcome.append(f"Wrote {folder}: version {version}, created {today.isoformat()}, "
                          f"{len(merged_ind)} indicator(s), {len(merged_val)} value row(s).")
    return True
