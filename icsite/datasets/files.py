"""The files a journalist downloads: each release of each package in every format, and the extracts as XLSX.

Every release folder (`data/<package>/<version>/`, and `latest/` for the current one) holds the package as released
(`datapackage.json` and its CSV files), the same data as one Excel workbook (a sheet per resource and an "About"
sheet with the licence, the suggested citation and every field's definition) and as one JSON file, a zip of all of
it with a README, the machine-readable list of changes from the release before, and `SHA256SUMS`. Pure: bytes in,
bytes out, so it can run in another process.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import os
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from icsite.core import cache
from icsite.core.display import Link
from icsite.core.zips import make_zip
from icsite.inputs.load import read_text_table
from icsite.datasets.releases import Release
from icsite.datasets.xlsx import workbook

OGL = "Open Government Licence v3.0"


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
            columns.append([None if pd.isna(v) else (int(v) if kind == "integer" and float(v).is_integer() else float(v))
                            for v in numbers])
        elif kind == "date":
            days = pd.to_datetime(cells.replace("", None), errors="coerce", format="%Y-%m-%d")
            columns.append([None if pd.isna(d) else d.date() for d in days])
        elif kind == "boolean":
            columns.append([None if v == "" else v.lower() in ("true", "1", "yes") for v in cells])
        else:
            columns.append([v if v != "" else None for v in cells])
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
    from icsite.datasets.tables import FORMULA_START  # noqa: PLC0415

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
    """Every file of one release folder (`folder` is its path in the site, e.g. data/areas/1.0.0/), by file name."""
    descriptor = release.descriptor
    cite = citation(credit, descriptor, release.version, release.released, folder)
    created = date.fromisoformat(release.released) if release.released else date(1980, 1, 1)
    files = dict(release.members)
    sheets, tables = [], {}
    for res in descriptor.get("resources", []):
        frame, safe = formula_safe(read_resource(release, res), res.get("schema", {}))
        if safe is not None:  # a text cell a spreadsheet would run as a formula: published with the usual prefix
            files[res["path"]] = safe
        sheets.append((res["name"], list(frame.columns), typed(frame, res.get("schema", {}))))
        tables[res["name"]] = json.loads(frame.to_json(orient="records", force_ascii=False))
    sheets.append(("About", ["Item", "Detail"], about_rows(descriptor, cite)))
    name = release.package
    files[f"{name}.xlsx"] = workbook(sheets, created=created, title=descriptor.get("title", name))
    files[f"{name}.json"] = (json.dumps({"package": descriptor, "licence": licence_text(descriptor), "citation": cite,
                                         "resources": tables}, ensure_ascii=False, sort_keys=True) + "\n").encode()
    if release.changes:
        files["changes.json"] = (json.dumps(release.changes, ensure_ascii=False, sort_keys=True, indent=1)
                                 + "\n").encode()
    files["README.txt"] = readme(descriptor, release, cite).encode("utf-8")
    files[f"{name}.zip"] = make_zip({f"{name}-{release.version}/{k}": v for k, v in files.items()})
    files["SHA256SUMS"] = checksums(files)
    return files


def readme(descriptor: dict, release: Release, cite: str) -> str:
    lines = [descriptor.get("title", release.package), "", descriptor.get("description", ""), "",
             f"Version: {release.version}", f"Released: {release.released}", f"Licence: {licence_text(descriptor)}",
             f"Suggested citation: {cite}", "",
             "Files: datapackage.json describes every field (Frictionless Data Package); the CSV files hold the data;",
             f"{release.package}.xlsx and {release.package}.json hold the same data; changes.json lists what changed",
             "from the previous release; SHA256SUMS has a checksum of every file (check with: sha256sum -c SHA256SUMS)."]
    return "\n".join(lines) + "\n"


def checksums(files: dict[str, bytes]) -> bytes:
    """`sha256sum` format: one "<hex>  <name>" line per file, sorted by name."""
    return "".join(f"{hashlib.sha256(files[n]).hexdigest()}  {n}\n" for n in sorted(files)).encode()


def xlsx_rows(table: pd.DataFrame) -> list[tuple]:
    """The rows of a computed table as workbook cells: numbers as numbers (rounded as the CSV rounds them, see
    downloads.number_text), the period dates as dates, text exactly as the CSV's text (already formula-safe).
    Made once for the whole table; each extract takes its rows."""
    cells = []
    for col in table.columns:
        series = table[col]
        if col in ("period_start", "period_end"):
            cells.append([date.fromisoformat(v) if isinstance(v, str) and v else None for v in series])
        elif pd.api.types.is_integer_dtype(series):
            cells.append([None if pd.isna(v) else int(v) for v in series.astype(object)])
        elif pd.api.types.is_numeric_dtype(series):
            cells.append(series.astype("float64").round(4).astype(object).where(series.notna(), None).tolist())
        else:
            cells.append([v if isinstance(v, str) and v != "" else None for v in series])
    return list(zip(*cells))


def extract_xlsx(columns: list[str], rows: list[tuple], about: list[list], created: date, title: str) -> bytes:
    """A computed extract (one indicator's or one ICS's values) as a workbook: the values and an "About" sheet."""
    return workbook([("Values", columns, rows), ("About", ["Item", "Detail"], about)], created=created, title=title)


# --- The whole set of data files, built in one job (in the second process when there is one) ---------------------

@dataclass
class DataJob:
    """Everything `data_files` needs, picklable."""

    areas: pd.DataFrame  # the model's areas (indexed by code)
    indicators: pd.DataFrame  # the model's indicators (indexed by id)
    values: pd.DataFrame  # values with every computed column
    releases: dict[str, list[Release]]  # by package name, oldest first
    credit: Credit
    created: date  # the data release date: for the workbooks' properties


COMPARISONS_FILE = "data/comparisons.csv"
ALL_DATA_ZIP = "data/all-data.zip"
API = "api/v1/"


def indicator_file_base(ind_id: str) -> str:
    """Where an indicator's computed extracts go, without the extension."""
    return f"indicators/{ind_id.replace('_', '-')}/{ind_id}"


