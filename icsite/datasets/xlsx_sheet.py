"""One worksheet of a workbook (see xlsx.py): its cells (text, numbers, dates, booleans), columns and XML."""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Mapping, Sequence

MAX_TEXT = 32_767  # the most characters one Excel cell holds
MAX_SHEET_NAME = 31
MIN_WIDTH, MAX_WIDTH = 10, 60
WIDTH_SAMPLE = 200  # rows looked at when setting column widths
COLUMN_KINDS = ("auto", "text", "date", "datetime")

# Styles, the indexes of cellXfs in styles.xml.
HEADER_STYLE, DATE_STYLE, DATETIME_STYLE = 1, 2, 3

_EPOCH = dt.date(1899, 12, 30).toordinal()  # Excel's day 0 (in the 1900 date system, counting its 29 Feb 1900)
_ILLEGAL_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Characters a text needs more than copying for: illegal in XML, to escape (&<>"), or a CR (see _text_cell).
_NEEDS_CARE = re.compile("[^\t\n\x20\x21\x23-\x25\x27-\x3b\x3d\x3f-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SHEET_NAME_DROP = re.compile(r"[\x00-\x1f\[\]:*?/\\]")
# Excel reads _xHHHH_ in text as the character HHHH, so a literal one has its underscore written as _x005F_.
_EXCEL_ESCAPE = re.compile("_(?=x[0-9A-Fa-f]{4}_)")

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


class _DateTime(dt.datetime):
    """A datetime always shown with date and time (from a column declared "datetime"), even at midnight."""


def column_letter(index: int) -> str:
    """The letters of a 0-based column index: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def clean_text(value: str) -> str:
    """Text as one cell can hold it: without the characters XML 1.0 forbids, and at most 32,767 characters long."""
    if _ILLEGAL_XML.search(value):
        value = _ILLEGAL_XML.sub("", value)
    if len(value) > MAX_TEXT // 2:
        value = value[:MAX_TEXT]
        # Excel counts UTF-16 units, in which a character beyond U+FFFF (an emoji, say) takes two: dropping as many
        # characters as there are units too many is always enough.
        excess = len(value.encode("utf-16-le")) // 2 - MAX_TEXT
        if excess > 0:
            value = value[:len(value) - excess]
    return value


def _text_cell(value: str) -> str:
    """The rest of a text cell after its reference (` t="inlineStr">...</c>`), or "" for an empty cell."""
    value = clean_text(value)
    if not value:
        return ""
    value = xml_attr(value)  # quotes too, so no attribute-like text (t="str") appears in the XML even as text
    if "\r" in value:
        value = value.replace("\r", "&#13;")  # a bare CR would be read back as a line feed
    if "_x" in value:
        value = _EXCEL_ESCAPE.sub("_x005F_", value)
    return f' t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'


def _date_cell(value: dt.date) -> str:
    """The rest of a date cell, or a text cell for a date before 1900, which Excel cannot show."""
    serial = _serial_day(value)
    if serial is None:
        return _text_cell(value.isoformat())
    return f' s="{DATE_STYLE}"><v>{serial}</v></c>'


def _datetime_cell(value: dt.datetime) -> str:
    """The rest of a datetime cell (its wall-clock time; a time zone is ignored), shown as a date if at midnight."""
    serial = _serial_day(value)
    if serial is None:
        return _text_cell(value.replace(tzinfo=None).isoformat(sep=" "))
    seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    if not seconds and type(value) is not _DateTime:
        return f' s="{DATE_STYLE}"><v>{serial}</v></c>'
    return f' s="{DATETIME_STYLE}"><v>{serial + seconds / 86400!r}</v></c>'


def _serial_day(value: dt.date) -> int | None:
    """Excel's serial number of a day, or None before 1900 (Excel counts a 29 Feb 1900, so earlier days shift)."""
    days = value.toordinal() - _EPOCH
    if days > 60:
        return days
    return days - 1 if days >= 2 else None


def _other_cell(value) -> str:
    """The rest of a cell for a value of any type not handled inline, or "" for an empty cell."""
    if value is None or _is_missing(value):
        return ""
    kind = type(value)
    if isinstance(value, bool) or (kind.__module__ == "numpy" and kind.__name__ in ("bool_", "bool")):
        return f' t="b"><v>{1 if value else 0}</v></c>'
    if isinstance(value, dt.datetime):
        return _datetime_cell(value)
    if isinstance(value, dt.date):
        return _date_cell(value)
    if isinstance(value, str):
        return _text_cell(str.__str__(value))
    if kind.__name__ == "datetime64":  # numpy; NaT was caught as missing above
        as_python = value.astype("datetime64[us]").item()
        return _other_cell(as_python) if isinstance(as_python, dt.date) else _text_cell(str(value))
    if hasattr(kind, "__index__"):
        return f"><v>{operator.index(value)}</v></c>"
    if hasattr(kind, "__float__"):
        number = float(value)
        return f"><v>{number!r}</v></c>" if number - number == 0.0 else ""
    return _text_cell(str(value))


def _is_missing(value) -> bool:
    """Whether a value is missing: not equal to itself (NaN, NaT), or with a missing comparison (pandas.NA)."""
    try:
        return bool(value != value)  # noqa: PLR0124 (NaN is the one value not equal to itself)
    except TypeError:
        return True
    except ValueError:  # an array, say: not missing, written as its text
        return False


def sheet_names(names: Sequence) -> list[str]:
    """Valid sheet names: without []:*?/\\ or control characters, 31 characters at most, not empty, unique."""
    used = {"history"}  # Excel reserves it
    out = []
    for i, name in enumerate(names, 1):
        base = _SHEET_NAME_DROP.sub("", _ILLEGAL_XML.sub("", "" if name is None else str(name)))
        base = base.strip().strip("'")[:MAX_SHEET_NAME].strip().strip("'") or f"Sheet{i}"
        candidate, n = base, 2
        while candidate.casefold() in used:
            suffix = f" ({n})"
            candidate = base[:MAX_SHEET_NAME - len(suffix)].rstrip() + suffix
            n += 1
        used.add(candidate.casefold())
        out.append(candidate)
    return out


def column_kinds(sheets: Sequence, column_types: Mapping[str, Mapping[str, str]]) -> list[list[str] | None]:
    """For each sheet, its columns' declared kinds (None when all are "auto"), checking the names and kinds."""
    given = [name for name, _, _ in sheets]
    unknown = set(column_types) - set(given)
    if unknown:
        raise ValueError(f"column_types names sheets that are not given: {sorted(unknown)}")
    out: list[list[str] | None] = []
    for name, header, _ in sheets:
        declared = column_types.get(name, {})
        missing = set(declared) - set(header)
        if missing:
            raise ValueError(f"column_types for sheet {name!r} names columns not in its header: {sorted(missing)}")
        bad = {kind for kind in declared.values() if kind not in COLUMN_KINDS}
        if bad:
            raise ValueError(f"unknown column kinds {sorted(bad)}; use one of {COLUMN_KINDS}")
        kinds = [declared.get(h, "auto") for h in header]
        out.append(kinds if any(kind != "auto" for kind in kinds) else None)
    return out


def _coerce(value, kind: str):
    """A value changed to suit its column's declared kind (values of other types are left alone)."""
    if kind == "auto" or value is None or _is_missing(value):
        return value
    if kind == "text":
        if isinstance(value, dt.datetime):
            return value.isoformat(sep=" ")
        return value if type(value) is str else str(value)
    if type(value).__name__ == "datetime64":
        value = value.astype("datetime64[us]").item()
    if kind == "date" and isinstance(value, dt.datetime):
        return value.date()
    if kind == "datetime" and isinstance(value, dt.date):
        if not isinstance(value, dt.datetime):
            return _DateTime(value.year, value.month, value.day)
        return _DateTime(value.year, value.month, value.day, value.hour, value.minute, value.second,
                         value.microsecond)
    return value


def _width(value) -> int:
    """Roughly how many characters a value takes on screen."""
    kind = type(value)
    if kind is str:
        return len(value)
    if value is None or kind is bool:
        return 5
    if isinstance(value, dt.datetime):
        return 19
    if isinstance(value, dt.date):
        return 10
    if kind is float:
        return min(len(repr(value)), 12)
    return min(len(str(value)), 15)


def worksheet_xml(header: Sequence, rows: Sequence[Sequence], kinds: list[str] | None) -> str:
    """The XML of one worksheet: a bold header row, frozen, then the rows."""
    header = ["" if h is None else str(h) for h in header]
    if kinds is not None:
        rows = [[_coerce(v, k) for v, k in zip(row, kinds)] + list(row[len(kinds):]) for row in rows]
    elif not isinstance(rows, (list, tuple)):
        rows = list(rows)
    ncols = max(len(header), max(map(len, rows), default=0))
    letters = [column_letter(i) for i in range(ncols)]
    nrows = len(rows) + 1

    widths = [len(h) + 1 for h in header] + [0] * (ncols - len(header))  # +1: the header is bold
    for row in rows[:WIDTH_SAMPLE]:
        for j, v in enumerate(row):
            widths[j] = max(widths[j], _width(v))

    out = [XML_DECL, f'<worksheet xmlns="{MAIN}" xmlns:r="{DOC_REL}">']
    out.append(f'<dimension ref="A1:{letters[-1]}{nrows}"/>' if ncols else '<dimension ref="A1"/>')
    if header:
        out.append('<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
                   'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>')
    else:
        out.append('<sheetViews><sheetView workbookViewId="0"/></sheetViews>')
    out.append('<sheetFormatPr defaultRowHeight="15"/>')
    if ncols:
        out.append("<cols>")
        out.extend(f'<col min="{j}" max="{j}" width="{min(MAX_WIDTH, max(MIN_WIDTH, w + 2))}" customWidth="1"/>'
                   for j, w in enumerate(widths, 1))
        out.append("</cols>")
    out.append("<sheetData>")
    out.append('<row r="1">')
    for letter, h in zip(letters, header):
        tail = _text_cell(h)
        if tail:
            out.append(f'<c r="{letter}1" s="{HEADER_STYLE}"{tail}')
    out.append("</row>")

    # The hot loop: the common types inline (text needing no escaping too), the rest through one call each. (A cache
    # of each text's XML was tried: hashing every new text cost more than it saved on repeated ones.)
    append = out.append
    str_, float_, int_, date_, datetime_ = str, float, int, dt.date, dt.datetime
    date_style = f' s="{DATE_STYLE}"><v>'
    text_start = ' t="inlineStr"><is><t xml:space="preserve">'
    needs_care = _NEEDS_CARE.search
    for r, row in enumerate(rows, 2):
        r = str(r)
        append(f'<row r="{r}">')
        for letter, v in zip(letters, row):
            kind = type(v)
            if kind is str_:
                if needs_care(v) is None and "_x" not in v and 0 < len(v) <= MAX_TEXT // 2:
                    append(f'<c r="{letter}{r}"{text_start}{v}</t></is></c>')
                else:
                    tail = _text_cell(v)
                    if tail:
                        append(f'<c r="{letter}{r}"{tail}')
            elif kind is float_:
                if v - v == 0.0:  # neither NaN nor infinite
                    append(f'<c r="{letter}{r}"><v>{v!r}</v></c>')
            elif kind is int_:
                append(f'<c r="{letter}{r}"><v>{v}</v></c>')
            elif v is None:
                pass
            elif kind is date_ and v.toordinal() - _EPOCH > 60:
                append(f'<c r="{letter}{r}"{date_style}{v.toordinal() - _EPOCH}</v></c>')
            elif kind is datetime_:
                append(f'<c r="{letter}{r}"{_datetime_cell(v)}')
            else:
                tail = _other_cell(v)
                if tail:
                    append(f'<c r="{letter}{r}"{tail}')
        append("</row>")
    append("</sheetData></worksheet>")
    return "".join(out)


def xml_attr(value: str) -> str:
    """Text escaped for an XML attribute."""
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;"))
