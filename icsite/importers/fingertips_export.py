"""The layout of an OHID Fingertips CSV export, and reading one (see fingertips.py for what becomes of its rows)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from icsite.importers.common import InputProblem, quoted, read_csv, refuse_duplicates
from icsite.importers.report import Report, RowRef, listed

COLUMNS = ["Indicator ID", "Indicator Name", "Parent Code", "Parent Name", "Area Code", "Area Name", "Area Type",
           "Sex", "Age", "Category Type", "Category", "Time period", "Value", "Lower CI 95.0 limit",
           "Upper CI 95.0 limit", "Lower CI 99.8 limit", "Upper CI 99.8 limit", "Count", "Denominator",
           "Value note", "Recent Trend", "Compared to England value or percentiles",
           "Compared to <parent> value or percentiles", "Time period Sortable", "New data", "Compared to goal"]
PARENT_COMPARISON = 22  # index of the column whose name varies (`Compared to ...`): checked by its prefix
ALSO = {22: "Column not used",  # column 23 of the API's CSV (parent area type England)
        25: "Target data"}  # column 26 of some API responses (fingertipsR renames it `Compared to goal`)
NUMBER_COLUMNS = (12, 13, 14, 15, 16, 17, 18)  # Value, the 95% and 99.8% limits, Count, Denominator
MISSING = ("NA", "NaN")  # R's missing numbers (write.csv): read as empty in the number columns
KNOWN_TRAILING = {"timeperiodrange": "Time period range"}
KEY_COLUMNS = {0: "indicator", 4: "area", 7: "sex", 8: "age", 9: "category type", 10: "category", 11: "period"}


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", (name or "").lower())


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
        ok = found is not None and (_norm(found) in {_norm(expected), _norm(ALSO.get(i, expected))}
                                    or i == PARENT_COMPARISON and _norm(found).startswith("comparedto"))
        if not ok:
            what = f"found '{quoted(found)}'" if found is not None else f"the header has only {len(header)} columns"
            if i in ALSO:
                expected += f"' or '{ALSO[i]}"
            hint = (" The first column has no name and the second is 'Indicator ID': R's write.csv adds its row "
                    "names as a first column; save the file with row.names = FALSE." if not header[0].strip()
                    and len(header) > 1 and _norm(header[1]) == "indicatorid" else "")
            raise InputProblem(f"{label}, line 1, column {i + 1}: expected '{expected}', {what}. An OHID Fingertips "
                               "export has 26 or 27 columns in this order: " + ", ".join(COLUMNS)
                               + " (and Time period range)." + hint)
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
    missing_numbers(rows, label, report)
    report.sources.add(label)
    report.rows_read += len(rows)
    return rows


def missing_numbers(rows: list[Row], label: str, report: Report) -> None:
    """`NA` and `NaN` (R's missing numbers, as its write.csv writes them) in a number column become empty cells,
    counted in the report; in any other column they are left as they are."""
    found, in_rows = Counter(), 0
    for row in rows:
        hits = [i for i in NUMBER_COLUMNS if row.cells[i].strip() in MISSING]
        for i in hits:
            found[row.cells[i].strip()] += 1
            row.cells[i] = ""
        in_rows += bool(hits)
    if found:
        report.details.append(f"{label}: {sum(found.values()):,} number cell(s) in {in_rows:,} row(s) were "
                              f"{' or '.join(found)} (R's missing number), read as empty")


def duplicate_keys(rows: list[Row]) -> None:
    """Refused when two rows (of any of the exports) have the same indicator, area, sex, age, category type,
    category and period: such rows are never merged, dropped or summed."""
    def key(row: Row) -> tuple:
        return (str(int(row[0])),) + tuple(row[i].upper() if i == 4 else row[i] for i in list(KEY_COLUMNS)[1:])

    def what(key: tuple) -> str:
        return ", ".join(f"{name} {quoted(value, 40) or '(empty)'}" for name, value in zip(KEY_COLUMNS.values(), key))
    refuse_duplicates(((key(row), row.ref) for row in rows), what)