def area_file_base(slug: str) -> str:
    """Where an ICS's computed extracts go, without the extension."""
    return f"ics/{slug}/{slug}"


def release_folder(package: str, version: str) -> str:
    return f"data/{package}/{version}/"


def release_file_names(release: Release) -> list[str]:
    """The files of a release folder, in the order the data page lists them (as `release_files` writes them)."""
    n = release.package
    return (list(release.members) + [f"{n}.xlsx", f"{n}.json"] + (["changes.json"] if release.changes else [])
            + ["README.txt", f"{n}.zip", "SHA256SUMS"])


def icb_codes(values: pd.DataFrame) -> list[str]:
    return sorted(set(values.loc[values["area_type"] == "icb", "area_code"]))


def data_files(job: DataJob) -> dict[str, bytes]:
    """Every data file of the site, by path: releases, computed extracts (CSV, XLSX, JSON), the API, the big zip."""
    from icsite.datasets.tables import computed_table, csv_parts, to_json  # noqa: PLC0415 (keeps this module light to import)

    table = computed_table(job.values, job.areas["short_name"].to_dict())
    by_indicator = table.groupby("indicator_id", sort=True).indices
    by_area = table.groupby("area_code", sort=True).indices
    icbs = set(icb_codes(job.values))
    parts = {("all", None): range(len(table))}
    parts.update({("indicator", k): v for k, v in by_indicator.items()})
    parts.update({("area", k): v for k, v in by_area.items() if k in icbs})
    csv = csv_parts(table, parts)
    files = {COMPARISONS_FILE: csv[("all", None)]}
    columns, cells = list(table.columns), xlsx_rows(table)
    licence = f"{OGL} (https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/)"
    for ind_id, rows in by_indicator.items():
        base = indicator_file_base(ind_id)
        ind = job.indicators.loc[ind_id]
        meta = {"indicator_id": ind_id, "title": ind["title"], "unit": ind["unit"], "polarity": ind["polarity"],
                "value_type": ind["value_type"], "multiplier": float(ind["multiplier"]),
                "illustrative": bool(ind["illustrative"]), "source": ind["source"], "package": ind["package"]}
        cite = f"{job.credit.publisher} ({job.created.year}). {ind['title']}. {job.credit.root}{base}.csv"
        about = [["Indicator", ind["title"]], ["Definition", ind["definition"]], ["Unit", ind["unit"]],
                 ["Source", ind["source"]], ["Licence", licence], ["Suggested citation", cite]]
        if ind["illustrative"]:
            about.append(["Note", "Illustrative values: generated for demonstration, not official statistics."])
        files[f"{base}.csv"] = csv[("indicator", ind_id)]
        files[f"{base}.json"] = to_json(table.iloc[rows], dict(meta, licence=licence, citation=cite))
        files[f"{base}.xlsx"] = extract_xlsx(columns, [cells[i] for i in rows], about, job.created, ind["title"])
        files[f"{API}indicators/{ind_id}.json"] = files[f"{base}.json"]
    for code, rows in by_area.items():
        area = job.areas.loc[code]
        meta = {"area_code": code, "name": area["name"], "type": area["type"], "licence": licence}
        files[f"{API}areas/{code}.json"] = to_json(table.iloc[rows], meta)
        if code in icbs:
            base = area_file_base(area["slug"])
            cite = f"{job.credit.publisher} ({job.created.year}). {area['short_name']}: every indicator. " \
                   f"{job.credit.root}{base}.csv"
            about = [["Integrated Care System", area["name"]], ["ONS code", code], ["Licence", licence],
                     ["Suggested citation", cite],
                     ["Note", "Values marked illustrative in the indicator files are generated for demonstration."]]
            files[f"{base}.csv"] = csv[("area", code)]
            files[f"{base}.xlsx"] = extract_xlsx(columns, [cells[i] for i in rows], about, job.created, area["name"])
    files.update(api_index(job, licence))
    everything = {"comparisons.csv": files[COMPARISONS_FILE]}
    for name, rels in job.releases.items():
        for release in rels:
            folder = release_folder(name, release.version)
            made = release_files(release, job.credit, folder)
            assert list(made) == release_file_names(release), (list(made), release_file_names(release))
            files.update({folder + k: v for k, v in made.items()})
            if release.current:
                files.update({release_folder(name, "latest") + k: v for k, v in made.items()})
                everything.update({f"{name}/{k}": v for k, v in made.items() if not k.endswith(".zip")})
    everything["README.txt"] = (
        f"{job.credit.site_title}: every data package (latest release) and every value with its computed "
        f"comparisons (comparisons.csv).\nPublished by {job.credit.publisher}. Each package folder has its "
        f"licence, suggested citation and definitions (README.txt, datapackage.json).\n").encode()
    files[ALL_DATA_ZIP] = make_zip(everything)
    return files


