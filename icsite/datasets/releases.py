"""Releases of each data package: the versions kept in the repository, and what changed from one to the next.

A package's current files are its newest release. Earlier releases are kept in the repository as copies of the
package as it was released, in `<package>/releases/<version>/` (written by `python build.py release <package>`),
each with `comparisons.csv`: the comparison with England of every value as the site published it then. So "what
changed" compares what was published with what is published now: values (new periods, revised values, new and
withdrawn values), indicators (new and withdrawn) and comparisons with England. Pure, except `archived` and
`snapshot`, which read and write those folders.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from icsite.inputs.guard import MAX_DESCRIPTOR_BYTES, MAX_RESOURCE_BYTES, inside, read_checked
from icsite.inputs.load import (DESCRIPTOR, KEY, RELEASES, SNAPSHOT, SNAPSHOT_COLUMNS, descriptor_file, folder_inside,
                               read_text_table, release_folders, resource_file, snapshot_file, unsafe_version_reason)

TOLERANCE = 1e-9  # values closer than this are the same value (CSV round trips)


@dataclass
class Release:
    """One release of one package: its files as released and the comparisons published with it."""

    package: str
    version: str
    released: str  # YYYY-MM-DD
    members: dict[str, bytes]  # datapackage.json and the resource files, by file name
    comparisons: pd.DataFrame  # SNAPSHOT_COLUMNS
    current: bool = False
    previous: str = ""  # the version before this one, if any
    changes: dict = field(default_factory=dict)  # see `changes`; empty for a first release

    @property
    def descriptor(self) -> dict:
        return json.loads(self.members["datapackage.json"])

    def table(self, resource: str) -> pd.DataFrame | None:
        """One resource of the release as text cells, or None when the release has no such resource."""
        path = next((r["path"] for r in self.descriptor.get("resources", []) if r.get("name") == resource), None)
        if path is None or path not in self.members:
            return None
        return read_text_table(io.BytesIO(self.members[path]))

    def values(self) -> pd.DataFrame:
        """The release's values (text cells; numbers parsed by `changes`)."""
        values = self.table("values")
        return values if values is not None else pd.DataFrame(columns=KEY + ["value"])

    def indicator_ids(self) -> set[str]:
        indicators = self.table("indicators")
        return set(indicators["id"]) if indicators is not None else set()


def version_key(version: str) -> tuple:
    """Sort key for versions: numeric parts as numbers (1.10.0 after 1.9.0), then the text."""
    return tuple(int(p) if p.isdigit() else -1 for p in re.split(r"[.\-+]", version)), version


def package_members(folder: Path, descriptor: dict) -> dict[str, bytes]:
    """datapackage.json and every resource file of a package folder, by file name.

    Read as validation reads them (`load.descriptor_file`, `load.resource_file`): a file outside the folder, a link
    out of it or anything but a regular file raises guard.Refused and is never read.
    """
    members = {DESCRIPTOR: read_checked(descriptor_file(folder), MAX_DESCRIPTOR_BYTES)}
    for res in descriptor.get("resources", []):
        members[res["path"]] = read_checked(resource_file(folder, res["path"]), MAX_RESOURCE_BYTES)
    return members


def archived(package_folder: Path, name: str) -> list[Release]:
    """The earlier releases kept in `<package>/releases/`, oldest first."""
    out = []
    for folder in release_folders(package_folder):
        folder_inside(folder, package_folder)
        descriptor = json.loads(read_checked(descriptor_file(folder), MAX_DESCRIPTOR_BYTES))
        out.append(Release(name, str(descriptor.get("version", folder.name)), str(descriptor.get("created", ""))[:10],
                           package_members(folder, descriptor), comparisons_kept(folder)))
    return sorted(out, key=lambda r: version_key(r.version))


