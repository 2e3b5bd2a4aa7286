"""Every data file of the site, each published once (see README, "Files of the site"). Pure but for the cache.

- Each release of each data package, at its permanent address `data/<package>/<version>/` (`release_files`).
  `data/<package>/latest/` is a page that leads to the current one (pages.data), not a copy of it.
- The API, `api/v1/`: what exists (`areas.json`, `indicators.json`), every value of an indicator with every computed
  column (`indicators/<id>.json`: all areas, all periods; the one home of the computed values) and each area's
  latest values (`areas/<code>.json`).
- Small extracts beside the pages, for a reader who wants one file: an indicator's latest period, every area
  (`indicators/<slug>/<id>-latest.csv` and `.xlsx`), and an ICS's latest value of every indicator
  (`ics/<slug>/<slug>-latest.csv` and `.xlsx`).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from icsite.core import cache
from icsite.core.display import Link, size_text
from icsite.core.standard import OGL_TITLE, OGL_URL
from icsite.datasets.release_files import (Credit, citation, licence_text, release_file_names, release_files,
                                           release_folder)
from icsite.datasets.releases import Release
from icsite.datasets.xlsx import workbook

__all__ = ["Credit", "citation", "licence_text", "release_folder", "DataJob", "data_files", "data_links",
           "fill_sizes", "cached_data_files", "read"]


@dataclass
class DataJob:
    """Everything `data_files` needs, picklable."""

    areas: pd.DataFrame  # the model's areas (indexed by code)
    indicators: pd.DataFrame  # the model's indicators (indexed by id)
    values: pd.DataFrame  # values with every computed column (and `is_latest`)
    releases: dict[str, list[Release]]  # by package name, oldest first
    credit: Credit
    created: date  # the data release date: for the workbooks' properties


API = "api/v1/"
INDICATOR_INDEX = f"{API}indicators.json"  # lists every indicator with the address of its values
LICENCE = f"{OGL_TITLE} ({OGL_URL})"


def indicator_folder(ind_id: str) -> str:
    """An indicator's page, where its extract goes."""
    return f"indicators/{ind_id.replace('_', '-')}/"


def indicator_extract(ind_id: str) -> str:
    """An indicator's latest-period extract, without the extension."""
    return f"{indicator_folder(ind_id)}{ind_id}-latest"


def area_extract(slug: str) -> str:
    """An ICS's extract of latest values, without the extension."""
    return f"ics/{slug}/{slug}-latest"


def icb_codes(values: pd.DataFrame) -> list[str]:
    return sorted(set(values.loc[values["area_type"] == "icb", "area_code"]))


def latest_of_each(table: pd.DataFrame, is_latest: pd.Series) -> pd.Series:
    """Which rows of the computed table are an area's latest value of an indicator: its row in the indicator's latest
    period, or, without one (a board that has closed, an England series that ended), its own latest row."""
    by_end = table.assign(_latest=is_latest.to_numpy()).sort_values(["period_end", "period_start"], kind="stable")
    own = by_end.groupby(["indicator_id", "area_code"], sort=False).tail(1).index
    has_latest = set(zip(table.loc[is_latest.to_numpy(), "indicator_id"], table.loc[is_latest.to_numpy(), "area_code"]))
    mask = pd.Series(is_latest.to_numpy(), index=table.index)
    for i in own:
        if (table.at[i, "indicator_id"], table.at[i, "area_code"]) not in has_latest:
            mask.at[i] = True
    return mask


