"""Judge the inputs in two layers, reported together. Never raises for bad data.

1. Structure and cells: the files can be read (present, inside the package, UTF-8), their columns are those of
   the schema, and Frictionless validates types, constraints and keys.
2. Domain checks: small functions, one per problem code (`CODES` in problems.py), listed in `CHECKS`.

Rows are numbered as lines of the file, the header being line 1 (the Frictionless convention).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from frictionless import Checklist, FrictionlessException, Package, Resource, system

from icsite.core import parallel
from icsite.inputs.load import (SNAPSHOT, ContentPage, PackageSource, ReleaseSource, Sources, unsafe_name_reason,
                   unsafe_version_reason)
from icsite.core.markup import render_problems
from icsite.core.periods import parse_period
from icsite.core.problems import CODES, Problem
from icsite.inputs.load import NEEDED_COLUMNS
from icsite.inputs.model import board_points

ENGLAND = "E92000001"
MAX_PER_CHECK = 1000  # problems of one code in one file beyond this are summarised in one more problem
NUMBERS = ["value", "lower_ci", "upper_ci", "numerator", "denominator"]


def validate(sources: Sources, data_dir: Path) -> list[Problem]:
    """Every problem in the inputs, sorted by file, row and code."""
    return combine(first_checks(sources, data_dir), cell_checks(sources, data_dir))


@dataclass
class Findings:
    """Every check but Frictionless's cell checks: the file pre-checks (layer 1) and the domain checks (layer 2)."""

    structure: list[Problem]
    domain: list[Problem]
    tables: "Tables"
    data_dir: str  # as reported (relative to the project)
    crash: Exception | None = None  # a domain check that could not run: broken cells, or a bug if the cells are sound

    @property
    def failed(self) -> bool:
        """Already known to have an error (or a check that could not run), whatever the cell checks find."""
        return self.crash is not None or any(p.severity == "error" for p in self.structure + self.domain)


def first_checks(sources: Sources, data_dir: Path) -> Findings:
    """The file pre-checks and the domain checks: everything that needs no Frictionless (fast)."""
    root = data_dir.parent
    structure = [p for package in sources.packages for p in structure_problems(package, root)[0]]
    structure += duplicate_name_problems(sources.packages, root)
    structure += [p for package in sources.packages for release in package.releases
                  for p in release_problems(release, root)]
    structure += page_problems(sources.pages, root)
    tables = collect_tables(sources, root)
    findings = Findings(structure, [], tables, rel(data_dir, root))
    if tables.areas is not None:
        for check in CHECKS:
            try:
                findings.domain += list(check(tables))
            except (TypeError, ValueError, KeyError, AttributeError) as exc:
                findings.crash = findings.crash or exc
    return findings


def cell_checks(sources: Sources, data_dir: Path, pool=None) -> list:
    """Frictionless's checks of each package's cells: lists of problems, or futures of them when given a pool (so
    that they run in another process while the build goes on; `combine` waits for them)."""
    root = data_dir.parent
    out = []
    for package in sources.packages:
        _, skip, safe = structure_problems(package, root)
        if package.descriptor is None or not safe:
            continue  # nothing to validate; never hand an unsafe path to anything that opens files
        light = dataclasses.replace(package, tables={})  # the tables are not needed: Frictionless reads the files
        args = (light, rel(package.path, root), skip)
        out.append(pool.submit(frictionless_problems, *args) if pool is not None else frictionless_problems(*args))
    return out


def combine(findings: Findings, cells: list) -> list[Problem]:
    """All problems, sorted by file, row and code; a cell already reported as malformed is not reported again."""
    cell_problems = [p for c in cells for p in (c.result() if hasattr(c, "result") else c)]
    problems = findings.structure + cell_problems
    if findings.tables.areas is None:
        if not any(p.code in ("package-invalid-json", "descriptor-invalid") for p in problems):
            problems.append(problem("areas-missing", f"{findings.data_dir}/areas/datapackage.json",
                                    message="no area registry: a package named 'areas' with an 'areas' resource"))
    elif not findings.tables.values and not any(p.severity == "error" for p in problems):
        problems.append(problem("indicators-missing", findings.data_dir,
                                message="no indicator package: nothing to publish"))
    if findings.crash is not None and not any(p.severity == "error" for p in problems):
        # a check that cannot run on a table layer 1 found broken is skipped (the report already says what to fix
        # first); on tables layer 1 found sound it is a bug
        raise findings.crash
    reported = {(p.file, p.row, p.field) for p in problems}
    problems += [p for p in findings.domain if (p.file, p.row, p.field) not in reported]
    return sorted(set(problems), key=lambda p: (p.file, p.row or 0, p.code, p.field or ""))


def problem(code: str, file: str, row=None, field=None, message="", expected=None, found=None, hint=None,
            severity="error") -> Problem:
    """A Problem with the code's standard hint unless one is given."""
    assert code in CODES, f"undocumented problem code {code}"
    return Problem(code=code, file=file, row=None if row is None else int(row), field=field, message=message,
                   expected=None if expected is None else str(expected), found=None if found is None else str(found),
                   hint=hint or CODES[code][1], severity=severity)


def rel(path: Path, root: Path) -> str:
    """A path as people recognise it: relative to the project (the data folder's parent) when possible. A link is
    named where it is, not where it leads."""
    try:
        return (Path(os.path.realpath(path.parent)) / path.name).relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


