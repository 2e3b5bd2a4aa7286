"""Page contexts for the data a journalist downloads: the data index, one page per data set, one per release.

Each data set page carries schema.org `Dataset` metadata (JSON-LD) for search engines; each release page lists its
files with their SHA-256 checksums and says what changed from the release before, in sentences and tables.
"""

from __future__ import annotations

import json

import pandas as pd

from icsite.datasets.files import INDICATOR_INDEX, Credit, citation, licence_text, read, release_folder
from icsite.core.formatting import long_date
from icsite.charts.serialise import spec_json
from icsite.pages.contexts import DataIndexPage, Link, PackagePage, ReleasePage, Table
from icsite.datasets.releases import Release

SHOWN_ROWS = 200  # rows of a change table shown on the page; changes.json has them all
MEDIA_TYPES = {".csv": "text/csv", ".json": "application/json", ".zip": "application/zip",
               ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".txt": "text/plain"}


def package_dict(release: Release) -> dict:
    d = release.descriptor
    return {"name": release.package, "title": d.get("title") or release.package,
            "description": d.get("description", ""), "licence": licence_text(d),
            "sources": [s.get("title", "") for s in d.get("sources", []) or []],
            "illustrative": bool(d.get("illustrative", False)), "href": f"data/{release.package}/"}


def change_sentences(changes: dict, previous: str) -> list[str]:
    """What changed since the previous release, in words (nothing changed is said too)."""
    if not changes:
        return ["This is the first release of this data set."]
    s = changes["summary"]
    parts = []
    if s["new_indicators"]:
        parts.append(f"{s['new_indicators']} new indicator(s)")
    if s["new_periods"]:
        parts.append(f"{s['new_periods']} new period(s) of an indicator ({s['new_values']:,} new values in all)")
    elif s["new_values"]:
        parts.append(f"{s['new_values']:,} new values")
    if s["revised_values"]:
        parts.append(f"{s['revised_values']:,} revised value(s)")
    if s["withdrawn_values"]:
        parts.append(f"{s['withdrawn_values']:,} withdrawn value(s)")
    if s["withdrawn_indicators"]:
        parts.append(f"{s['withdrawn_indicators']} withdrawn indicator(s)")
    out = [f"Since version {previous}: " + ("; ".join(parts) if parts else "no change to any value") + "."]
    if s["changed_comparisons"]:
        out.append(f"{s['changed_comparisons']:,} comparison(s) with England changed (for example from Similar to "
                   "Worse), because of revised values or a revised England benchmark.")
    return out


def change_tables(changes: dict, names: dict[str, str], titles: dict[str, str]) -> tuple[list[Table], str]:
    """Tables of new periods, revised values and changed comparisons (each cut at SHOWN_ROWS rows)."""
    if not changes:
        return [], ""
    tables, cut = [], False

    def limit(rows):
        nonlocal cut
        cut = cut or len(rows) > SHOWN_ROWS
        return rows[:SHOWN_ROWS]

    def number(x):
        return "–" if x is None else f"{x:,.4f}".rstrip("0").rstrip(".")

    if changes["new_periods"]:
        tables.append(Table("New periods", ["Indicator", "Period"], limit(
            [[titles.get(r["indicator_id"], r["indicator_id"]), r["period"]] for r in changes["new_periods"]])))
    if changes["revised_values"]:
        tables.append(Table("Revised values", ["Indicator", "Area", "Period", "Old value", "New value"], limit(
            [[titles.get(r["indicator_id"], r["indicator_id"]), names.get(r["area_code"], r["area_code"]),
              r["period"], number(r["old_value"]), number(r["new_value"])] for r in changes["revised_values"]]),
            [False, False, False, True, True], stack=True))
    if changes["changed_comparisons"]:
        tables.append(Table("Changed comparisons with England", ["Indicator", "Area", "Period", "Was", "Now"], limit(
            [[titles.get(r["indicator_id"], r["indicator_id"]), names.get(r["area_code"], r["area_code"]),
              r["period"], r["old"], r["new"]] for r in changes["changed_comparisons"]]), stack=True))
    more = (f"Each table shows at most the first {SHOWN_ROWS} rows; changes.json lists every change."
            if cut else "")
    return tables, more


def dataset_json_ld(release: Release, credit: Credit, downloads: list[Link], coverage: str) -> str:
    """schema.org Dataset metadata for a data set page, as safe JSON text."""
    d = release.descriptor
    lic = next((x.get("path") for x in d.get("licenses", []) or [] if x.get("path")), None)
    here = f"{credit.root}data/{release.package}/" if credit.root else f"data/{release.package}/"
    meta = {
        "@context": "https://schema.org", "@type": "Dataset", "name": d.get("title") or release.package,
        "description": d.get("description", "") or d.get("title", ""), "url": here,
        "license": lic or licence_text(d), "version": release.version, "datePublished": release.released,
        "isAccessibleForFree": True,
        "creator": {"@type": "Organization", "name": credit.publisher},
        "publisher": {"@type": "Organization", "name": credit.publisher},
        "temporalCoverage": coverage,
        "spatialCoverage": {"@type": "Place", "name": "England",
                            "description": "England, its NHS England regions and its Integrated Care Boards"},
        "keywords": ["Integrated Care Systems", "NHS", "England", "health outcomes"],
        "citation": citation(credit, d, release.version, release.released, release_folder(release.package,
                                                                                           release.version)),
        "distribution": [{"@type": "DataDownload", "name": link.text,
                          "encodingFormat": MEDIA_TYPES.get("." + link.text.rsplit(".", 1)[-1], "text/plain"),
                          "contentUrl": (credit.root + link.href) if credit.root else link.href}
                         for link in downloads if link.text not in ("SHA256SUMS", "README.txt")],
    }
    return spec_json(meta)  # the same escaping as chart specs: safe inside a script element


