"""One release of a data package as published at its permanent address, `data/<package>/<version>/`. Pure.

The folder holds the package as released (`datapackage.json` and its CSV files, text cells that a spreadsheet would
run as formulas prefixed), the same data as one Excel workbook (a sheet per resource and an "About" sheet with the
licence, the suggested citation and every field's definition), the machine-readable list of changes from the
release before, a README and `SHA256SUMS`. Nothing else: the CSV files and `datapackage.json` are the data set,
and every other page and file of the site links here rather than holding a copy.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from datetime import date

import pandas as pd

from icsite.core.standard import FORMULA_START
from icsite.datasets.releases import Release
from icsite.datasets.xlsx import workbook
from icsite.inputs.load import read_text_table


@dataclass
class Credit:
    """Who publishes the site and where: for citations and READMEs."""

    publisher: str
    site_title: str
    root: str  # the site's absolute address ending in "/", or "" when only a path is known


def licence_text(descriptor: dict) -> str:
    """The package's licence(s), by title, with their address."""
    parts = []
    for lic in descriptor.get("licenses", []) or []:
        title = lic.get("title") or lic.get("name") or ""
        parts.append(f"{title} ({lic['path']})" if lic.get("path") else title)
    return "; ".join(parts) or "see the publisher"


def citation(credit: Credit, descriptor: dict, version: str, released: str, path: str) -> str:
    """A suggested citation: publisher (year). Title, version V, released D. Address."""
    year = released[:4] or "n.d."
    title = descriptor.get("title") or descriptor.get("name", "")
    where = f" {credit.root}{path}" if credit.root else f" {path} on {credit.site_title}"
    return f"{credit.publisher} ({year}). {title}, version {version}, released {released}.{where}"


def typed(frame: pd.DataFrame, schema: dict) -> list[list]:
    """Rows of a CSV read as text, with each cell as its schema type: numbers, dates, booleans, text."""
    types = {f["name"]: f.get("type", "string") for f in schema.get("fields", [])}
    columns = []
    for col in frame.columns:
        cells = frame[col]
        kind = types.get(col, "string")
        if kind in ("number", "integer"):
            numbers = pd.to_numeric(cells.replace("", None), errors="coerce")
            columns.append([None if pd.isna(v) else int(v) if kind == "integer" and float(v).is_integer()
                            else float(v) for v in numbers.tolist()])
        elif kind == "date":
            days = pd.to_datetime(cells.replace("", None), errors="coerce", format="%Y-%m-%d")
            columns.append([None if pd.isna(d) else d.date() for d in days])
        elif kind == "boolean":
            columns.append([None if v == "" else v.lower() in ("true", "1", "yes") for v in cells.tolist()])
        else:
            columns.append([v if v != "" else None for v in cells.tolist()])
    return [list(row) for row in zip(*columns)] if columns else []


def about_rows(descriptor: dict, cite: str) -> list[list]:
    """The "About" sheet: what the data is, its licence and citation, then every field's definition."""
    rows = [["Title", descriptor.get("title", "")], ["Description", descriptor.get("description", "")],
            ["Version", str(descriptor.get("version", ""))], ["Released", str(descriptor.get("created", ""))[:10]],
            ["Licence", licence_text(descriptor)], ["Suggested citation", cite]]
    rows += [["Source", s.get("title", "") + (f" ({s['path']})" if s.get("path") else "")]
             for s in descriptor.get("sources", []) or []]
    if descriptor.get("illustrative"):
        rows.append(["Note", "Illustrative values: generated for demonstration, not official statistics."])
    for res in descriptor.get("resources", []):
        for f in res.get("schema", {}).get("fields", []):
            rows.append([f"{res['name']}.{f['name']}", f"{f.get('type', 'string')}: "
                         f"{f.get('description') or f.get('title') or ''}".rstrip(": ")])
    return rows


def formula_safe(frame: pd.DataFrame, schema: dict) -> tuple[pd.DataFrame, bytes | None]:
    """The table with text cells that start like a formula (=, +, -, @, tab, CR) prefixed with an apostrophe, and
    its CSV bytes; (the table, None) when no cell needed it, so the file is published exactly as given."""
    types = {f["name"]: f.get("type", "string") for f in schema.get("fields", [])}
    text = [c for c in frame.columns if types.get(c, "string") == "string"]
    risky = [c for c in text if frame[c].str.startswith(FORMULA_START).any()]
    if not risky:
        return frame, None
    frame = frame.copy()
    for c in risky:
        frame[c] = frame[c].where(~frame[c].str.startswith(FORMULA_START), "'" + frame[c])
    return frame, frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def read_resource(release: Release, res: dict) -> pd.DataFrame:
    """One resource of a release as text cells, read as validation and the release history read it."""
    return read_text_table(io.BytesIO(release.members[res["path"]]))


def release_files(release: Release, credit: Credit, folder: str) -> dict[str, bytes]:
    """Every file of one release folder (`folder` is its path in the site, e.g. data/areas/1.0.0/), by file name:
    the package as released (formula-safe), the same data as one workbook, what changed, a README and checksums."""
    descriptor = release.descriptor
    cite = citation(credit, descriptor, release.version, release.released, folder)
    created = date.fromisoformat(release.released) if release.released else date(1980, 1, 1)
    files = dict(release.members)
    sheets = []
    for res in descriptor.get("resources", []):
        frame, safe = formula_safe(read_resource(release, res), res.get("schema", {}))
        if safe is not None:  # a text cell a spreadsheet would run as a formula: published with the usual prefix
            files[res["path"]] = safe
        sheets.append((res["name"], list(frame.columns), typed(frame, res.get("schema", {}))))
    sheets.append(("About", ["Item", "Detail"], about_rows(descriptor, cite)))
    name = release.package
    files[f"{name}.xlsx"] = workbook(sheets, created=created, title=descriptor.get("title", name))
    if release.changes:
        files["changes.json"] = (json.dumps(release.changes, ensure_ascii=False, sort_keys=True, indent=1)
                                 + "\n").encode()
    files["README.txt"] = readme(descriptor, release, cite).encode("utf-8")
    files["SHA256SUMS"] = checksums(files)
    return files


def release_file_names(release: Release) -> list[str]:
    """The files of a release folder, in the order the data pages list them (as `release_files` writes them)."""
    return (list(release.members) + [f"{release.package}.xlsx"] + (["changes.json"] if release.changes else [])
            + ["README.txt", "SHA256SUMS"])


def release_folder(package: str, version: str) -> str:
    """A release's permanent address in the site."""
    return f"data/{package}/{version}/"


def readme(descriptor: dict, release: Release, cite: str) -> str:
    lines = [descriptor.get("title", release.package), "", descriptor.get("description", ""), "",
             f"Version: {release.version}", f"Released: {release.released}", f"Licence: {licence_text(descriptor)}",
             f"Suggested citation: {cite}", "",
             "Files: datapackage.json describes every field (Frictionless Data Package); the CSV files hold the data;",
             f"{release.package}.xlsx holds the same data as a workbook, with an About sheet; changes.json lists what",
             "changed from the previous release; SHA256SUMS has a checksum of every file (check with: sha256sum -c",
             "SHA256SUMS)."]
    return "\n".join(lines) + "\n"


def checksums(files: dict[str, bytes]) -> bytes:
    """`sha256sum` format: one "<hex>  <name>" line per file, sorted by name."""
    return "".join(f"{hashlib.sha256(files[n]).hexdigest()}  {n}\n" for n in sorted(files)).encode()