# --- Layer 1: structure and cells -------------------------------------------------------------------------------

def structure_problems(package: PackageSource, root: Path) -> tuple[list[Problem], set[str], bool]:
    """Problems with one package's descriptor, files and columns; the resources whose cells Frictionless should not
    be asked about; and whether Frictionless may be given the package (every path safe to open, nothing for it to
    fetch from elsewhere)."""
    folder = rel(package.path, root)
    descriptor_file = f"{folder}/datapackage.json"
    if package.descriptor is None:
        return [descriptor_problem(package, folder)], set(), False
    problems = [read_problem(package, name, reason, folder) for name, reason in sorted(package.read_errors.items())]
    skip = set(package.read_errors)
    for name, header in package.headers.items():
        header_problems = column_problems(package, name, header, folder)
        problems += header_problems
        if header_problems:
            skip.add(name)
    problems += name_problems(package, descriptor_file)
    references = reference_problems(package, descriptor_file)
    safe = not references and not any(code in NEVER_OPEN for code, _, _ in package.read_errors.values())
    return problems + references, skip, safe


#: read errors located at the file itself (the others are located at the resource's path in datapackage.json)
IN_FILE = {"encoding-not-utf8", "control-character", "resource-unreadable", "file-not-regular", "file-unreadable",
           "file-too-large", "line-too-long", "header-too-wide", "row-too-wide"}
#: read errors after which nothing may open the package's files again (Frictionless included)
NEVER_OPEN = {"resource-path-unsafe", "file-not-regular", "file-unreadable", "file-too-large", "line-too-long",
              "header-too-wide", "row-too-wide"}


def descriptor_problem(package: PackageSource, folder: str) -> Problem:
    """Why a package's (or a release's) datapackage.json could not be read."""
    file = f"{folder}/datapackage.json"
    if package.descriptor_error == "missing":
        return problem("package-descriptor-missing", file, severity="warning",
                       message=f"the folder {folder} has no datapackage.json and is not published")
    return problem(package.descriptor_code, file, message=package.descriptor_error or "")


def read_problem(package: PackageSource, name: str, reason: tuple, folder: str) -> Problem:
    """A resource that could not be read: at the file when the file is at fault, else at its path in the
    descriptor."""
    code, message, line = reason
    res = package.resource(name) or {}
    path = res.get("path") if isinstance(res.get("path"), str) else None
    if code in IN_FILE and path:
        return problem(code, f"{folder}/{path}", row=line, message=message)
    return problem(code, f"{folder}/datapackage.json", field=f"resources/{name}/path", message=message, found=path)


PROFILE = re.compile(r"[a-z0-9-]+")  # a profile by its name, e.g. tabular-data-package


def reference_problems(package: PackageSource, file: str) -> list[Problem]:
    """descriptor-invalid: a profile that is not a name, or a schema or dialect that is not written in the
    descriptor. Frictionless would fetch such a reference from another file or the network, from anywhere."""
    parts = [("", package.descriptor)] + [(f"resources/{res.get('name')}/", res) for res in package.resources()]
    out = [problem("descriptor-invalid", file, field=f"{where}profile", found=part["profile"],
                   expected="a profile's name, such as tabular-data-resource",
                   message="a profile is given by its name, not by an address")
           for where, part in parts if not named_profile(part)]
    out += [problem("descriptor-invalid", file, field=f"{where}{key}", found=part[key],
                    message=f"the {key} must be written out in datapackage.json (an object), not referred to in "
                            "another file or at a web address, which the build does not read")
            for where, part in parts[1:] for key in ("schema", "dialect")
            if key in part and not isinstance(part[key], dict)]
    return out


def named_profile(part: dict) -> bool:
    """Whether a descriptor (or a resource) has no profile or names one, rather than giving its address."""
    profile = part.get("profile")
    return profile is None or isinstance(profile, str) and PROFILE.fullmatch(profile) is not None


def name_problems(package: PackageSource, file: str) -> list[Problem]:
    """name-unsafe and version-unsafe: a package's name, its resources' names and its version become parts of the
    site's addresses and of the repository's release folders."""
    out = []
    reason = unsafe_name_reason(package.name)
    if reason:
        out.append(problem("name-unsafe", file, field="name", message=f"the package name cannot be part of an "
                           f"address: {reason}", found=package.name))
    for i, res in enumerate(package.resources()):
        reason = unsafe_name_reason(res.get("name")) if isinstance(res.get("name"), str) else None
        if reason:
            out.append(problem("name-unsafe", file, field=f"resources/{i}/name", message=f"the resource name cannot "
                               f"be part of an address: {reason}", found=res.get("name")))
    version = package.descriptor.get("version")
    reason = unsafe_version_reason(version)
    if reason:
        out.append(problem("version-unsafe", file, field="version", message=reason, found=version))
    return out


def duplicate_name_problems(packages: list[PackageSource], root: Path) -> list[Problem]:
    """package-name-duplicate: a package named as an earlier one (by folder) would be published over it."""
    first: dict[str, PackageSource] = {}
    out = []
    for package in packages:
        if package.descriptor is None:
            continue
        if package.name in first:
            out.append(problem("package-name-duplicate", f"{rel(package.path, root)}/datapackage.json", field="name",
                               message=f"the package name '{package.name}' is also the name of "
                                       f"{rel(first[package.name].path, root)}/datapackage.json",
                               found=package.name))
        first.setdefault(package.name, package)
    return out