def data_files(job: DataJob, files=None) -> dict[str, bytes]:
    """Every data file of the site, by path: releases, the API and the extracts; put into `files` (a dict, or a
    `FolderWriter` that writes each to disk as it comes) and returned."""
    from icsite.datasets.tables import computed_table, csv_parts, in_table_order, to_json  # noqa: PLC0415

    table = computed_table(job.values, job.areas["short_name"].to_dict())
    is_latest = in_table_order(job.values, "is_latest").astype(bool)
    current = latest_of_each(table, is_latest)
    icbs = set(icb_codes(job.values))
    by_indicator = table.groupby("indicator_id", sort=True).indices
    latest_by_indicator = table[is_latest.to_numpy()].groupby("indicator_id", sort=True).indices
    latest_by_area = table[current.to_numpy()].groupby("area_code", sort=True).indices
    parts = {}
    parts.update({("indicator", k): table.index[is_latest.to_numpy()][v] for k, v in latest_by_indicator.items()})
    parts.update({("area", k): table.index[current.to_numpy()][v] for k, v in latest_by_area.items() if k in icbs})
    csv = csv_parts(table, parts)
    files = {} if files is None else files
    peer_groups = area_peer_groups(job.values)
    extracted = sorted(set(table.index[is_latest.to_numpy()]) | set(table.index[current.to_numpy()]))
    columns, cells = list(table.columns), dict(zip(extracted, xlsx_rows(table.loc[extracted])))
    for ind_id, rows in by_indicator.items():
        ind = job.indicators.loc[ind_id]
        meta = {"indicator_id": ind_id, "title": ind["title"], "unit": ind["unit"], "polarity": ind["polarity"],
                "value_type": ind["value_type"], "multiplier": float(ind["multiplier"]),
                "illustrative": bool(ind["illustrative"]), "source": ind["source"], "package": ind["package"],
                "licence": LICENCE, "citation": f"{job.credit.publisher} ({job.created.year}). {ind['title']}. "
                                                f"{job.credit.root}{API}indicators/{ind_id}.json"}
        # the indicator is in `meta` and each area's peer group in areas.json: neither is repeated on every row
        files[f"{API}indicators/{ind_id}.json"] = to_json(table.iloc[rows].drop(columns=PER_FILE), meta)
        if ind_id in latest_by_indicator:
            base = indicator_extract(ind_id)
            cite = (f"{job.credit.publisher} ({job.created.year}). {ind['title']}, latest period. "
                    f"{job.credit.root}{base}.csv")
            about = [["Indicator", ind["title"]], ["Definition", ind["definition"]], ["Unit", ind["unit"]],
                     ["Period", "the latest period with values for the Integrated Care Boards"],
                     ["Source", ind["source"]], ["Licence", LICENCE], ["Suggested citation", cite],
                     ["Every period", f"{job.credit.root}{API}indicators/{ind_id}.json"]]
            if ind["illustrative"]:
                about.append(["Note", "Illustrative values: generated for demonstration, not official statistics."])
            rows_now = parts[("indicator", ind_id)]
            files[f"{base}.csv"] = csv[("indicator", ind_id)]
            files[f"{base}.xlsx"] = extract_xlsx(columns, [cells[i] for i in rows_now], about, job.created,
                                                 f"{ind['title']}, latest period")
    for code, rows in latest_by_area.items():
        area = job.areas.loc[code]
        meta = {"area_code": code, "name": area["name"], "type": area["type"], "licence": LICENCE,
                "rows": "the area's latest value of each indicator", "peer_group": peer_groups.get(code, "")}
        chosen = table.index[current.to_numpy()][rows]
        files[f"{API}areas/{code}.json"] = to_json(table.loc[chosen].drop(columns=["peer_group"]), meta)
        if code in icbs:
            base = area_extract(area["slug"])
            cite = (f"{job.credit.publisher} ({job.created.year}). {area['short_name']}: latest value of every "
                    f"indicator. {job.credit.root}{base}.csv")
            about = [["Integrated Care System", area["name"]], ["ONS code", code],
                     ["Rows", "the latest value of each indicator"], ["Licence", LICENCE], ["Suggested citation", cite],
                     ["Note", "Values marked illustrative in the indicator files are generated for demonstration."]]
            files[f"{base}.csv"] = csv[("area", code)]
            files[f"{base}.xlsx"] = extract_xlsx(columns, [cells[i] for i in chosen], about, job.created,
                                                 area["name"])
    files.update(api_index(job))
    for name, rels in job.releases.items():
        for release in rels:
            folder = release_folder(name, release.version)
            made = release_files(release, job.credit, folder)
            assert list(made) == release_file_names(release), (list(made), release_file_names(release))
            files.update({folder + k: v for k, v in made.items()})
    return files


