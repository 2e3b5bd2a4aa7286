"""The .xlsx writer: values round-trip through openpyxl, text is never a formula, and the bytes are deterministic."""

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest

from icsite.datasets.xlsx import workbook
from icsite.datasets.xlsx_sheet import MAX_TEXT, column_letter

CREATED = dt.date(2026, 11, 26)
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
FORMULA_LIKE = ["=1+1", "+44 20", "-5 apples", "@SUM(A1)", "\tTAB", "\rCR", "=HYPERLINK(\"http://x\")", "-"]


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def sheet_xml(data: bytes) -> list[str]:
    return [body.decode("utf-8") for name, body in parts(data).items() if name.startswith("xl/worksheets/")]


def one_sheet(header, rows, **kw) -> bytes:
    return workbook([("Data", header, rows)], created=CREATED, **kw)


def data_cells(wb: openpyxl.Workbook):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            yield from row


def test_values_round_trip():
    header = ["text", "int", "float", "missing", "bool", "date", "datetime"]
    rows = [
        ["alpha", 3, 1.5, None, True, dt.date(2026, 4, 1), dt.datetime(2026, 4, 1, 13, 45, 30)],
        ["beta", -7, 1.0, float("nan"), False, dt.date(1900, 3, 1), dt.datetime(2026, 4, 1)],
        ["gamma", 2**60, 1e-300, pd.NA, True, dt.date(9999, 12, 31), pd.Timestamp("2024-02-29 06:00")],
        ["", 0, -0.25, pd.NaT, False, pd.Timestamp("2025-12-31"), None],
    ]
    wb = load(workbook([("Values", header, rows), ("Second", ["a"], [["b"]])], created=CREATED))
    assert wb.sheetnames == ["Values", "Second"]
    ws = wb["Values"]
    assert [c.value for c in ws[1]] == header
    got = [[c.value for c in row] for row in ws.iter_rows(min_row=2, max_col=len(header))]
    assert got == [
        ["alpha", 3, 1.5, None, True, dt.datetime(2026, 4, 1), dt.datetime(2026, 4, 1, 13, 45, 30)],
        ["beta", -7, 1.0, None, False, dt.datetime(1900, 3, 1), dt.datetime(2026, 4, 1)],
        ["gamma", 2**60, 1e-300, None, True, dt.datetime(9999, 12, 31), dt.datetime(2024, 2, 29, 6)],
        [None, 0, -0.25, None, False, dt.datetime(2025, 12, 31), None],
    ]
    assert [type(c.value) for c in ws[2][:3]] == [str, int, float]
    assert type(ws["C3"].value) is float  # 1.0 stays a float, 2**60 stays an exact int
    assert ws["F2"].number_format == "yyyy-mm-dd"
    assert ws["G2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert ws["G3"].number_format == "yyyy-mm-dd"  # a datetime at midnight shows as a date
    assert wb["Second"]["A2"].value == "b"


def test_numpy_and_pandas_values():
    row = [np.int64(5), np.float64(2.5), np.float32(0.5), np.bool_(True), np.float64("nan"), np.datetime64("2026-01-02"),
           np.datetime64("NaT"), float("inf"), -float("inf"), np.int32(-1)]
    ws = load(one_sheet([f"c{i}" for i in range(len(row))], [row])).active
    assert [c.value for c in ws[2]] == [5, 2.5, 0.5, True, None, dt.datetime(2026, 1, 2), None, None, None, -1]
    assert type(ws["A2"].value) is int


def test_text_never_becomes_a_formula():
    data = one_sheet(["text"] + FORMULA_LIKE, [FORMULA_LIKE + ["=1+1"]] + [[t] for t in FORMULA_LIKE])
    wb = load(data)
    for cell in data_cells(wb):
        assert cell.data_type != "f", cell.coordinate
    ws = wb.active
    assert [c.value for c in ws[1]] == ["text"] + FORMULA_LIKE  # headers too
    assert [c.value for c in ws[2]] == FORMULA_LIKE + ["=1+1"]
    assert [ws.cell(row=r, column=1).value for r in range(3, 3 + len(FORMULA_LIKE))] == FORMULA_LIKE
    assert all(ws.cell(row=r, column=1).data_type == "s" for r in range(2, 3 + len(FORMULA_LIKE)))


def test_no_formula_element_or_formula_string_in_any_sheet_xml():
    data = workbook([("One", ["=A1", "b"], [[t, 1] for t in FORMULA_LIKE]),
                     ("Two", ["x"], [["<f>=1</f>"], ['t="str"'], [None], [True], [dt.date(2026, 1, 1)]])],
                    created=CREATED)
    xmls = sheet_xml(data)
    assert len(xmls) == 2
    for xml in xmls:
        assert not re.search(r"<f[\s>/]", xml)
        assert 't="str"' not in xml
        tree = ET.fromstring(xml)
        assert tree.findall(f".//{MAIN}f") == []
        assert {c.get("t") for c in tree.iter(f"{MAIN}c")} <= {None, "b", "inlineStr"}
    assert "&lt;f&gt;=1&lt;/f&gt;" in xmls[1]  # the text itself is escaped, not markup


def test_header_is_bold_and_frozen():
    ws = load(one_sheet(["a", "b"], [[1, 2]])).active
    assert ws["A1"].font.b and ws["B1"].font.b
    assert not ws["A2"].font.b
    assert ws.freeze_panes == "A2"


def test_deterministic_bytes_and_fixed_zip_entries():
    sheets = [("Data", ["a", "b", "when"], [[i, f"row {i}", dt.date(2026, 1, 1)] for i in range(500)]),
              ("Notes", ["note"], [["hello"]])]
    first = workbook(sheets, created=CREATED, title="Test")
    assert workbook(sheets, created=CREATED, title="Test") == first
    assert workbook(sheets, created=dt.date(2026, 11, 27), title="Test") != first
    with zipfile.ZipFile(io.BytesIO(first)) as zf:
        infos = zf.infolist()
    assert [i.filename for i in infos] == [
        "[Content_Types].xml", "_rels/.rels", "docProps/core.xml", "docProps/app.xml", "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"]
    for info in infos:
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.compress_type == zipfile.ZIP_DEFLATED
        assert info.external_attr >> 16 == 0o100644


def test_every_part_is_well_formed_xml_and_core_has_the_date_and_title():
    data = workbook([("A & B", ["x"], [["<&>"]])], created=CREATED, title="Outcomes & more <2026>")
    for body in parts(data).values():
        ET.fromstring(body)  # raises if not well formed
    core = parts(data)["docProps/core.xml"].decode()
    assert core.count("2026-11-26T00:00:00Z") == 2
    wb = load(data)
    assert wb.properties.title == "Outcomes & more <2026>"
    assert wb.properties.created == dt.datetime(2026, 11, 26)
    assert wb.properties.modified == dt.datetime(2026, 11, 26)
    assert wb.sheetnames == ["A & B"]


def test_dimension_and_column_widths():
    data = one_sheet(["id", "a long column header name"], [[1, "x" * 500], [2, "y"], [3]])
    xml = sheet_xml(data)[0]
    assert '<dimension ref="A1:B4"/>' in xml
    ws = load(data).active
    widths = [ws.column_dimensions[col].width for col in "AB"]
    assert widths[0] == 10 and widths[1] == 60
    assert ws["A4"].value == 3 and ws["B4"].value is None  # a short row just has fewer cells


def test_sheet_names_are_repaired_and_unique():
    names = ["a[b]:c*d?e/f\\g", "x" * 40, "x" * 40, "X" * 40, "", "   ", "Data", "data", "DATA", "'quoted'",
             "History", "tab\tname"]
    sheets = [(name, ["h"], [[i]]) for i, name in enumerate(names)]
    wb = load(workbook(sheets, created=CREATED))
    got = wb.sheetnames
    assert got == ["abcdefg", "x" * 31, "x" * 27 + " (2)", "X" * 27 + " (3)", "Sheet5", "Sheet6", "Data",
                   "data (2)", "DATA (3)", "quoted", "History (2)", "tabname"]
    assert len({n.casefold() for n in got}) == len(got)
    assert all(0 < len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in got)
    assert [wb[n]["A2"].value for n in got] == list(range(len(names)))  # each sheet keeps its own rows


def test_xml_illegal_characters_are_dropped_and_line_breaks_kept():
    text = "a\x00b\x01c\x08d\x0be\x0cf\x1fg\ufffeh\ud800i\tj\nk\rl"
    ws = load(one_sheet(["bad\x00header", "t"], [[text, "plain"]])).active
    assert ws["A1"].value == "badheader"
    assert ws["A2"].value == "abcdefghi\tj\nk\rl"


def test_long_text_is_capped():
    ws = load(one_sheet(["t", "emoji", "short"], [["z" * 40_000, "\U0001F600" * 20_000, "ok"]])).active
    assert ws["A2"].value == "z" * MAX_TEXT
    assert MAX_TEXT == 32_767
    # Excel counts UTF-16 units: an emoji takes two
    assert len(ws["B2"].value.encode("utf-16-le")) // 2 <= MAX_TEXT
    assert ws["C2"].value == "ok"


def test_excel_escape_sequences_in_text_are_protected():
    xml = sheet_xml(one_sheet(["t"], [["_x0041_ and _x0041_x0042_ and _xZZZZ_"]]))[0]
    # Excel would read _x0041_ as "A": the underscore of each such sequence is written as _x005F_
    assert "_x005F_x0041_ and _x005F_x0041_x005F_x0042_ and _xZZZZ_" in xml


def test_dates_before_march_1900():
    ws = load(one_sheet(["d"], [[dt.date(1900, 1, 1)], [dt.date(1900, 2, 28)], [dt.date(1899, 12, 31)]])).active
    assert ws["A2"].value == dt.datetime(1900, 1, 1)
    assert ws["A3"].value == dt.datetime(1900, 2, 28)
    assert ws["A4"].value == "1899-12-31"  # Excel has no dates before 1900: kept as text


def test_column_types():
    rows = [["00123", 123, dt.datetime(2026, 5, 1, 10, 30), dt.date(2026, 5, 1), 1.5, None]]
    data = workbook([("Data", ["code", "num_code", "day", "stamp", "x", "empty"], rows)], created=CREATED,
                    column_types={"Data": {"num_code": "text", "day": "date", "stamp": "datetime", "empty": "text"}})
    ws = load(data).active
    assert [c.value for c in ws[2]] == ["00123", "123", dt.datetime(2026, 5, 1), dt.datetime(2026, 5, 1), 1.5, None]
    assert ws["C2"].number_format == "yyyy-mm-dd"
    assert ws["D2"].number_format == "yyyy-mm-dd hh:mm:ss"
    with pytest.raises(ValueError, match="not given"):
        workbook([("Data", ["a"], [])], created=CREATED, column_types={"Other": {"a": "text"}})
    with pytest.raises(ValueError, match="not in its header"):
        workbook([("Data", ["a"], [])], created=CREATED, column_types={"Data": {"b": "text"}})
    with pytest.raises(ValueError, match="unknown column kinds"):
        workbook([("Data", ["a"], [])], created=CREATED, column_types={"Data": {"a": "money"}})


def test_empty_sheets():
    data = workbook([("Header only", ["a", "b"], []), ("Nothing", [], [])], created=CREATED)
    wb = load(data)
    assert [c.value for c in wb["Header only"][1]] == ["a", "b"]
    assert wb["Header only"].max_row == 1
    assert wb["Nothing"]["A1"].value is None
    assert '<dimension ref="A1:B1"/>' in sheet_xml(data)[0]


def test_a_sheet_longer_than_excel_holds_goes_on_in_another(monkeypatch):
    from icsite.datasets import xlsx

    monkeypatch.setattr(xlsx, "MAX_ROWS", 3)  # a header and two rows a sheet
    rows = [["E1", i] for i in range(5)]
    wb = load(workbook([("Values", ["code", "n"], rows), ("About", ["Item"], [["x"]])], created=CREATED,
                       column_types={"Values": {"code": "text"}}))
    assert wb.sheetnames == ["Values", "Values (2)", "Values (3)", "About"]
    parts = [[[c.value for c in row] for row in wb[name].iter_rows()] for name in wb.sheetnames[:3]]
    assert parts == [[["code", "n"], ["E1", 0], ["E1", 1]], [["code", "n"], ["E1", 2], ["E1", 3]],
                     [["code", "n"], ["E1", 4]]]
    assert xlsx.MAX_ROWS == 3 and load(workbook([("Values", ["code"], rows[:2])], created=CREATED)).sheetnames == [
        "Values"]


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702, 16383)] == [
        "A", "Z", "AA", "AZ", "BA", "ZZ", "AAA", "XFD"]