def comparisons_kept(folder: Path) -> pd.DataFrame:
    """The comparisons kept with an archived release (none when it has no comparisons.csv)."""
    if not os.path.lexists(folder / SNAPSHOT):
        return pd.DataFrame(columns=SNAPSHOT_COLUMNS)
    return read_text_table(io.BytesIO(read_checked(snapshot_file(folder), MAX_RESOURCE_BYTES)))


def releases(package_folder: Path, name: str, descriptor: dict, comparisons: pd.DataFrame) -> list[Release]:
    """Every release of a package, oldest first, the current one last, each with what changed from the one before.

    An archived release with the current version is the record of the current one, which replaces it.
    """
    current = Release(name, str(descriptor.get("version", "")), str(descriptor.get("created", ""))[:10],
                      package_members(package_folder, descriptor), comparisons[SNAPSHOT_COLUMNS], current=True)
    out = [r for r in archived(package_folder, name) if r.version != current.version] + [current]
    for before, after in zip(out, out[1:]):
        after.previous = before.version
        after.changes = changes(before, after)
    return out


def snapshot_table(published: pd.DataFrame) -> pd.DataFrame:
    """The comparisons kept with a release: key, value and comparison with England, as published (text; a missing
    cell is empty). Each column is made a category in turn: a large release's millions of cells are held once each
    distinct text, not as a text per cell."""
    out = {}
    for column in SNAPSHOT_COLUMNS:
        cells = published[column]
        if isinstance(cells.dtype, pd.CategoricalDtype):  # its texts, once each; missing cells empty
            texts = cells.cat.rename_categories([str(c) for c in cells.cat.categories])
            out[column] = texts.cat.add_categories([""]).fillna("") if "" not in texts.cat.categories else texts.fillna("")
        else:
            out[column] = cells.astype(str).replace({"nan": "", "<NA>": ""}).astype("category")
    return pd.DataFrame(out, index=published.index)


def snapshot(package_folder: Path, descriptor: dict, published: pd.DataFrame) -> Path:
    """Keep the current package as an earlier release: a copy of its files and its published comparisons.

    Raises FileExistsError if that version is already kept (a release is never overwritten), ValueError if the
    version cannot name a folder or the releases folder leads out of the package.
    """
    version = descriptor.get("version")
    reason = unsafe_version_reason(version)
    if reason:
        raise ValueError(f"the version {str(version)[:50]!r} in its datapackage.json cannot name a release folder: "
                         f"{reason}")
    version = str(version)
    if os.path.lexists(package_folder / RELEASES) and inside(package_folder, RELEASES) is None:
        raise ValueError(f"{package_folder / RELEASES} leads outside the package (a link to a folder elsewhere)")
    target = package_folder / RELEASES / version
    if os.path.lexists(target):
        raise FileExistsError(f"release {version} is already kept in {target}")
    staging = package_folder / RELEASES / f".{version}.new"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name, content in package_members(package_folder, descriptor).items():
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        (staging / name).write_bytes(content)
    snapshot_table(published).to_csv(staging / SNAPSHOT, index=False, lineterminator="\n")
    staging.rename(target)
    return target


def numbers(cells: pd.Series) -> pd.Series:
    return pd.to_numeric(cells.replace("", np.nan), errors="coerce")