def xlsx_rows(table: pd.DataFrame) -> list[tuple]:
    """The rows of a computed table as workbook cells: numbers as numbers (rounded as the CSV rounds them, see
    tables.number_text), the period dates as dates, text exactly as the CSV's text (already formula-safe).
    Made once for all the rows extracted; each extract takes its own."""
    out = []
    for col in table.columns:
        series = table[col]
        if col in ("period_start", "period_end"):
            out.append([date.fromisoformat(v) if isinstance(v, str) and v else None for v in series])
        elif pd.api.types.is_integer_dtype(series):
            out.append([None if pd.isna(v) else int(v) for v in series.astype(object)])
        elif pd.api.types.is_numeric_dtype(series):
            out.append(series.astype("float64").round(4).astype(object).where(series.notna(), None).tolist())
        else:
            out.append([v if isinstance(v, str) and v != "" else None for v in series])
    return list(zip(*out))


def extract_xlsx(columns: list[str], rows: list[tuple], about: list[list], created: date, title: str) -> bytes:
    """A computed extract as a workbook: the values and an "About" sheet."""
    return workbook([("Values", columns, rows), ("About", ["Item", "Detail"], about)], created=created, title=title)


#: columns the API's indicator files leave out: the indicator (in the file's `meta`) and the area's peer group
#: (a fact about the area, in areas.json and each area's file)
PER_FILE = ["indicator_id", "peer_group"]


def area_peer_groups(values: pd.DataFrame) -> dict[str, str]:
    """Each area's peer group (the codes of its most similar ICSs, space-separated; "" for none)."""
    first = values.drop_duplicates("area_code")
    return {code: str(group) for code, group in zip(first["area_code"], first["peer_group"].fillna(""))}


def api_index(job: DataJob) -> dict[str, bytes]:
    """api/v1/areas.json and api/v1/indicators.json: what exists, with the addresses of its values."""
    areas = job.areas if "code" in job.areas.columns else job.areas.reset_index()
    with_values = set(job.values["area_code"])
    icbs = set(icb_codes(job.values))
    peer_groups = area_peer_groups(job.values)

    def day(d) -> str | None:
        return None if pd.isna(d) else d.strftime("%Y-%m-%d")

    area_rows = []
    for a in areas.to_dict("records"):
        if a["code"] not in with_values:
            continue
        area_rows.append({"code": a["code"], "name": a["name"], "short_name": a["short_name"], "type": a["type"],
                          "parent_code": None if pd.isna(a.get("parent_code")) else a["parent_code"],
                          "ods_code": None if pd.isna(a.get("ods_code")) else a["ods_code"],
                          "valid_from": day(a["valid_from"]), "valid_to": day(a["valid_to"]),
                          "latest": f"{API}areas/{a['code']}.json", "peer_group": peer_groups.get(a["code"], ""),
                          "profile": f"ics/{a['slug']}/" if a["code"] in icbs else None})
    ind_rows = []
    for ind_id, ind in job.indicators.iterrows():
        ind_rows.append({"id": ind_id, "title": ind["title"], "short_title": ind["short_title"],
                         "domain": ind["domain"], "unit": ind["unit"], "polarity": ind["polarity"],
                         "decimals": int(ind["decimals"]),
                         "value_type": ind["value_type"], "definition": ind["definition"], "source": ind["source"],
                         "illustrative": bool(ind["illustrative"]), "package": ind["package"],
                         "values": f"{API}indicators/{ind_id}.json", "page": indicator_folder(ind_id)})
    meta = {"api_version": 1, "licence": LICENCE, "publisher": job.credit.publisher}

    def dump(obj) -> bytes:
        return (json.dumps(obj, ensure_ascii=False, sort_keys=True) + "\n").encode()

    return {f"{API}areas.json": dump({"meta": meta, "areas": area_rows}),
            f"{API}indicators.json": dump({"meta": meta, "indicators": ind_rows})}