def coverage_of(package: str, values: pd.DataFrame, indicators: pd.DataFrame, areas: pd.DataFrame) -> str:
    """ISO 8601 interval of the data set's periods (for the areas registry: its boards' validity)."""
    mine = values[values["indicator_id"].map(indicators["package"]) == package]
    if len(mine):
        return f"{mine['period_start'].min():%Y-%m-%d}/{mine['period_end'].max():%Y-%m-%d}"
    start = areas["valid_from"].min()
    return f"{start:%Y-%m-%d}/.." if not pd.isna(start) else ".."


def data_pages(releases: dict[str, list[Release]], downloads: dict[str, list[Link]], credit: Credit,
               values: pd.DataFrame, indicators: pd.DataFrame, areas: pd.DataFrame) -> list:
    """The data index, a page per data set, a page per release, and `latest/`: a page that leads to the current
    release (a redirect, and a link for a browser that does not follow it), never a copy of its files."""
    names = areas["short_name"].to_dict()
    titles = indicators["title"].to_dict()
    packages, pages = [], []
    for name, rels in releases.items():
        current = rels[-1]
        info = package_dict(current)
        latest = downloads.get(name, [])
        packages.append(dict(info, version=current.version, released=long_date(pd.Timestamp(current.released))
                             if current.released else "", summary=change_sentences(current.changes, current.previous)))
        history = [{"version": r.version, "released": long_date(pd.Timestamp(r.released)) if r.released else "",
                    "href": release_folder(name, r.version), "current": r.current,
                    "summary": change_sentences(r.changes, r.previous)} for r in reversed(rels)]
        cite = citation(credit, current.descriptor, current.version, current.released,
                        release_folder(name, current.version))
        coverage = coverage_of(name, values, indicators, areas)
        pages.append(PackagePage("package.html", f"data/{name}/", info["title"], info["description"][:300],
                                 json_ld=dataset_json_ld(current, credit, latest, coverage), feed="feed.xml",
                                 package=info, citation=cite, releases=history, downloads=latest))
        for r in rels:
            tables, more = change_tables(r.changes, names, titles)
            pages.append(ReleasePage(
                "release.html", release_folder(name, r.version), f"{info['title']}, version {r.version}",
                f"Release {r.version} of {info['title']}: files, checksums and what changed.",
                package=info, version=r.version, released=long_date(pd.Timestamp(r.released)) if r.released else "",
                current=r.current,
                previous=Link(f"version {r.previous}", release_folder(name, r.previous)) if r.previous else None,
                citation=citation(credit, r.descriptor, r.version, r.released, release_folder(name, r.version)),
                downloads=downloads.get(f"release/{name}/{r.version}", []),
                summary=change_sentences(r.changes, r.previous), changes=tables, more=more))
        pages.append(ReleasePage(
            "latest.html", release_folder(name, "latest"), f"{info['title']}: the latest release",
            f"The latest release of {info['title']} is version {current.version}.", package=info,
            version=current.version, released=long_date(pd.Timestamp(current.released)) if current.released else "",
            current=True, latest_alias=True))
    every = [Link(titles[ind_id], link.href, link.note) for ind_id in sorted(titles, key=lambda i: (titles[i], i))
             for link in downloads.get(f"indicators/{ind_id}", []) if link.href.endswith(f"/{ind_id}.json")]
    index = DataIndexPage("data_index.html", "data/", "Data",
                          "Every data set behind this site, with its licence, releases and downloads.",
                          packages=packages, everything=every)
    return [index] + pages


def checksum_rows(page: ReleasePage, files: dict[str, bytes]) -> None:
    """Fill a release page's checksums from its SHA256SUMS file (`latest/` has none: it only leads to a release)."""
    if page.latest_alias:
        return
    text = read(files[page.path + "SHA256SUMS"]).decode()
    page.checksums = Table(f"SHA-256 checksums of version {page.version}", ["File", "SHA-256"],
                           [[line[66:], line[:64]] for line in text.splitlines() if len(line) > 66], stack=True)


def releases_json(releases: dict[str, list[Release]]) -> bytes:
    """api/v1/releases.json: every release of every data set, newest first, with its change summary."""
    rows = [{"package": r.package, "version": r.version, "released": r.released, "current": r.current,
             "previous_version": r.previous or None, "folder": release_folder(r.package, r.version),
             "summary": r.changes.get("summary") if r.changes else None}
            for rels in releases.values() for r in rels]
    rows.sort(key=lambda r: (r["released"], r["package"], r["version"]), reverse=True)
    return (json.dumps({"releases": rows, "indicators": INDICATOR_INDEX}, ensure_ascii=False, sort_keys=True)
            + "\n").encode()