def api_index(job: DataJob, licence: str) -> dict[str, bytes]:
    """api/v1/areas.json and api/v1/indicators.json: what exists, with the address of each one's values."""
    areas = job.areas if "code" in job.areas.columns else job.areas.reset_index()
    with_values = set(job.values["area_code"])
    icbs = set(icb_codes(job.values))
    area_rows = []
    for a in areas.to_dict("records"):
        if a["code"] not in with_values:
            continue
        area_rows.append({"code": a["code"], "name": a["name"], "short_name": a["short_name"], "type": a["type"],
                          "parent_code": None if pd.isna(a.get("parent_code")) else a["parent_code"],
                          "ods_code": None if pd.isna(a.get("ods_code")) else a["ods_code"],
                          "valid_from": None if pd.isna(a["valid_from"]) else a["valid_from"].strftime("%Y-%m-%d"),
                          "valid_to": None if pd.isna(a["valid_to"]) else a["valid_to"].strftime("%Y-%m-%d"),
                          "values": f"{API}areas/{a['code']}.json",
                          "profile": f"ics/{a['slug']}/" if a["code"] in icbs else None})
    ind_rows = []
    for ind_id, ind in job.indicators.iterrows():
        ind_rows.append({"id": ind_id, "title": ind["title"], "short_title": ind["short_title"],
                         "domain": ind["domain"], "unit": ind["unit"], "polarity": ind["polarity"],
                         "decimals": int(ind["decimals"]),
                         "value_type": ind["value_type"], "definition": ind["definition"], "source": ind["source"],
                         "illustrative": bool(ind["illustrative"]), "package": ind["package"],
                         "values": f"{API}indicators/{ind_id}.json",
                         "page": f"indicators/{ind_id.replace('_', '-')}/"})
    meta = {"api_version": 1, "licence": licence, "publisher": job.credit.publisher}

    def dump(obj) -> bytes:
        return (json.dumps(obj, ensure_ascii=False, sort_keys=True) + "\n").encode()

    return {f"{API}areas.json": dump({"meta": meta, "areas": area_rows}),
            f"{API}indicators.json": dump({"meta": meta, "indicators": ind_rows})}