def column_problems(package: PackageSource, name: str, header: list[str], folder: str) -> list[Problem]:
    """Columns missing from the file, unknown to the schema, or out of the schema's order."""
    res = package.resource(name) or {}
    if "schema" in res and not isinstance(res["schema"], dict):
        return []  # a schema given by reference: reference_problems says so, and there are no fields to compare
    schema = res.get("schema", {})
    listed = schema.get("fields") if isinstance(schema.get("fields"), list) else []
    fields = [f["name"] for f in listed if isinstance(f, dict) and isinstance(f.get("name"), str)]
    file = f"{folder}/{res.get('path')}"
    out = [problem("column-missing", file, 1, f, f"the column '{f}' is missing from the header",
                   expected=", ".join(fields)) for f in fields if f not in header]
    out += [problem("column-unknown", file, 1, c, f"the column '{c}' is not in the schema",
                    expected=", ".join(fields), found=c) for c in header if c not in fields]
    if not out and header != fields:
        out.append(problem("column-misplaced", file, 1, None, "the columns are not in the schema's order",
                           expected=", ".join(fields), found=", ".join(header)))
    return out


# --- Archived releases and content pages (layer 1 too) ------------------------------------------------------------

def release_problems(release: ReleaseSource, root: Path) -> list[Problem]:
    """An archived release, `releases/<version>/`, must be as `build.py release` kept it, so that the release
    history can read it: its descriptor valid and named by its folder, its files safe and readable with the columns
    the history reads (its cells are not checked again: they were valid when released)."""
    folder = rel(release.path, root)
    problems, _, safe = structure_problems(release, root)
    if release.descriptor is None or not safe:
        return problems  # as for a package, an unsafe path is reported alone
    file = f"{folder}/datapackage.json"
    version = release.descriptor.get("version")
    if version is not None and str(version) != release.path.name:
        problems.append(problem("release-version-mismatch", file, field="version", found=version,
                                message=f"the release is kept in the folder '{release.path.name}' but its "
                                        f"datapackage.json gives the version '{version}'", expected=release.path.name))
    problems += descriptor_standard_problems(release.descriptor, file)
    located = {(p.code, p.file, p.row, p.field) for p in problems}
    problems += [p for p in needed_column_problems(release, folder) if (p.code, p.file, p.row, p.field) not in located]
    if release.comparisons_error is not None:
        code, message, line = release.comparisons_error
        problems.append(problem(code, f"{folder}/{SNAPSHOT}", row=line, message=message))
    return problems


def needed_column_problems(release: ReleaseSource, folder: str) -> list[Problem]:
    """column-missing: a column the release history reads (NEEDED_COLUMNS) is not in a release's file."""
    headers = dict(release.headers)
    if release.comparisons is not None:
        headers[SNAPSHOT] = list(release.comparisons.columns)
    out = []
    for name, header in headers.items():
        needed = NEEDED_COLUMNS.get(name, [])
        path = (release.resource(name) or {}).get("path", name) if name != SNAPSHOT else SNAPSHOT
        out += [problem("column-missing", f"{folder}/{path}", 1, c, f"the column '{c}' is missing from the header",
                        expected=", ".join(needed)) for c in needed if c not in header]
    return out


def descriptor_standard_problems(descriptor: dict, file: str) -> list[Problem]:
    """descriptor-invalid: the descriptor alone (not its data) against the Data Package standard."""
    try:
        with system.use_context(trusted=False):
            report = Package.validate_descriptor(descriptor)
    except FrictionlessException as exc:
        return [problem("descriptor-invalid", file, message=exc.error.message)]
    return [problem("descriptor-invalid", file, message=e.message) for e in report.errors]


def page_problems(pages: list[ContentPage], root: Path) -> list[Problem]:
    """Pages that cannot be read, front matter the build cannot use, markdown it cannot render in bounded time, and
    pages at addresses already taken."""
    out = []
    for page in pages:
        file = rel(page.source, root)
        if page.error:
            out.append(problem(page.error_code, file, message=page.error if page.error_code != "page-unreadable"
                               else f"the page cannot be read: {page.error}"))
        else:
            out += page_field_problems(page, file)
    readable = [p for p in pages if not p.error]
    out += [problem("page-too-complex", rel(page.source, root), message=why)
            for page, why in zip(readable, render_problems([p.body for p in readable])) if why]
    return out + address_problems(readable, root)


TEXT, FLAG, NUMBER = "text", "true or false", "a number"
#: The front matter keys the build reads and what each must be (other keys are ignored). `template` names the
#: theme template of the page; only content.html renders a markdown page.
PAGE_FIELDS = {"title": TEXT, "description": TEXT, "nav_title": TEXT, "footer_title": TEXT, "nav": FLAG,
               "footer": FLAG, "nav_order": NUMBER, "footer_order": NUMBER, "template": "content.html"}


def fits(value, kind: str) -> bool:
    """Whether a front matter value is of the kind PAGE_FIELDS gives (an empty value is no value, but for a number,
    which the navigation sorts by)."""
    if kind == TEXT:
        return value is None or isinstance(value, (str, int, float, datetime.date)) and not isinstance(value, bool)
    if kind == FLAG:
        return value is None or isinstance(value, bool)
    if kind == NUMBER:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return value == kind


