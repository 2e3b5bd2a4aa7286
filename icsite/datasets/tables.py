"""Downloadable tables of values with every computed column (CSV and JSON), safe to open in a spreadsheet. Pure.

Text cells that a spreadsheet would read as a formula (starting with =, +, -, @, a tab or a carriage return) are
prefixed with an apostrophe, the usual defence against formula injection; numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
import json

import pandas as pd

from icsite.compute.comparisons import PUBLISHED_COLUMNS
from icsite.core.standard import FORMULA_START

BASE_COLUMNS = ["indicator_id", "area_code", "area_name", "area_type", "period", "period_start", "period_end",
                "value", "lower_ci", "upper_ci", "numerator", "denominator", "status", "note"]
COLUMNS = BASE_COLUMNS + PUBLISHED_COLUMNS
TEXT_COLUMNS = ["indicator_id", "area_code", "area_name", "area_type", "period", "status", "note", "ci_method",
                "compared_to_england", "compared_to_england_99_8", "compared_to_target", "trend", "trend_note", "peer_group",
                "summary"]
INTEGER_COLUMNS = ["rank", "rank_of", "rank_lowest", "rank_highest"]


ORDER = ["indicator_id", "area_code", "period_start", "period_end"]  # the rows' order in every published table


def computed_table(values: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """The published columns for some value rows, sorted, with dates as ISO 8601 text and text made safe.

    Text columns are categories (each distinct text held once: a large site has millions of rows), their texts made
    safe once each; the cells are the same text as ever."""
    out = values.assign(area_name=as_category(values["area_code"]).map(names))
    out = out.sort_values(ORDER, kind="stable")
    out = out.assign(period_start=date_text(out["period_start"]), period_end=date_text(out["period_end"]))
    out = out[COLUMNS].reset_index(drop=True)
    for col in TEXT_COLUMNS:
        out[col] = safe_text(out[col])
    for col in INTEGER_COLUMNS:
        out[col] = out[col].astype("Int64")
    for col in ("small_number", "illustrative"):  # written as in the data standard: true or false
        out[col] = out[col].map({True: "true", False: "false"})
    return out


def as_category(cells: pd.Series) -> pd.Series:
    """The column as a category (as it is, if it is one)."""
    return cells if isinstance(cells.dtype, pd.CategoricalDtype) else cells.astype("category")


def date_text(dates: pd.Series) -> pd.Series:
    """Dates as YYYY-MM-DD text (missing: empty), a category: each distinct date written once."""
    codes, uniques = pd.factorize(dates, sort=True)
    texts = [d.strftime("%Y-%m-%d") for d in pd.DatetimeIndex(uniques)]
    return pd.Series(pd.Categorical.from_codes(codes, texts) if len(texts) else pd.Categorical([None] * len(dates)),
                     index=dates.index)


def safe_text(cells: pd.Series) -> pd.Series:
    """Text cells a spreadsheet will not run as formulas; missing cells become empty text. A category, each distinct
    text made safe once."""
    cells = as_category(cells)
    texts = pd.Series([str(c) for c in cells.cat.categories], dtype=object)
    texts = texts.where(~texts.str.startswith(FORMULA_START), "'" + texts)
    safe = cells.cat.rename_categories(list(texts)) if texts.is_unique else cells.astype(str).map(
        dict(zip(cells.cat.categories, texts))).astype("category")
    if "" not in safe.cat.categories:
        safe = safe.cat.add_categories([""])
    return safe.fillna("")


def number_text(numbers: pd.Series) -> pd.Series:
    """Numbers as text: up to four decimals, no trailing ".0", empty when missing (vectorised)."""
    text = numbers.astype("float64").round(4).astype(str).str.replace(r"\.0$", "", regex=True)
    return text.where(numbers.notna(), "")


def to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a header row, \n line endings and fixed number formats."""
    return csv_parts(frame, {"all": range(len(frame))})["all"]


def csv_parts(frame: pd.DataFrame, parts: dict) -> dict[object, bytes]:
    """CSV files of subsets of one table ({name: row positions}), formatting each row they hold only once (and no
    row that none holds)."""
    needed = sorted(set().union(*(set(rows) for rows in parts.values()))) if parts else []
    text = frame.iloc[needed].reset_index(drop=True)
    at = {row: i for i, row in enumerate(needed)}  # a row's position in `text`
    for col in text.columns:
        if pd.api.types.is_float_dtype(text[col]):
            text[col] = number_text(text[col])
    header = text.iloc[:0].to_csv(index=False, lineterminator="\n")
    lines = text.to_csv(index=False, header=False, lineterminator="\n").split("\n")[:-1]
    if len(lines) != len(text):  # a quoted cell holds a line break: write each part on its own
        return {name: text.iloc[[at[i] for i in rows]].to_csv(index=False, lineterminator="\n").encode("utf-8")
                for name, rows in parts.items()}
    return {name: (header + "".join(lines[at[i]] + "\n" for i in rows)).encode("utf-8")
            for name, rows in parts.items()}


def in_table_order(values: pd.DataFrame, column: str) -> pd.Series:
    """A column of the values (one not published, such as `is_latest`) in the order of `computed_table`'s rows."""
    return values.sort_values(ORDER, kind="stable")[column].reset_index(drop=True)


def to_json(frame: pd.DataFrame, meta: dict) -> bytes:
    """{"meta": ..., "columns": [names], "rows": [[cells], ...]}: numbers as numbers, missing values as null.

    A table rather than a list of records: the column names are written once, not on every row, which makes the
    file less than half the size (pandas: `pd.DataFrame(data["rows"], columns=data["columns"])`)."""
    floats = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]
    rows = frame.round({c: 4 for c in floats}).to_json(orient="values", double_precision=10, force_ascii=False)
    return ('{"meta": ' + json.dumps(meta, ensure_ascii=False, sort_keys=True) + ', "columns": '
            + json.dumps(list(frame.columns)) + ', "rows": ' + rows + "}\n").encode("utf-8")


def table_csv(columns: list[str], rows: list[list]) -> bytes:
    """A page table as CSV (links become their text), with text cells safe from spreadsheet formulas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        cells = [getattr(cell, "text", cell) for cell in row]
        writer.writerow(["'" + c if isinstance(c, str) and c.startswith(FORMULA_START) else c for c in cells])
    return buffer.getvalue().encode("utf-8")
