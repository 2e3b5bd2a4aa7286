"""Releases, "what changed", checksums, spreadsheets, feeds and metadata, on a fixture pair of releases.

Version 1.0.0 is the small fixture site, kept with `build.py release`; version 1.1.0 revises one value (far enough
to change its comparison with England), adds a new period and gives a text cell that starts like a formula.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import xml.etree.ElementTree as ET
from datetime import date, datetime
from pathlib import Path

import pytest

import build

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "site-small"
PACKAGE = "urgent-care-sample"
REVISED = ("ae_4hr", "E54000032", "May 2026")
ATOM = "{http://www.w3.org/2005/Atom}"


def read_rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_rows(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("releases")
    data = root / "datapackages"
    shutil.copytree(FIXTURE / "datapackages", data)
    assert build.main(["release", PACKAGE, "--data", str(data)]) == 0
    kept = data / PACKAGE / "releases" / "1.0.0"
    old_comparison = {(r["indicator_id"], r["area_code"], r["period"]): r["compared_to_england"]
                      for r in read_rows(kept / "comparisons.csv")}[REVISED]
    assert build.main(["release", PACKAGE, "--data", str(data)]) == 1  # a release is never overwritten

    values = data / PACKAGE / "values.csv"
    rows = read_rows(values)
    for r in rows:
        if (r["indicator_id"], r["area_code"], r["period"]) == REVISED:
            old_value = float(r["value"])
            r["numerator"] = str(round(int(r["denominator"]) * 0.9))
            r["value"] = str(round(int(r["numerator"]) / int(r["denominator"]) * 100, 4))
            r["lower_ci"] = r["upper_ci"] = ""  # the site computes the interval from the counts
            r["note"] = "=HYPERLINK(\"http://example.com\")"  # must stay text everywhere
            new_value = float(r["value"])
    june = [dict(r) for r in rows if r["indicator_id"] == "ae_4hr" and r["period"] == "Jun 2026"]
    for r in june:
        r.update(period="Jul 2026", period_start="2026-07-01", period_end="2026-07-31")
    write_rows(values, rows + june)
    descriptor = json.loads((data / PACKAGE / "datapackage.json").read_text(encoding="utf-8"))
    descriptor.update(version="1.1.0", created="2026-12-01T00:00:00Z")
    (data / PACKAGE / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")

    site = root / "site"
    assert build.main(["--data", str(data), "--content", str(FIXTURE / "content"), "--out", str(site),
                       "--base-url", "https://example.org/ics-outcomes/", "--quiet"]) == 0
    return {"site": site, "old_value": old_value, "new_value": new_value, "old_comparison": old_comparison,
            "june_rows": len(june)}


def test_what_changed_lists_the_new_period_the_revision_and_the_changed_comparison(two_releases):
    site = two_releases["site"]
    changes = json.loads((site / "data" / PACKAGE / "1.1.0" / "changes.json").read_text(encoding="utf-8"))
    assert changes["previous_version"] == "1.0.0" and changes["version"] == "1.1.0"
    assert changes["new_periods"] == [{"indicator_id": "ae_4hr", "period": "Jul 2026"}]
    assert changes["revised_values"] == [{"indicator_id": "ae_4hr", "area_code": "E54000032", "period": "May 2026",
                                          "old_value": two_releases["old_value"],
                                          "new_value": two_releases["new_value"]}]
    assert two_releases["old_comparison"] != "Better"
    assert changes["changed_comparisons"] == [{"indicator_id": "ae_4hr", "area_code": "E54000032",
                                               "period": "May 2026", "old": two_releases["old_comparison"],
                                               "new": "Better"}]
    assert changes["summary"]["new_values"] == two_releases["june_rows"]
    assert changes["summary"]["withdrawn_values"] == 0
    # the page says the same, in words and tables, at the version's address; latest/ leads there
    html = (site / "data" / PACKAGE / "1.1.0" / "index.html").read_text(encoding="utf-8")
    assert "Since version 1.0.0: 1 new period(s) of an indicator" in html and "1 revised value(s)" in html
    assert "<caption>Revised values</caption>" in html and "<caption>Changed comparisons with England</caption>" in html
    assert f"<td>{two_releases['old_comparison']}</td><td>Better</td>" in html.replace('role="cell" ', "").replace(
        ' data-label="Was"', "").replace(' data-label="Now"', "")
    latest = (site / "data" / PACKAGE / "latest" / "index.html").read_text(encoding="utf-8")
    assert '<meta http-equiv="refresh" content="0; url=../1.1.0/">' in latest and '<a href="../1.1.0/">' in latest
    first = (site / "data" / PACKAGE / "1.0.0" / "index.html").read_text(encoding="utf-8")
    assert "first release" in first and not (site / "data" / PACKAGE / "1.0.0" / "changes.json").exists()
    # the kept release is published as it was
    assert (site / "data" / PACKAGE / "1.0.0" / "values.csv").read_bytes() == (
        FIXTURE / "datapackages" / PACKAGE / "values.csv").read_bytes()


def test_checksums_match_every_release_file(two_releases):
    folders = [p.parent for p in two_releases["site"].rglob("SHA256SUMS")]
    assert len(folders) >= 3 and not [f for f in folders if f.name == "latest"]  # areas 1.0.0, the sample 1.0.0, 1.1.0
    for folder in folders:
        listed = dict(line.split("  ", 1)[::-1] for line in (folder / "SHA256SUMS").read_text().splitlines())
        on_disk = {p.name for p in folder.iterdir() if p.is_file()} - {"SHA256SUMS", "index.html"}
        assert set(listed) == on_disk, folder
        for name, digest in listed.items():
            assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, folder / name


def test_every_published_datapackage_is_valid(two_releases):
    from frictionless import validate

    descriptors = sorted(two_releases["site"].rglob("datapackage.json"))
    assert len(descriptors) >= 3
    for descriptor in descriptors:
        report = validate(str(descriptor))
        assert report.valid, (descriptor, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5])


def xlsx_rows(data: bytes, sheet: str | None = None) -> list[list]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formula in {ws.title}!{cell.coordinate}: {cell.value}"
    ws = book[sheet] if sheet else book.worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def same(cell, text: str) -> bool:
    """An XLSX cell holds the CSV's value: text as text, numbers as numbers, dates as dates, empty as empty."""
    if cell is None:
        return text == ""
    if isinstance(cell, (datetime, date)):
        return cell.strftime("%Y-%m-%d") == text
    if isinstance(cell, bool):
        return str(cell).lower() == text.lower()
    if isinstance(cell, (int, float)):
        return text != "" and float(text) == pytest.approx(float(cell), abs=1e-9)
    return cell == text