def page_field_problems(page: ContentPage, file: str) -> list[Problem]:
    """page-field-invalid: each front matter key the build reads holds the kind of value it can use."""
    return [problem("page-field-invalid", file, field=key, expected=kind, found=repr(page.meta[key]),
                    message=f"the front matter's '{key}' must be {kind}")
            for key, kind in PAGE_FIELDS.items() if key in page.meta and not fits(page.meta[key], kind)]


#: Where the build writes its own pages and files (pages.py, comparepages.py, datapages.py, datafiles.py,
#: pipeline.py, search.py): a markdown page may be published at none of these folders, nor inside one, nor at a file's
#: name. (api/ itself is the API's documentation page, content/api.md; api/v1/ holds the generated files.)
GENERATED_FOLDERS = ("ics", "indicators", "compare", "regions", "data", "search", "assets", "pagefind", "api/v1")
GENERATED_FILES = ("index.html", "404.html", "feed.xml", "robots.txt", "sitemap.xml", ".nojekyll")


def address_taken(slug: str) -> str | None:
    """Why a page published at `slug`/ would replace or fall inside an address of the build's own, or None
    (compared without case, as some file systems do)."""
    low = slug.lower()
    if low == "":
        return "that is the home page's address"
    for folder in GENERATED_FOLDERS:
        if low == folder or low.startswith(folder + "/"):
            return f"the build writes its own pages at {folder}/ and below it"
    first = low.split("/")[0]
    return f"the build writes the file {first} there" if first in GENERATED_FILES else None


def address_problems(pages: list[ContentPage], root: Path) -> list[Problem]:
    """page-address-taken: a page at an address of the build's own, or at another page's (each of those pages)."""
    files = {page.source: rel(page.source, root) for page in pages}
    by_address: dict[str, list[str]] = {}
    for page in pages:
        by_address.setdefault(page.slug.lower(), []).append(files[page.source])
    out = []
    for page in pages:
        others = [f for f in by_address[page.slug.lower()] if f != files[page.source]]
        taken = address_taken(page.slug) or (f"so would {', '.join(others)}" if others else None)
        address = f"{page.slug}/" if page.slug else "the site's root"
        if taken:
            out.append(problem("page-address-taken", files[page.source], found=address,
                               expected="an address of its own",
                               message=f"the page would be published at {address}: {taken}"))
    return out


FRICTIONLESS_CODES = {
    "type-error": "type-error", "missing-cell": "missing-cell", "extra-cell": "extra-cell",
    "blank-row": "blank-row", "primary-key": "duplicate-key", "foreign-key": "reference-missing",
    "unique-error": "constraint-unique",
}
CONSTRAINT_CODES = {"required": "constraint-required", "enum": "constraint-enum", "pattern": "constraint-pattern",
                    "unique": "constraint-unique"}
#: Checked in layer 1 or by the domain checks, so not asked of Frictionless (no duplicate reports).
SKIPPED = ["extra-label", "missing-label", "incorrect-label", "blank-label", "duplicate-label", "encoding-error",
           "scheme-error", "source-error", "hash-count", "byte-count"]


def frictionless_problems(package: PackageSource, folder: str, skip: set[str]) -> list[Problem]:
    """Frictionless validation of the package, its codes translated to ours.

    The values table is validated without its keys (the domain checks value-duplicate and indicator-unknown do that
    for every package, vectorised) and with its date fields read as text of the form YYYY-MM-DD (the domain check
    date_not_real parses them, vectorised): the same rules, about twice as fast. A large values file is also split
    into parts validated in parallel, one per processor.
    """
    descriptor_file = f"{folder}/datapackage.json"
    descriptor, dates_as_text = validation_view(package.descriptor)
    large = [r for r in descriptor.get("resources", []) if r.get("name") == "values" and r.get("name") not in skip
             and (package.path / r["path"]).stat().st_size > CHUNK_BYTES and (os.cpu_count() or 1) > 1]
    if large:
        descriptor["resources"] = [r for r in descriptor["resources"] if r is not large[0]]
    try:
        with system.use_context(trusted=False):
            report = Package(descriptor, basepath=str(package.path)).validate(
                Checklist(skip_errors=SKIPPED), limit_errors=MAX_PER_CHECK)
    except FrictionlessException as exc:
        return [problem("descriptor-invalid", descriptor_file, message=exc.error.message)]
    problems = [problem("descriptor-invalid", descriptor_file, message=e.message) for e in report.errors]
    found = [(task.name, e.to_descriptor()) for task in report.tasks if task.name not in skip for e in task.errors]
    if large:
        found += [("values", e) for e in validate_in_parts(large[0], package.path)]
    for name, error in found:
        file = f"{folder}/{(package.resource(name) or {}).get('path', name)}"
        problems.append(translate(error, file, descriptor_file, dates_as_text.get(name, set())))
    return drop_cascades(problems)


CHUNK_BYTES = 8_000_000  # values files larger than this are validated in parallel parts


