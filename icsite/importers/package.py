"""Writing an indicator package, merged into an existing one (whose previous version is kept as a release first).

The package written has exactly the schema of the shipped indicator packages (`INDICATOR_SCHEMA`,
`VALUE_SCHEMA`, the same fields, types and order as `datapackages/urgent-emergency-care/datapackage.json`), with
the standard's optional 99.8% limits (`lower_ci_99_8`, `upper_ci_99_8`, right after upper_ci) only when some value
row of the package has them (a Fingertips export's "Lower/Upper CI 99.8 limit"): a package without them, such as
the A&E importer's, has today's columns.
Before anything is written the new package is checked with the build's own validation, next to a copy of the
area registry: an import that would not pass `build.py --check` writes nothing.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from icsite.core.standard import CI_99_8_FIELDS, IND_FIELDS, VAL_FIELDS, indicator_package, value_fields
from icsite.importers.common import InputProblem, read_rows
from icsite.importers.report import Report

INDICATOR_FIELDS, VALUE_FIELDS = IND_FIELDS, VAL_FIELDS
#: optional trailing fields a package written before they existed may lack (read as empty, written on update)
LATER_FIELDS = ["keywords"]
#: every column a values.csv may have: the standard's, with its optional 99.8% limits
ALL_VALUE_FIELDS = value_fields(ci_99_8=True)
NUMBER_FIELDS = {"multiplier", "decimals", "target", "fingertips_id", "value", "lower_ci", "upper_ci", "numerator",
                 "denominator", *CI_99_8_FIELDS}


#: indicator fields a re-import keeps from the existing indicators.csv (hand edits survive), unless given as flags
KEPT_ON_REIMPORT = ["title", "short_title", "domain", "polarity", "decimals", "definition", "frequency", "target",
                    "target_label", "keywords"]


def csv_text(fields: list[str], rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def json_text(obj: dict) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


def _canonical(rows: list[dict], fields: list[str]) -> list[tuple]:
    """Rows compared by meaning: numbers as numbers (so 74.10 equals 74.1), order ignored."""
    def cell(name, text):
        text = (text or "").strip()
        if name in NUMBER_FIELDS and text:
            try:
                return float(text)
            except ValueError:
                return text
        return text.lower() if name == "illustrative" else text
    return sorted(tuple(str(cell(f, r.get(f))) for f in fields) for r in rows)


def bump_minor(version: str) -> str:
    """1.0.0 -> 1.1.0 (1.2 -> 1.3.0)."""
    match = re.fullmatch(r"\s*(\d+)\.(\d+)(?:\.(\d+))?\s*", version or "")
    if not match:
        raise InputProblem(f"the package's version '{version}' is not of the form MAJOR.MINOR.PATCH (e.g. 1.0.0); "
                           "fix it in datapackage.json and import again")
    return f"{match[1]}.{int(match[2]) + 1}.0"


@dataclass
class Existing:
    descriptor: dict
    indicators: list[dict]
    values: list[dict]


def read_existing(folder: Path) -> Existing | None:
    """The package already in `folder`, or None when there is none; InputProblem when it cannot be merged into."""
    if not folder.exists():
        return None
    descriptor_file = folder / "datapackage.json"
    if not descriptor_file.is_file():
        raise InputProblem(f"{folder} exists but has no datapackage.json: move it away or choose another "
                           "--package name")
    try:
        descriptor = json.loads(descriptor_file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputProblem(f"{descriptor_file}: cannot read it ({exc}); run python build.py --check") from None
    tables = {}
    # the layouts a package of the standard may have: indicators before the later fields, values with or without
    # the optional 99.8% limits
    layouts = {"indicators": [INDICATOR_FIELDS, [f for f in INDICATOR_FIELDS if f not in LATER_FIELDS]],
               "values": [VALUE_FIELDS, ALL_VALUE_FIELDS]}
    for name, fields in (("indicators", INDICATOR_FIELDS), ("values", VALUE_FIELDS)):
        res = next((r for r in descriptor.get("resources", []) if isinstance(r, dict) and r.get("name") == name),
                   None)
        found = [f.get("name") for f in (res or {}).get("schema", {}).get("fields", [])]
        if res is None or found not in layouts[name] or res.get("path") != f"{name}.csv" \
                or not (folder / res["path"]).is_file():
            optional = " (and optionally lower_ci_99_8, upper_ci_99_8 after upper_ci)" if name == "values" else ""
            raise InputProblem(f"{descriptor_file}: the '{name}' resource is not the standard {name}.csv with the "
                               f"fields {', '.join(fields)}{optional}; an import can only update a package of the "
                               "standard layout. Choose another --package name.")
        tables[name] = read_rows(folder / res["path"])
    return Existing(descriptor, tables["indicators"], tables["values"])


def ids_elsewhere(data_dir: Path, package: str, ids: list[str]) -> None:
    """InputProblem when another package of the data folder already defines one of the indicator ids."""
    for folder in sorted(p for p in data_dir.iterdir() if p.is_dir() and p.name != package
                         and not p.name.startswith(".")):
        path = folder / "indicators.csv"
        if not path.is_file():
            continue
        try:
            defined = {r.get("id", "") for r in read_rows(path)}
        except (UnicodeDecodeError, csv.Error):
            continue
        for ind in ids:
            if ind in defined:
                raise InputProblem(f"indicator id '{ind}' is already defined in {path}: give the import another "
                                   f"id with --id, or import into that package with --package {folder.name}")


def merge_indicator(old: dict, new: dict, explicit: set[str]) -> dict:
    """A re-imported indicator: descriptive fields from the existing row (unless given as flags), the rest new."""
    out = dict(new)
    for name in KEPT_ON_REIMPORT:
        if name not in explicit and (old.get(name) or "").strip():
            out[name] = old[name]
    same_scale = _canonical([old], ["multiplier"]) == _canonical([new], ["multiplier"])
    if "unit" not in explicit and same_scale and (old.get("unit") or "").strip():
        out["unit"] = old["unit"]
    return out


def check_package(data_dir: Path, name: str, files: dict[str, str]) -> list:
    """The build's validation of the new package next to a copy of the data folder's area registry."""
    from icsite.inputs.load import Sources, read_package  # noqa: PLC0415 (pandas and friends only when writing)
    from icsite.inputs.validate import validate

    with tempfile.TemporaryDirectory(prefix="icsite-import-") as tmp:
        staged = Path(tmp) / data_dir.name
        (staged / name).mkdir(parents=True)
        areas = staged / "areas"
        areas.mkdir()
        for item in (data_dir / "areas").iterdir():
            if item.is_file():
                shutil.copy2(item, areas / item.name)
        for file_name, text in files.items():
            (staged / name / file_name).write_text(text, encoding="utf-8")
        sources = Sources(packages=[read_package(areas), read_package(staged / name)], pages=[])
        return validate(sources, staged)


def write_package(data_dir: Path, name: str, indicators: list[dict], values: list[dict], *, title: str,
                  description: str, sources: list[dict], today: date, report: Report,
                  explicit: set[str] = frozenset()) -> bool:
    """Write (or update) package `name` in `data_dir`; True when files were written, False when nothing changed.

    Other indicators of the package are kept as they are. An imported indicator's rows replace its earlier rows for
    the same periods; its rows for other periods are kept, unless the indicator was illustrative (then all its demo
    rows go). Descriptive metadata edited in indicators.csv is kept (`KEPT_ON_REIMPORT`). When the package exists and its content changes, its current version is kept as a release first
    (`icsite.datasets.releases.keep_release`, unless that version is already kept), then the files are written with the
    minor version raised and `created` set to `today`.
    """
    from icsite.core.problems import errors, format_report  # noqa: PLC0415

    folder = data_dir / name
    ids = [r["id"] for r in indicators]
    ids_elsewhere(data_dir, name, ids)
    old = read_existing(folder)

    merged_ind, kept_meta = [], []
    new_by_id = {r["id"]: r for r in indicators}
    for row in (old.indicators if old else []):
        if row.get("id") in new_by_id:
            merged_ind.append(merge_indicator(row, new_by_id.pop(row["id"]), explicit))
            kept_meta.append(row["id"])
        else:
            merged_ind.append({f: row.get(f, "") for f in INDICATOR_FIELDS})
    merged_ind += list(new_by_id.values())
    # values: other indicators' rows stay as they are; an imported indicator keeps its earlier rows for periods the
    # import does not cover (monthly files add a month), unless they were illustrative (demo values are replaced)
    demo = {r["id"] for r in (old.indicators if old else [])
            if r.get("id") in set(ids) and (r.get("illustrative") or "").strip().lower() == "true"}
    imported = {(v["indicator_id"], v["period"]) for v in values}
    others, earlier, replaced_demo = [], [], Counter()
    for r in (old.values if old else []):
        row = {f: r.get(f, "") for f in ALL_VALUE_FIELDS}
        if row["indicator_id"] not in set(ids):
            others.append(row)
        elif row["indicator_id"] in demo:
            replaced_demo[row["indicator_id"]] += 1
        elif (row["indicator_id"], row["period"]) not in imported:
            earlier.append(row)
    order = {ind: i for i, ind in enumerate(ids)}
    merged_val = others + sorted(earlier + values, key=lambda v: (order[v["indicator_id"]], v["area_code"],
                                                                   v["period_start"], v["period_end"], v["period"]))
    if earlier:
        report.details.append(f"Kept {len(earlier)} earlier value row(s) of the imported indicator(s) for periods "
                              "this import does not cover")
    for ind, n in sorted(replaced_demo.items()):
        report.details.append(f"Replaced all {n} illustrative value row(s) of {ind}: real values are not mixed "
                              "with demo values")
    if old:
        untouched = [r["id"] for r in merged_ind if r["id"] not in set(ids)]
        if untouched:
            report.details.append(f"Kept unchanged: {len(untouched)} other indicator(s) of the package "
                                  f"({', '.join(untouched)})")
        if kept_meta:
            report.details.append(f"Kept from the existing indicators.csv for {', '.join(kept_meta)}: "
                                  + ", ".join(KEPT_ON_REIMPORT + ["unit"]) + " (unless given as flags)")

    # the optional 99.8% limits' columns only when some row has them: a package without them keeps its columns
    ci_99_8 = any((r.get(f) or "").strip() for r in merged_val for f in CI_99_8_FIELDS)
    value_columns = value_fields(ci_99_8)
    if old and _canonical(merged_ind, INDICATOR_FIELDS) == _canonical(old.indicators, INDICATOR_FIELDS) \
            and _canonical(merged_val, value_columns) == _canonical(old.values, value_columns):
        version = old.descriptor.get("version", "")
        report.outcome.append(f"No change: {folder} already holds these values (version {version}); "
                              "nothing was written.")
        return False

    if old:
        descriptor = dict(old.descriptor)
        version = bump_minor(str(descriptor.get("version", "")))
        known = {s.get("title") for s in descriptor.get("sources", []) if isinstance(s, dict)}
        descriptor["sources"] = list(descriptor.get("sources", [])) + [s for s in sources
                                                                       if s["title"] not in known]
        if "illustrative" in descriptor:
            descriptor["illustrative"] = any(r["illustrative"].strip().lower() == "true" for r in merged_ind)
    else:
        version = "1.0.0"
        descriptor = indicator_package(name, title, description, sources, version=version, created="",
                                       illustrative=False, ci_99_8=ci_99_8)
    descriptor["version"] = version
    descriptor["created"] = f"{today.isoformat()}T00:00:00Z"
    descriptor["resources"] = indicator_package(name, "", "", [], version=version, created="",
                                                illustrative=False, ci_99_8=ci_99_8)["resources"]
    files = {"indicators.csv": csv_text(INDICATOR_FIELDS, merged_ind),
             "values.csv": csv_text(value_columns, merged_val),
             "datapackage.json": json_text(descriptor)}

    problems = check_package(data_dir, name, files)
    if errors(problems):
        raise InputProblem(report.render() + "\nThe imported package would not pass the check:\n"
                           + format_report(problems) + "Nothing was written.")
    warnings = Counter(p.code for p in problems)
    report.details.append("Check: no errors" + (
        "; warnings: " + ", ".join(f"{code} x{n}" for code, n in sorted(warnings.items()))
        + " (python build.py --check shows them)" if warnings else "; no warnings"))

    if old:
        old_version = str(old.descriptor.get("version", ""))
        if (folder / "releases" / old_version).exists():
            report.outcome.append(f"Version {old_version} was already kept in {folder / 'releases' / old_version}.")
        else:
            from icsite.core.config import load_config  # noqa: PLC0415
            from icsite.datasets.releases import ReleaseRefused, keep_release

            config, _ = load_config(data_dir=data_dir)
            try:
                kept = keep_release(config, str(old.descriptor.get("name") or name))
            except ReleaseRefused as refused:
                raise InputProblem(f"cannot keep version {old_version} of {name} as a release before updating it: "
                                   f"{refused}", status=refused.status) from None
            report.outcome.append(f"Kept version {old_version} in {kept}.")
    folder.mkdir(parents=True, exist_ok=True)
    for file_name in ("indicators.csv", "values.csv", "datapackage.json"):
        staging = folder / f".{file_name}.new"
        staging.write_text(files[file_name], encoding="utf-8", newline="")
        os.replace(staging, folder / file_name)
    report.outcome.append(f"Wrote {folder}: version {version}, created {today.isoformat()}, "
                          f"{len(merged_ind)} indicator(s), {len(merged_val)} value row(s).")
    return True