def test_every_workbook_has_the_values_of_its_csv_and_no_formula(two_releases):
    site = two_releases["site"]
    checked = 0
    for book in sorted(site.rglob("*.xlsx")):
        if book.parent.parent.name == "data" or book.parent.parent.parent.name == "data":  # a release folder
            descriptor = json.loads((book.parent / "datapackage.json").read_text(encoding="utf-8"))
            pairs = [(res["name"], book.parent / res["path"]) for res in descriptor["resources"]]
        else:  # an indicator's or an ICS's extract, beside its CSV
            pairs = [("Values", book.with_suffix(".csv"))]
        for sheet, csv_file in pairs:
            rows = xlsx_rows(book.read_bytes(), sheet)
            with open(csv_file, newline="", encoding="utf-8") as f:
                expected = list(csv.reader(f))
            assert rows[0] == expected[0], book
            assert len(rows) == len(expected), book
            for got, want in zip(rows[1:], expected[1:]):
                assert all(same(c, t) for c, t in zip(got, want)), (book, got, want)
            checked += 1
    assert checked >= 10
    # the formula-like note stays text: in the package workbook and CSV, and in the indicator extract
    notes = [r for r in xlsx_rows((site / "data" / PACKAGE / "1.1.0" / f"{PACKAGE}.xlsx").read_bytes(), "values")
             if r[0] == "ae_4hr" and r[2] == "May 2026" and r[1] == "E54000032"]
    assert notes[0][-1] == "'=HYPERLINK(\"http://example.com\")"


def test_feeds_are_atom_with_the_releases(two_releases):
    site = two_releases["site"]
    feed = ET.parse(site / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{required}") is not None
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text.rsplit(" ", 1)[-1] for e in entries][0] == "1.1.0"  # newest first
    for e in entries:
        assert e.find(f"{ATOM}id").text and e.find(f"{ATOM}updated").text.endswith("Z")
        assert e.find(f"{ATOM}link").get("href").startswith("https://example.org/ics-outcomes/data/")
    kent = ET.parse(site / "ics" / "kent-and-medway" / "feed.xml").getroot()
    summary = kent.find(f"{ATOM}entry").find(f"{ATOM}summary").text
    assert summary.startswith("1 new value(s), 1 revised value(s) and 1 changed comparison(s) with England for Kent")