def validate_in_parts(resource: dict, folder: Path) -> list[dict]:
    """Validate one large CSV resource as parts in parallel processes; errors with rows renumbered for the file."""
    data = (folder / resource["path"]).read_bytes()
    header_end = data.index(b"\n") + 1 if b"\n" in data else len(data)
    header, body = data[:header_end], data[header_end:]
    if b'"' in body:  # quoted cells may hold newlines: only Frictionless itself can split such a file safely
        return validate_part(resource, header + body, 0)
    parts = os.cpu_count() or 2
    cuts, offsets, start = [], [], 0
    for i in range(1, parts + 1):
        end = len(body) if i == parts else body.find(b"\n", len(body) * i // parts) + 1 or len(body)
        if end > start:
            cuts.append(header + body[start:end])
            offsets.append(body.count(b"\n", 0, start))
        start = max(start, end)
    with parallel.pool(len(cuts)) as pool:
        results = pool.map(validate_part, [resource] * len(cuts), cuts, offsets)
        return [error for part in results for error in part]


def validate_part(resource: dict, content: bytes, offset: int) -> list[dict]:
    """Frictionless errors of one part of a CSV resource, as dicts, with row numbers moved by `offset`."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "part.csv").write_bytes(content)
        try:
            with system.use_context(trusted=False):
                report = Resource(dict(resource, path="part.csv"), basepath=tmp).validate(
                    Checklist(skip_errors=SKIPPED), limit_errors=MAX_PER_CHECK)
        except FrictionlessException as exc:  # the resource's own descriptor is invalid
            return [{"type": exc.error.type, "message": exc.error.message}]
    errors = [e.to_descriptor() for e in report.tasks[0].errors] if report.tasks else []
    for e in errors:
        if e.get("rowNumber"):
            e["rowNumber"] += offset
    return errors


def validation_view(descriptor: dict) -> tuple[dict, dict[str, set[str]]]:
    """The descriptor Frictionless checks: the values table without keys and with dates as patterned text."""
    view = copy.deepcopy(descriptor)
    dates_as_text: dict[str, set[str]] = {}
    for res in view.get("resources", []) if isinstance(view.get("resources"), list) else []:
        schema = res.get("schema") if isinstance(res, dict) else None
        if not isinstance(schema, dict) or res.get("name") != "values":
            continue
        schema.pop("primaryKey", None)
        schema.pop("foreignKeys", None)
        for f in schema.get("fields", []):
            if isinstance(f, dict) and f.get("type") == "date" and f.get("format", "default") == "default":
                f["type"] = "string"
                constraints = f.setdefault("constraints", {})
                if isinstance(constraints, dict):
                    constraints["pattern"] = DATE_PATTERN
                    dates_as_text.setdefault(res["name"], set()).add(f.get("name"))
    return view, dates_as_text


DATE_PATTERN = r"\d{4}-\d{2}-\d{2}"


def translate(error: dict, file: str, descriptor_file: str, date_fields: set[str] = frozenset()) -> Problem:
    """One Frictionless error (as its descriptor dict) as one of our problems."""
    kind, note, cell = error.get("type"), error.get("note") or "", error.get("cell")
    row = error.get("rowNumber")
    field = error.get("fieldName") or None  # Frictionless gives "" for an extra cell's field
    if kind == "constraint-error" and field in date_fields and 'constraint "pattern"' in note:
        return problem("type-error", file, row, field, f'the cell "{cell}" is not a date', "a date like 2024-03-31",
                       cell)
    if kind == "constraint-error":
        constraint = re.search(r'constraint "(\w+)"', note)
        code = CONSTRAINT_CODES.get(constraint[1] if constraint else "", "constraint-range")
        return problem(code, file, row, field, f"the cell does not meet the constraint: {note}", expected=note,
                       found=cell)
    if kind in FRICTIONLESS_CODES:
        if kind == "foreign-key":
            field = (error.get("fieldNames") or [None])[0]
        return problem(FRICTIONLESS_CODES[kind], file, row, field, error.get("message", ""), found=cell)
    if row is None:
        return problem("descriptor-invalid", descriptor_file, message=error.get("message", ""))
    return problem("type-error", file, row, field, error.get("message", ""), found=cell)


def drop_cascades(problems: list[Problem]) -> list[Problem]:
    """A missing cell is not also reported as an empty required cell."""
    missing = {(p.file, p.row, p.field) for p in problems if p.code == "missing-cell"}
    return [p for p in problems if not (p.code == "constraint-required" and (p.file, p.row, p.field) in missing)]


# --- Layer 2: the domain checks -------------------------------------------------------------------------------

@dataclass
class ValuesTable:
    """One package's values with what the checks need alongside."""

    file: str
    frame: pd.DataFrame  # values, with `_line` and the indicator's value_type, multiplier and decimals
    indicator_ids: set[str]
    indicators_file: str


@dataclass
class Tables:
    """The tables the domain checks look at."""

    areas: pd.DataFrame | None
    areas_file: str
    successions: pd.DataFrame | None
    successions_file: str
    values: list[ValuesTable]


def collect_tables(sources: Sources, root: Path) -> Tables:
    """The area registry and each indicator package's values, where they could be read."""
    tables = Tables(None, "", None, "", [])
    for package in sources.packages:
        folder = rel(package.path, root)
        path = lambda name: f"{folder}/{(package.resource(name) or {}).get('path', name + '.csv')}"  # noqa: E731
        if package.name == "areas" and "areas" in package.tables and "code" in package.tables["areas"]:
            tables.areas, tables.areas_file = package.tables["areas"], path("areas")
            if "successions" in package.tables:
                tables.successions, tables.successions_file = package.tables["successions"], path("successions")
        elif "values" in package.tables and "indicators" in package.tables:
            indicators = package.tables["indicators"]
            values = package.tables["values"].copy()
            for col in [c for c in NUMBERS if c in values]:  # whatever the schema declared, compare as numbers
                values[col] = pd.to_numeric(values[col], errors="coerce")
            values["_line"] = np.arange(2, len(values) + 2)
            values = values[~values.drop(columns="_line").isna().all(axis=1)]  # blank lines: Frictionless says so
            if "id" in indicators:
                meta = indicators.drop_duplicates("id").set_index("id")
                for col, default in (("value_type", None), ("multiplier", 1.0), ("decimals", 1)):
                    source = meta[col] if col in meta else pd.Series(default, index=meta.index)
                    if col != "value_type":  # numbers whatever the schema says (layer 1 reports a wrong type)
                        source = pd.to_numeric(source, errors="coerce")
                    values["_" + col] = values["indicator_id"].map(source) if "indicator_id" in values else default
            tables.values.append(ValuesTable(path("values"), values, set(indicators.get("id", pd.Series()).dropna()),
                                             path("indicators")))
    return tables


def emit(code: str, file: str, rows: pd.DataFrame, field: str | None, message, expected=None, found=None,
         severity="error") -> Iterator[Problem]:
    """Problems for the flagged rows (capped at MAX_PER_CHECK, then one summary); message etc. may be callables."""
    for count, (_, row) in enumerate(rows.iterrows()):
        if count == MAX_PER_CHECK:
            yield problem(code, file, None, field, f"... and {len(rows) - MAX_PER_CHECK} more rows with this problem",
                          severity=severity)
            return
        call = lambda x: x(row) if callable(x) else x  # noqa: E731
        yield problem(code, file, row["_line"], field, call(message), call(expected), call(found), severity=severity)


def has(frame: pd.DataFrame, *columns: str) -> bool:
    return all(c in frame for c in columns)


def area_unknown(t: Tables) -> Iterable[Problem]:
    """area-unknown: every area_code is in the area registry."""
    known = set(t.areas["code"].dropna())
    for v in t.values:
        if has(v.frame, "area_code"):
            bad = v.frame[v.frame["area_code"].notna() & ~v.frame["area_code"].isin(known)]
            yield from emit("area-unknown", v.file, bad, "area_code",
                            lambda r: f"area code '{r['area_code']}' is not in the area registry",
                            "an ONS code from the area registry", lambda r: r["area_code"])


def area_not_valid(t: Tables) -> Iterable[Problem]:
    """area-not-valid: an area has values only for periods that overlap its validity."""
    areas = t.areas.drop_duplicates("code").set_index("code")
    if not has(areas, "valid_from", "valid_to"):
        return
    valid_from, valid_to = areas["valid_from"], areas["valid_to"]
    for v in t.values:
        f = v.frame
        if not has(f, "area_code", "period_start", "period_end"):
            continue
        start, end = dates(f["period_start"]), dates(f["period_end"])
        opened, closed = dates(f["area_code"].map(valid_from)), dates(f["area_code"].map(valid_to))
        bad = f[((end < opened) | (start > closed)).fillna(False)]
        yield from emit("area-not-valid", v.file, bad, "area_code",
                        lambda r: f"{r['area_code']} did not exist during {r['period']}",
                        lambda r: f"a period within {areas.at[r['area_code'], 'valid_from']} to "
                                  f"{areas.at[r['area_code'], 'valid_to'] if pd.notna(areas.at[r['area_code'], 'valid_to']) else 'now'}",
                        lambda r: f"{r['period_start']} to {r['period_end']}")


def indicator_unknown(t: Tables) -> Iterable[Problem]:
    """indicator-unknown: every indicator_id is in the package's indicators.csv."""
    for v in t.values:
        if has(v.frame, "indicator_id"):
            bad = v.frame[v.frame["indicator_id"].notna() & ~v.frame["indicator_id"].isin(v.indicator_ids)]
            yield from emit("indicator-unknown", v.file, bad, "indicator_id",
                            lambda r: f"indicator '{r['indicator_id']}' is not in {v.indicators_file}",
                            "an id from indicators.csv", lambda r: r["indicator_id"])


def indicator_duplicate(t: Tables) -> Iterable[Problem]:
    """indicator-duplicate: an indicator id belongs to one package only."""
    seen: dict[str, str] = {}
    for v in t.values:
        for ind in sorted(v.indicator_ids):
            if ind in seen:
                yield problem("indicator-duplicate", v.indicators_file, None, "id",
                              f"indicator '{ind}' is also defined in {seen[ind]}", found=ind)
            else:
                seen[ind] = v.indicators_file


def value_duplicate(t: Tables) -> Iterable[Problem]:
    """value-duplicate: one row per indicator, area and period."""
    key = ["indicator_id", "area_code", "period"]
    for v in t.values:
        if has(v.frame, *key):
            first_lines = v.frame.drop_duplicates(key).set_index(key)["_line"]
            dup = v.frame[v.frame.duplicated(key, keep="first")]
            yield from emit("value-duplicate", v.file, dup, "period",
                            lambda r: f"a second row for {r['indicator_id']}, {r['area_code']}, {r['period']}",
                            lambda r: f"one row (the first is line {first_lines.loc[tuple(r[k] for k in key)]})")


def value_missing(t: Tables) -> Iterable[Problem]:
    """value-missing: a row that is not suppressed has a value."""
    for v in t.values:
        if has(v.frame, "value", "status"):
            bad = v.frame[v.frame["value"].isna() & v.frame["status"].notna() & (v.frame["status"] != "suppressed")]
            yield from emit("value-missing", v.file, bad, "value", "the value is empty but the row is not suppressed",
                            "a number, or status 'suppressed'")


def suppressed_has_value(t: Tables) -> Iterable[Problem]:
    """suppressed-has-value: a suppressed row publishes no number."""
    for v in t.values:
        if not has(v.frame, "status"):
            continue
        rows = v.frame[v.frame["status"] == "suppressed"]
        for col in [c for c in NUMBERS if c in rows]:
            yield from emit("suppressed-has-value", v.file, rows[rows[col].notna()], col,
                            f"a suppressed row must not publish a {col}", "an empty cell", lambda r, c=col: r[c])


def interval_problems(t: Tables) -> Iterable[Problem]:
    """interval-inverted, interval-incomplete and value-outside-interval."""
    for v in t.values:
        f = v.frame
        if not has(f, "value", "lower_ci", "upper_ci"):
            continue
        inverted = f[(f["lower_ci"] > f["upper_ci"]).fillna(False)]
        yield from emit("interval-inverted", v.file, inverted, "lower_ci", "the lower limit is above the upper limit",
                        lambda r: f"lower_ci <= {r['upper_ci']}", lambda r: r["lower_ci"])
        incomplete = f[f["lower_ci"].isna() != f["upper_ci"].isna()]
        yield from emit("interval-incomplete", v.file, incomplete,
                        "upper_ci", "only one limit of the interval is given", "both limits or neither")
        outside = f[((f["value"] < f["lower_ci"]) | (f["value"] > f["upper_ci"])).fillna(False)
                    & ~(f["lower_ci"] > f["upper_ci"]).fillna(False)]
        yield from emit("value-outside-interval", v.file, outside, "value", "the value is not inside its own interval",
                        lambda r: f"between {r['lower_ci']} and {r['upper_ci']}", lambda r: r["value"])


def count_problems(t: Tables) -> Iterable[Problem]:
    """count-negative, numerator-exceeds-denominator, proportion-out-of-range and value-inconsistent."""
    for v in t.values:
        f = v.frame
        if not has(f, *NUMBERS, "_value_type", "_multiplier"):
            continue
        for col in ("numerator", "denominator"):
            yield from emit("count-negative", v.file, f[(f[col] < 0).fillna(False)], col, f"the {col} is negative",
                            "zero or more", lambda r, c=col: r[c])
        count_type = f["_value_type"] == "count"
        yield from emit("count-negative", v.file, f[(count_type & (f["value"] < 0)).fillna(False)], "value",
                        "a count is negative", "zero or more", lambda r: r["value"])
        proportion = f["_value_type"] == "proportion"
        over = f[(proportion & (f["numerator"] > f["denominator"]) & (f["denominator"] >= 0)).fillna(False)]
        yield from emit("numerator-exceeds-denominator", v.file, over, "numerator",
                        "the numerator of a proportion is larger than its denominator",
                        lambda r: f"at most {r['denominator']}", lambda r: r["numerator"])
        out = f[(proportion & ((f["value"] < 0) | (f["value"] > f["_multiplier"]))).fillna(False)]
        yield from emit("proportion-out-of-range", v.file, out, "value", "a proportion outside 0% to 100%",
                        lambda r: f"between 0 and {r['_multiplier']:g}", lambda r: r["value"])
        ratio = (f["numerator"] / f["denominator"].where(f["denominator"] > 0)) * f["_multiplier"]
        tolerance = np.maximum(0.5 * 10.0 ** (-pd.to_numeric(f["_decimals"], errors="coerce").fillna(1)), 1e-3 * f["value"].abs())
        checked = f["_value_type"].isin(["proportion", "crude_rate"])
        wrong = f[(checked & ((f["value"] - ratio).abs() > tolerance)).fillna(False)]
        yield from emit("value-inconsistent", v.file, wrong, "value",
                        lambda r: "the value does not equal numerator / denominator x multiplier",
                        lambda r: f"{r['numerator'] / r['denominator'] * r['_multiplier']:.4g}", lambda r: r["value"])


def period_problems(t: Tables) -> Iterable[Problem]:
    """period-dates-inverted, period-label-mismatch and period-label-unknown."""
    for v in t.values:
        f = v.frame
        if not has(f, "period", "period_start", "period_end"):
            continue
        start, end = dates(f["period_start"]), dates(f["period_end"])
        yield from emit("period-dates-inverted", v.file, f[(start > end).fillna(False)], "period_start",
                        "period_start is after period_end", lambda r: f"on or before {r['period_end']}",
                        lambda r: r["period_start"])
        spans = {label: parse_period(label) for label in f["period"].dropna().unique()}
        unknown = f[f["period"].map(lambda p: p in spans and spans[p] is None)]
        yield from emit("period-label-unknown", v.file, unknown.drop_duplicates("period"), "period",
                        lambda r: f"the period label '{r['period']}' is in no known format", severity="warning",
                        found=lambda r: r["period"])
        ok_dates = start.notna() & end.notna() & (start <= end)
        pairs = f.loc[ok_dates, ["period"]].assign(s=start[ok_dates].dt.date, e=end[ok_dates].dt.date)
        agree = {}
        for label, s, e in pairs.drop_duplicates().itertuples(index=False):
            span = spans.get(label)
            agree[(label, s, e)] = span is None or span.agrees(s, e)
        bad_keys = {k for k, ok in agree.items() if not ok}
        if bad_keys:
            mask = [(p, s, e) in bad_keys for p, s, e in zip(pairs["period"], pairs["s"], pairs["e"])]
            bad = f.loc[pairs.index[mask]]
            yield from emit("period-label-mismatch", v.file, bad, "period",
                            lambda r: f"the label '{r['period']}' does not agree with its dates",
                            lambda r: spans[r["period"]].describe(), lambda r: f"{r['period_start']} to {r['period_end']}")


def england_missing(t: Tables) -> Iterable[Problem]:
    """england-missing (warning): every period with ICB values has an England value to compare with."""
    icbs = set(t.areas.loc[t.areas.get("type", pd.Series(dtype=str)) == "icb", "code"]) if "type" in t.areas else set()
    for v in t.values:
        f = v.frame
        if not has(f, "indicator_id", "area_code", "period"):
            continue
        england = set(zip(f.loc[f["area_code"] == ENGLAND, "indicator_id"], f.loc[f["area_code"] == ENGLAND, "period"]))
        icb_rows = f[f["area_code"].isin(icbs) & f["period"].notna() & f["indicator_id"].notna()]
        icb_rows = icb_rows.drop_duplicates(["indicator_id", "period"])
        lacking = icb_rows[[k not in england for k in zip(icb_rows["indicator_id"], icb_rows["period"])]]
        yield from emit("england-missing", v.file, lacking, "area_code",
                        lambda r: f"no England value for {r['indicator_id']} in {r['period']} (first ICB row shown)",
                        "a row with area_code E92000001", severity="warning")


def succession_dates(t: Tables) -> Iterable[Problem]:
    """succession-dates: a successor starts on the succession date and its predecessor ends the day before."""
    s = t.successions
    if s is None or not has(s, "predecessor_code", "successor_code", "date") or not has(t.areas, "valid_from", "valid_to"):
        return
    areas = t.areas.drop_duplicates("code").set_index("code")
    s = s.assign(_line=np.arange(2, len(s) + 2))
    day = dates(s["date"])
    starts = dates(s["successor_code"].map(areas["valid_from"]))
    ends = dates(s["predecessor_code"].map(areas["valid_to"]))
    bad = s[((starts != day) | (ends != day - pd.Timedelta(days=1))).fillna(False) & day.notna()
            & starts.notna() & ends.notna()]
    yield from emit("succession-dates", t.successions_file, bad, "date",
                    lambda r: f"{r['predecessor_code']} -> {r['successor_code']} on {r['date']} does not match "
                              "the areas' validity", "the successor's valid_from, the day after the predecessor's valid_to",
                    lambda r: r["date"])


def area_location_missing(t: Tables) -> Iterable[Problem]:
    """area-location-missing (warning): an ICB the tile maps cannot place (no lat/long, nor any predecessor's)."""
    if not has(t.areas, "code", "type", "lat", "long"):
        return
    areas = t.areas.assign(_line=np.arange(2, len(t.areas) + 2),
                           lat=pd.to_numeric(t.areas["lat"], errors="coerce"),
                           long=pd.to_numeric(t.areas["long"], errors="coerce"))
    successions = t.successions if t.successions is not None and has(t.successions, "predecessor_code",
                                                                       "successor_code") else None
    icbs = areas[areas["type"] == "icb"]
    placed = board_points(areas, successions if successions is not None else
                          pd.DataFrame(columns=["predecessor_code", "successor_code"]), icbs["code"])
    yield from emit("area-location-missing", t.areas_file, icbs[~icbs["code"].isin(placed)], "lat",
                    lambda r: f"{r['code']} has no lat/long, nor has any predecessor: it is left off the tile maps",
                    "a latitude and longitude (the ONS label point)", severity="warning")


def date_not_real(t: Tables) -> Iterable[Problem]:
    """type-error for a period date of the right form that is not a real day (2026-02-30)."""
    for v in t.values:
        for col in ("period_start", "period_end"):
            if has(v.frame, col):
                text = v.frame[col]
                shaped = text.notna() & text.astype("str").str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False)
                bad = v.frame[shaped & dates(text).isna()]
                yield from emit("type-error", v.file, bad, col, lambda r, c=col: f'the cell "{r[c]}" is not a date',
                                "a date like 2024-03-31", lambda r, c=col: r[c])


def dates(series: pd.Series) -> pd.Series:
    """Dates parsed leniently (unparseable cells are NaT: Frictionless reports them as type errors)."""
    return pd.to_datetime(series.astype("string"), errors="coerce", format="%Y-%m-%d")


CHECKS = [date_not_real, area_unknown, area_not_valid, indicator_unknown, indicator_duplicate, value_duplicate, value_missing,
          suppressed_has_value, interval_problems, count_problems, period_problems, england_missing,
          succession_dates, area_location_missing]