def data_links(job: DataJob) -> dict[str, list]:
    """Links to the files `data_files` writes, keyed as the pages look them up; sizes are filled in afterwards."""

    links: dict[str, list] = {"comparisons": [Link("comparisons.csv", COMPARISONS_FILE),
                                              Link("all-data.zip", ALL_DATA_ZIP)]}
    for ind_id in sorted(set(job.values["indicator_id"])):
        base = indicator_file_base(ind_id)
        links[f"indicators/{ind_id}"] = [Link(f"{ind_id}{ext}", f"{base}{ext}") for ext in (".csv", ".xlsx", ".json")]
    for code in icb_codes(job.values):
        base = area_file_base(job.areas.at[code, "slug"])
        name = base.rsplit("/", 1)[1]
        links[f"ics/{code}"] = [Link(f"{name}.csv", f"{base}.csv"), Link(f"{name}.xlsx", f"{base}.xlsx"),
                                Link(f"{code}.json", f"{API}areas/{code}.json")]
    for name, rels in job.releases.items():
        for release in rels:
            folder = release_folder(name, release.version)
            links[f"release/{name}/{release.version}"] = [Link(f, folder + f) for f in release_file_names(release)]
            if release.current:
                latest = release_folder(name, "latest")
                links[name] = [Link(f, latest + f) for f in release_file_names(release)]
    return links


def fill_sizes(links: dict[str, list], files: dict[str, bytes]) -> None:
    """Each download link's note: the size of its file (which must exist)."""
    for group in links.values():
        for link in group:
            content = files[link.href]
            link.note = human_size(content.stat().st_size if isinstance(content, Path) else len(content))


def human_size(n: int) -> str:
    """1.2 MB, 34 kB, 512 bytes."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} MB"
    if n >= 1_000:
        return f"{n / 1_000:.0f} kB"
    return f"{n} bytes"


# --- Cache: the data files change only when the data (or this code) does ------------------------------------------

#: the modules whose code decides the bytes of the data files: a change to any of them is a new cache key
CODE = ["icsite.datasets.files", "icsite.datasets.tables", "icsite.datasets.releases", "icsite.datasets.xlsx",
        "icsite.publish.folder"]
CACHE_FORMAT = "1"


def job_key(job: DataJob) -> str:
    """A hash of everything the data files are made from: the tables, the releases, the credit and the code."""
    h = hashlib.sha256(CACHE_FORMAT.encode())
    for frame in (job.areas, job.indicators, job.values):
        h.update(repr((list(frame.columns), [str(t) for t in frame.dtypes], len(frame))).encode())
        h.update(pd.util.hash_pandas_object(frame.astype(str), index=True).to_numpy().tobytes())
    for name in sorted(job.releases):
        for r in job.releases[name]:
            h.update(repr((name, r.version, r.released, r.current, r.previous)).encode())
            for member in sorted(r.members):
                h.update(member.encode() + hashlib.sha256(r.members[member]).digest())
            h.update(pd.util.hash_pandas_object(r.comparisons.astype(str), index=False).to_numpy().tobytes())
    h.update(repr((job.credit, job.created.isoformat())).encode())
    for module in CODE:
        h.update(Path(importlib.util.find_spec(module).origin).read_bytes())
    return h.hexdigest()[:40]


def cached_data_files(job: DataJob, cache_dir: Path) -> dict[str, Path]:
    """The data files as paths in the cache (`<cache>/data/<key>/`), made now only if the inputs changed.

    The publisher hard-links them into the site, so a rebuild with unchanged data neither makes nor writes them.
    Sets unused for a while are removed (see cache.py).
    """
    root = cache_dir / "data"
    folder = root / job_key(job)
    if not (folder / "manifest.json").is_file():
        files = data_files(job)
        staging = root / f".{folder.name}.{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        for path, content in files.items():
            target = staging / "files" / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        (staging / "manifest.json").write_text(json.dumps(sorted(files)), encoding="utf-8")
        try:
            staging.rename(folder)
        except OSError:  # another build made the same entry meanwhile: use theirs
            shutil.rmtree(staging, ignore_errors=True)
    cache.use(folder)
    cache.prune(root, folder)
    names = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return {name: folder / "files" / name for name in names}


def read(content: bytes | Path) -> bytes:
    """A file's bytes, whether held in memory or in the cache."""
    return content.read_bytes() if isinstance(content, Path) else content