def test_data_set_pages_carry_schema_org_dataset_metadata(two_releases):
    import re

    html = (two_releases["site"] / "data" / PACKAGE / "index.html").read_text(encoding="utf-8")
    (raw,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, flags=re.S)
    meta = json.loads(raw)
    assert meta["@type"] == "Dataset" and meta["@context"] == "https://schema.org"
    for key in ("name", "description", "license", "creator", "temporalCoverage", "spatialCoverage", "distribution",
                "version"):
        assert meta[key], key
    assert meta["version"] == "1.1.0" and meta["temporalCoverage"].count("/") == 1
    kinds = {d["encodingFormat"] for d in meta["distribution"]}
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert {"text/csv", "application/json", xlsx} <= kinds
    assert all(d["contentUrl"].startswith("https://example.org/ics-outcomes/data/") for d in meta["distribution"])


def test_sitemap_robots_open_graph_and_404(two_releases):
    site = two_releases["site"]
    urls = [u.text for u in ET.parse(site / "sitemap.xml").getroot().iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    folders = {p.parent.relative_to(site).as_posix() for p in site.rglob("index.html")}
    pages = {"https://example.org/ics-outcomes/" + ("" if f == "." else f + "/") for f in folders}
    assert "https://example.org/ics-outcomes/" in urls and len(urls) == len(set(urls))
    assert set(urls) <= pages and "https://example.org/ics-outcomes/data/urgent-care-sample/1.0.0/" in urls
    assert "Sitemap: https://example.org/ics-outcomes/sitemap.xml" in (site / "robots.txt").read_text()
    page = (site / "indicators" / "ae-4hr" / "index.html").read_text(encoding="utf-8")
    assert '<meta property="og:image" content="https://example.org/ics-outcomes/indicators/ae-4hr/ranked.png">' in page
    missing = (site / "404.html").read_text(encoding="utf-8")
    assert 'href="/ics-outcomes/ics/"' in missing and 'href="/ics-outcomes/assets/style.css"' in missing


def test_api_files_list_every_area_and_indicator(two_releases):
    api = two_releases["site"] / "api" / "v1"
    areas = json.loads((api / "areas.json").read_text(encoding="utf-8"))["areas"]
    indicators = json.loads((api / "indicators.json").read_text(encoding="utf-8"))["indicators"]
    for item in areas + indicators:
        table = json.loads((two_releases["site"] / item.get("values", item.get("latest"))).read_text(encoding="utf-8"))
        assert table["rows"] and table["meta"]["licence"].startswith("Open Government Licence")
        assert all(len(row) == len(table["columns"]) for row in table["rows"])
    # an indicator's file has every area and period; an area's, one row per indicator: its latest value
    every = json.loads((two_releases["site"] / indicators[0]["values"]).read_text(encoding="utf-8"))
    assert len({(r[1], r[4]) for r in every["rows"]}) == len(every["rows"]) > len(areas)
    kent = next(a for a in areas if a["profile"] == "ics/kent-and-medway/")
    now = json.loads((two_releases["site"] / kent["latest"]).read_text(encoding="utf-8"))
    ids = [row[now["columns"].index("indicator_id")] for row in now["rows"]]
    assert len(ids) == len(set(ids)) and "Jul 2026" in [row[now["columns"].index("period")] for row in now["rows"]]
    releases = json.loads((api / "releases.json").read_text(encoding="utf-8"))["releases"]
    assert [(r["package"], r["version"]) for r in releases][0] == (PACKAGE, "1.1.0")


def test_each_data_set_is_published_once_and_every_value_is_in_the_api(two_releases):
    site = two_releases["site"]
    assert not list(site.rglob("*.zip"))  # no zip copies of folders that are published anyway
    for latest in site.glob("data/*/latest"):
        assert [p.name for p in latest.iterdir()] == ["index.html"], latest  # a page that leads on, not a copy
    assert not (site / "data" / PACKAGE / "1.1.0" / f"{PACKAGE}.json").exists()  # the CSV files are the data
    assert not (site / "data" / "comparisons.csv").exists()  # the indicators' API files hold every computed value
    everything = set()
    for ind in json.loads((site / "api" / "v1" / "indicators.json").read_text(encoding="utf-8"))["indicators"]:
        table = json.loads((site / ind["values"]).read_text(encoding="utf-8"))
        assert "indicator_id" not in table["columns"] and "peer_group" not in table["columns"]  # said once: meta
        at = [table["columns"].index(c) for c in ("area_code", "period")]
        everything |= {(table["meta"]["indicator_id"], *(row[i] for i in at)) for row in table["rows"]}
    values = list(csv.DictReader(io.StringIO((site / "data" / PACKAGE / "1.1.0" / "values.csv").read_text("utf-8"))))
    areas = json.loads((site / "api" / "v1" / "areas.json").read_text(encoding="utf-8"))["areas"]
    assert all(isinstance(a["peer_group"], str) for a in areas)  # the one home of each area's peer group
    assert {(r["indicator_id"], r["area_code"], r["period"]) for r in values} <= everything