def changes(old: Release, new: Release) -> dict:
    """What changed from `old` to `new`: a dict ready for JSON (see the module docstring), lists sorted."""
    before, after = old.values(), new.values()
    for table in (before, after):
        table["value_number"] = numbers(table["value"]) if "value" in table else np.nan
    both = before[KEY + ["value_number"]].merge(after[KEY + ["value_number"]], on=KEY, how="outer",
                                                suffixes=("_old", "_new"), indicator=True)
    added, removed = both[both["_merge"] == "right_only"], both[both["_merge"] == "left_only"]
    kept = both[both["_merge"] == "both"]
    old_v, new_v = kept["value_number_old"], kept["value_number_new"]
    differs = ((old_v - new_v).abs() > TOLERANCE) | (old_v.isna() != new_v.isna())
    revised = kept[differs].sort_values(KEY)
    old_periods = set(zip(before["indicator_id"], before["period"]))
    new_periods = sorted({(i, p) for i, p in zip(added["indicator_id"], added["period"]) if (i, p) not in old_periods})
    comp = old.comparisons[SNAPSHOT_COLUMNS].merge(new.comparisons[SNAPSHOT_COLUMNS], on=KEY,
                                                   suffixes=("_old", "_new"))
    comp = comp[comp["compared_to_england_old"].astype(str) != comp["compared_to_england_new"].astype(str)]
    comp = comp.sort_values(KEY)
    old_ids, new_ids = old.indicator_ids(), new.indicator_ids()

    def number(x):
        return None if pd.isna(x) else round(float(x), 6)

    return {
        "package": new.package, "version": new.version, "previous_version": old.version, "released": new.released,
        "summary": {"new_periods": len(new_periods), "new_values": len(added), "revised_values": len(revised),
                    "withdrawn_values": len(removed), "changed_comparisons": len(comp),
                    "new_indicators": len(new_ids - old_ids), "withdrawn_indicators": len(old_ids - new_ids)},
        "new_indicators": sorted(new_ids - old_ids),
        "withdrawn_indicators": sorted(old_ids - new_ids),
        "new_periods": [{"indicator_id": i, "period": p} for i, p in new_periods],
        "revised_values": [{"indicator_id": i, "area_code": a, "period": p, "old_value": number(o),
                            "new_value": number(n)}
                           for i, a, p, o, n in zip(revised["indicator_id"], revised["area_code"], revised["period"],
                                                    revised["value_number_old"], revised["value_number_new"])],
        "changed_comparisons": [{"indicator_id": i, "area_code": a, "period": p, "old": o, "new": n}
                                for i, a, p, o, n in zip(comp["indicator_id"], comp["area_code"], comp["period"],
                                                         comp["compared_to_england_old"],
                                                         comp["compared_to_england_new"])],
        "new_values_by_area": added.groupby("area_code").size().sort_index().astype(int).to_dict(),
    }


class ReleaseRefused(Exception):
    """A release that cannot be kept: the message says why; `status` is the exit code (1 data, 2 usage)."""

    def __init__(self, message: str, status: int = 1):
        super().__init__(message)
        self.status = status


def keep_release(config, package_name: str) -> Path:
    """Keep a package's current version in its releases/ folder, with the comparisons the site publishes for it.

    Validates all the data first (only valid data can be released) and computes the comparisons as a build does.
    Raises ReleaseRefused with a report when the data is invalid, the package unknown or the version already kept.
    """
    from icsite.compute.comparisons import compute  # noqa: PLC0415 (the heavy stages, only when releasing)
    from icsite.datasets.tables import computed_table
    from icsite.inputs.load import load
    from icsite.inputs.model import build_model
    from icsite.core.problems import errors, format_report
    from icsite.inputs.validate import validate

    sources = load(config)
    sources.pages = []  # a release keeps data: the markdown pages (and stories, which name the data) are not in it
    problems = validate(sources, config.data_dir)
    if errors(problems, False):
        raise ReleaseRefused(format_report(problems) + "Fix these first: only valid data can be released.\n")
    data = build_model(sources)
    package = next((p for p in data.packages if p.name == package_name), None)
    if package is None:
        raise ReleaseRefused(f"no package '{package_name}' in {config.data_dir} "
                             f"(there are: {', '.join(p.name for p in data.packages)})", status=2)
    comparisons = compute(data, min_events=config.min_events)
    values = data.of_package(comparisons.values, package.name)
    try:
        return snapshot(package.path, package.descriptor, computed_table(values, data.areas["short_name"].to_dict()))
    except (FileExistsError, ValueError) as exc:
        raise ReleaseRefused(f"{exc}. Change the version in {package.path / 'datapackage.json'} for a new "
                             "release.") from None
