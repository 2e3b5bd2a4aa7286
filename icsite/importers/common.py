"""What the importers share: the problems that stop an import (`InputProblem`, `Refused`), the standard's allowed
values, and reading an input safely (the limits, and the refusals of a malformed CSV). The rest they share has a
module each: `cells` (numbers, periods, titles), `registry` (the area registry and how a source row is placed on
it), `report` (the import report) and `package` (writing the indicator package).

An input is refused before anything is imported (`Refused`, exit status 1, nothing written) when it is not a
regular file, is over a limit (`MAX_FILE_BYTES`, `MAX_LINE_BYTES`, `MAX_COLUMNS`), is not well-formed CSV with one
row per line (an unbalanced or misplaced quote, a row with more or fewer cells than the header), or repeats a row's
key. Each problem is located (file, row = line of the file, field) with what was expected and a hint
(`INPUT_CODES`), in the build's report format (`icsite.core.problems.format_report`); a cell or line is quoted at most
`QUOTE_CHARS` long.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable, Hashable, Iterable, Iterator
from pathlib import Path

from icsite.core.problems import Problem, clip, format_report
from icsite.core.standard import INDICATOR_SCHEMA, VALUE_SCHEMA
from icsite.importers.report import RowRef
from icsite.inputs.guard import Refused as FileRefused, open_checked

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
    refused at once, by the build's own rule: `guard.open_checked`), one over `MAX_FILE_BYTES` is refused before it
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


def refuse_duplicates(keyed: Iterable[tuple[Hashable, RowRef]], what: Callable[[Hashable], str]) -> None:
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


def read_rows(path: Path) -> list[dict]:
    """A CSV file of the data folder (the area registry, an existing package) as one dict a row."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))
