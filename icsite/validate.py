"""Judge the inputs: Frictionless validation of every package, then the domain checks. Never raises for bad data.

Each domain check is a small function named after the problem code it reports; `CHECKS` lists them in order.
Rows are numbered as lines of the file, the header being line 1 (the same convention as Frictionless).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from frictionless import system, validate as fl_validate

from .load import PackageSource, Sources

INDICATOR_RESOURCES = ("indicators", "values")
AREA_TYPES = ("country", "region", "icb")


@dataclass
class Tables:
    """The tables the domain checks look at, with the file each came from."""

    areas: pd.DataFrame | None
    areas_file: str
    indicator_sets: list[tuple[str, pd.DataFrame, pd.DataFrame]]  # (values file, indicators, values)


def validate(sources: Sources, data_dir: Path) -> list:
    """Every problem in the inputs, Frictionless first, then the domain checks."""
    problems = []
    for package in sources.packages:
        problems += package_problems(package, data_dir)
    problems += page_problems(sources, data_dir.parent)
    tables = collect_tables(sources, data_dir)
    if tables.areas is None:
        problems.append(problem("areas-missing", "datapackages/areas/datapackage.json",
                                message="no area registry package named 'areas' with an 'areas' resource",
                                hint="Keep datapackages/areas/ from the project; every value's area_code is checked against it."))
        return problems
    for check in CHECKS:
        problems += list(check(tables))
    return problems


def problem(code, file, row=None, field=None, message="", expected=None, found=None, hint=None, severity="error"):
    """Shorthand for a Problem (imported lazily to keep this module's surface small)."""
    from .problems import Problem
    return Problem(code=code, file=file, row=row, field=field, message=message, expected=expected,
                   found=None if found is None else str(found), hint=hint, severity=severity)


# --- Frictionless layer ---------------------------------------------------------------------------------------

def package_problems(package: PackageSource, data_dir: Path) -> list:
    """Descriptor and table problems of one package, as found by Frictionless and by `load`."""
    rel = package_rel(package, data_dir)
    descriptor_file = f"{rel}/datapackage.json"
    if package.descriptor is None:
        return [problem("package-invalid-json", descriptor_file, message=f"datapackage.json cannot be read: {package.descriptor_error}",
                        hint="Check the JSON syntax (commas, quotes, brackets); a JSON validator shows the exact place.")]
    problems = []
    for name, reason in package.read_errors.items():
        res = package.resource(name) or {}
        code = "resource-path-unsafe" if "package" in reason or "network" in reason else "resource-unreadable"
        problems.append(problem(code, descriptor_file, field=f"resources/{name}/path", message=reason,
                                found=res.get("path"), hint="Put the CSV file inside the package folder and name it by a relative path."))
    if any(p.code == "resource-path-unsafe" for p in problems):
        return problems  # never hand an unsafe path to anything that opens files
    with system.use_context(trusted=False):
        report = fl_validate(str(package.path / "datapackage.json"))
    for error in report.errors:
        problems.append(problem(error.type, descriptor_file, message=error.message,
                                hint="Fix datapackage.json so that it follows the Data Package standard."))
    for task in report.tasks:
        resource_file = f"{rel}/{task.place.rsplit('/', 1)[-1]}" if task.place else descriptor_file
        for error in task.errors:
            row = getattr(error, "row_number", None)
            field_name = getattr(error, "field_name", None) or (error.to_descriptor().get("fieldNames") or [None])[0]
            problems.append(problem(error.type, resource_file, row=row, field=field_name or None,
                                    message=error.message, found=getattr(error, "cell", None),
                                    hint=FRICTIONLESS_HINTS.get(error.type)))
    return problems


FRICTIONLESS_HINTS = {
    "type-error": "Write the cell in the field's type (a number like 12.5, a date like 2024-03-31), or leave it empty.",
    "constraint-error": "The schema in datapackage.json says which values are allowed for this field.",
    "missing-cell": "The row has fewer cells than the header: check for a missing comma.",
    "extra-cell": "The row has more cells than the header: check for an extra comma or an unquoted comma in text.",
    "primary-key": "Each row must be unique on the primary key; remove or correct the duplicate row.",
    "foreign-key": "The value must exist in the referenced table (for example an indicator id in indicators.csv).",
    "incorrect-label": "The header must match the field names in the schema, in the same order.",
    "missing-label": "A column the schema requires is missing from the header.",
    "extra-label": "The file has a column the schema does not describe; remove it or add it to the schema.",
    "blank-row": "Remove the empty row.",
    "encoding-error": "Save the file as UTF-8.",
    "scheme-error": "The resource file is missing: check the file name in datapackage.json.",
    "source-error": "The resource file cannot be read: save it as UTF-8 CSV.",
}


def page_problems(sources: Sources, root: Path) -> list:
    """Markdown pages that could not be read."""
    return [problem("page-unreadable", _rel(page.source, root), message=f"the page cannot be read: {page.error}",
                    hint="Save the page as UTF-8 and check the front matter between the '---' lines.")
            for page in sources.pages if page.error]


def collect_tables(sources: Sources, data_dir: Path) -> Tables:
    """The area registry and each indicator package's tables, where they could be read."""
    areas, areas_file, sets = None, "datapackages/areas/areas.csv", []
    for package in sources.packages:
        rel = package_rel(package, data_dir)
        if package.name == "areas" and "areas" in package.tables:
            areas = package.tables["areas"]
            areas_file = f"{rel}/{(package.resource('areas') or {}).get('path', 'areas.csv')}"
        elif all(name in package.tables for name in INDICATOR_RESOURCES):
            values_file = f"{rel}/{(package.resource('values') or {}).get('path', 'values.csv')}"
            sets.append((values_file, package.tables["indicators"], package.tables["values"]))
    return Tables(areas=areas, areas_file=areas_file, indicator_sets=sets)


def package_rel(package: PackageSource, data_dir: Path) -> str:
    """The package folder as a path people recognise (relative to the project when possible)."""
    return _rel(package.path, data_dir.parent)


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


# --- Domain layer: one small function per problem code ----------------------------------------------------------

def values_rows(tables: Tables) -> Iterator[tuple[str, pd.DataFrame, pd.DataFrame]]:
    """(file, values, indicators) for every indicator package, values carrying their line number in `_line`."""
    for file, indicators, values in tables.indicator_sets:
        yield file, values.assign(_line=range(2, len(values) + 2)), indicators


def unknown_area(tables: Tables) -> Iterable:
    """area-unknown: every area_code must be in the area registry."""
    known = set(tables.areas["code"].dropna()) if "code" in tables.areas else set()
    for file, values, _ in values_rows(tables):
        if "area_code" not in values:
            continue
        bad = values[~values["area_code"].isin(known) & values["area_code"].notna()]
        for line, code in zip(bad["_line"], bad["area_code"]):
            yield problem("area-unknown", file, line, "area_code", f"area code '{code}' is not in the area registry",
                          expected="an ONS code from datapackages/areas/areas.csv", found=code,
                          hint="Use the ICB's ONS code (E54...), a region (E40...) or England (E92000001).")


def area_not_valid_in_period(tables: Tables) -> Iterable:
    """area-not-valid: an area has values only for periods that overlap its validity."""
    areas = tables.areas.set_index("code")
    start = pd.to_datetime(areas.get("valid_from"), errors="coerce")
    end = pd.to_datetime(areas.get("valid_to"), errors="coerce")
    for file, values, _ in values_rows(tables):
        if not {"area_code", "period_start", "period_end"} <= set(values):
            continue
        ps = pd.to_datetime(values["period_start"], errors="coerce")
        pe = pd.to_datetime(values["period_end"], errors="coerce")
        a_from = values["area_code"].map(start)
        a_to = values["area_code"].map(end)
        bad = (pe < a_from) | (ps > a_to)
        for i in values.index[bad.fillna(False)]:
            code = values.at[i, "area_code"]
            valid = f"{areas.at[code, 'valid_from']} to {areas.at[code, 'valid_to'] or 'now'}"
            yield problem("area-not-valid", file, int(values.at[i, "_line"]), "area_code",
                          f"{code} did not exist during {values.at[i, 'period']}", expected=f"a period within {valid}",
                          found=f"{values.at[i, 'period_start']} to {values.at[i, 'period_end']}",
                          hint="Give this period's value to the board that covered the area then (see successions.csv).")


def suppressed_with_value(tables: Tables) -> Iterable:
    """suppressed-has-value: a suppressed row publishes no number."""
    numeric = ["value", "lower_ci", "upper_ci", "numerator", "denominator"]
    for file, values, _ in values_rows(tables):
        if "status" not in values:
            continue
        rows = values[values["status"] == "suppressed"]
        for col in [c for c in numeric if c in values]:
            for line in rows.loc[rows[col].notna(), "_line"]:
                yield problem("suppressed-has-value", file, int(line), col, "a suppressed row must not publish a number",
                              expected="an empty cell", hint="Empty the cell, or change status if the value may be published.")


def value_outside_interval(tables: Tables) -> Iterable:
    """value-outside-interval: lower_ci <= value <= upper_ci."""
    for file, values, _ in values_rows(tables):
        if not {"value", "lower_ci", "upper_ci"} <= set(values):
            continue
        bad = (values["lower_ci"] > values["value"]) | (values["value"] > values["upper_ci"])
        for _, row in values[bad.fillna(False)].iterrows():
            yield problem("value-outside-interval", file, int(row["_line"]), "value",
                          "the value is not inside its own confidence interval",
                          expected=f"between {row['lower_ci']} and {row['upper_ci']}", found=row["value"],
                          hint="Check that lower_ci and upper_ci belong to this row and are not swapped.")


CHECKS = [unknown_area, area_not_valid_in_period, suppressed_with_value, value_outside_interval]
