"""Chart specs (and other JSON a page embeds) as compact, stable text, safe inside a <script> element. No I/O.

A spec's named data sets (`datasets`: lists of records) are written as CSV text, which Vega-Lite reads with the
spec's `format` (`{"type": "csv", "parse": {...}}`): each key is written once, in the header, not on every row,
which makes the specs about half the size. The parse restores what JSON carried: numbers as numbers, and a
missing or empty text as null (so `isValid` tests are unchanged); other text stays text.
"""

from __future__ import annotations

import csv
import io
import json


def _rounded(node):
    """`node` with every float written to 10 significant digits at most (containers copied, other leaves kept).

    Written out for speed: a site's specs hold millions of values, most of them in lists of small dicts.
    """
    kind = type(node)  # exact types first
    if kind is dict:
        out = {}
        for key, value in node.items():
            kind = type(value)
            if kind is float:
                out[key] = float(f"{value:.10g}")
            elif kind is str or kind is int or kind is bool or value is None:
                out[key] = value
            else:
                out[key] = _rounded(value)
        return out
    if kind is list or kind is tuple:
        return [_rounded(value) for value in node]
    return float(f"{node:.10g}") if isinstance(node, float) else node


def csv_data(rows: list[dict]) -> tuple[str, dict]:
    """Records as CSV text (columns in name order) and the Vega-Lite `parse` that reads them back as they were.

    A column of numbers parses as numbers; a text column with a missing or empty cell parses as text, which makes
    the empty cells null (as a missing key or null was), and so does a column with no value at all. A column that
    mixes numbers, text or booleans is refused.
    """
    columns = sorted({key for row in rows for key in row})
    parse = {}
    for column in columns:
        kinds = {type(row[column]) for row in rows if row.get(column) is not None}
        if kinds <= {int, float} and kinds:
            parse[column] = "number"
        elif kinds == {str}:
            if any(not row.get(column) for row in rows):
                parse[column] = "string"
        elif not kinds:  # every cell missing: null, as text parsed (unparsed, Vega would read "" as a value: 0)
            parse[column] = "string"
        elif kinds:
            raise ValueError(f"chart data column {column!r} mixes {sorted(k.__name__ for k in kinds)}: "
                             "write it as one type")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if (v := row.get(c)) is None else (f"{v:.10g}" if type(v) is float else v) for c in columns])
    return out.getvalue(), parse


def inline_csv(spec: dict) -> dict:
    """The spec with each named data set of records written as CSV text (see the module's docstring).

    The text stays in `datasets`, under its name; every reference to it (`{"name": ...}` under a `data` key)
    gains the `format` that reads it.
    """
    datasets = spec.get("datasets")
    if not isinstance(datasets, dict) or not datasets:
        return spec
    formats, texts = {}, {}
    for name, rows in datasets.items():
        if isinstance(rows, list) and all(type(r) is dict for r in rows):
            texts[name], parse = csv_data(rows)
            formats[name] = {"type": "csv", "parse": parse}
        else:
            texts[name] = rows

    def refer(node):
        if type(node) is dict:
            out = {}
            for key, value in node.items():
                if key == "data" and type(value) is dict and value.get("name") in formats and "values" not in value:
                    out[key] = dict(value, format=formats[value["name"]])
                elif key != "datasets":
                    out[key] = refer(value)
            return out
        if type(node) is list:
            return [refer(value) for value in node]
        return node

    return dict(refer(spec), datasets=texts)


def spec_json(spec: dict) -> str:
    """A spec as compact, stable JSON that is safe inside a <script type="application/json"> element.

    Every float is written to 10 significant digits at most: a safety net under the charts' own rounding, so that
    the last digits of a computation (which differ between library versions) never reach the spec. Named data
    sets are written as CSV text (`inline_csv`).
    """
    text = json.dumps(_rounded(inline_csv(spec)), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