def data_links(job: DataJob) -> dict[str, list]:
    """Links to the files `data_files` writes, keyed as the pages look them up; sizes are filled in afterwards."""
    links: dict[str, list] = {}
    latest_ids = set(job.values.loc[job.values["is_latest"].astype(bool), "indicator_id"])
    for ind_id in sorted(set(job.values["indicator_id"])):
        base = indicator_extract(ind_id)
        extract = ([Link(f"{ind_id}-latest{ext}", f"{base}{ext}") for ext in (".csv", ".xlsx")]
                   if ind_id in latest_ids else [])
        links[f"indicators/{ind_id}"] = extract + [Link(f"{ind_id}.json", f"{API}indicators/{ind_id}.json")]
    for code in icb_codes(job.values):
        base = area_extract(job.areas.at[code, "slug"])
        name = base.rsplit("/", 1)[1]
        links[f"ics/{code}"] = [Link(f"{name}.csv", f"{base}.csv"), Link(f"{name}.xlsx", f"{base}.xlsx"),
                                Link(f"{code}.json", f"{API}areas/{code}.json")]
    for name, rels in job.releases.items():
        for release in rels:
            folder = release_folder(name, release.version)
            links[f"release/{name}/{release.version}"] = [Link(f, folder + f) for f in release_file_names(release)]
            if release.current:  # the current release's files, at their permanent address
                links[name] = [Link(f, folder + f) for f in release_file_names(release)]
    return links


def fill_sizes(links: dict[str, list], files: dict[str, bytes]) -> None:
    """Each download link's note: the size of its file (which must exist)."""
    for group in links.values():
        for link in group:
            content = files[link.href]
            link.note = size_text(content.stat().st_size if isinstance(content, Path) else len(content))


# --- Cache: the data files change only when the data (or this code) does ------------------------------------------

#: the code that decides the bytes of the data files: every module of this stage, and the publisher
CODE = sorted(Path(__file__).parent.glob("*.py")) + [Path(__file__).parents[1] / "publish" / "folder.py"]
CACHE_FORMAT = "3"


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
        h.update(module.name.encode() + b"\0" + module.read_bytes())
    return h.hexdigest()[:40]


def cached_data_files(job: DataJob, cache_dir: Path) -> dict[str, Path]:
    """The data files as paths in the cache (`<cache>/data/<key>/`), made now only if the inputs changed.

    The publisher copies them into the site, so a rebuild with unchanged data neither makes nor writes them.
    Sets unused for a while are removed (see cache.py).
    """
    root = cache_dir / "data"
    folder = root / job_key(job)
    if not (folder / "manifest.json").is_file():
        staging = root / f".{folder.name}.{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        written = FolderWriter(staging / "files")
        data_files(job, written)
        (staging / "manifest.json").write_text(json.dumps(sorted(written.names)), encoding="utf-8")
        try:
            staging.rename(folder)
        except OSError:  # another build made the same entry meanwhile: use theirs
            shutil.rmtree(staging, ignore_errors=True)
    cache.use(folder)
    cache.prune(root, folder)
    names = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return {name: folder / "files" / name for name in names}


class FolderWriter:
    """Where `data_files` puts the files: each written into `folder` as soon as it is made, only its name kept."""

    def __init__(self, folder: Path):
        self.folder, self.names = folder, []

    def __setitem__(self, path: str, content: bytes) -> None:
        target = self.folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        self.names.append(path)

    def update(self, files: dict[str, bytes]) -> None:
        for path, content in files.items():
            self[path] = content


def job_file(job: DataJob, cache_dir: Path) -> Path:
    """`job` in a file of the cache, for `cached_data_files_from` in another process: written a piece at a time,
    where handing it over directly would hold all of it, once more, in memory."""
    (cache_dir / "data").mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".job-", dir=cache_dir / "data")
    with os.fdopen(fd, "wb") as f:
        pickle.dump(job, f, protocol=pickle.HIGHEST_PROTOCOL)
    return Path(name)


def cached_data_files_from(path: Path, cache_dir: Path) -> dict[str, Path]:
    """`cached_data_files` of the job in the file `path` (see `job_file`), which is removed."""
    try:
        with open(path, "rb") as f:
            job = pickle.load(f)
    finally:
        path.unlink(missing_ok=True)
    return cached_data_files(job, cache_dir)


def read(content: bytes | Path) -> bytes:
    """A file's bytes, whether held in memory or in the cache."""
    return content.read_bytes() if isinstance(content, Path) else content
