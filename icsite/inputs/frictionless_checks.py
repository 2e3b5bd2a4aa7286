"""Layer 1, cells: Frictionless validates each package's types, constraints and keys; its errors become our problems.
"""

from __future__ import annotations

import copy
import os
import re
import tempfile
from pathlib import Path

from frictionless import Checklist, FrictionlessException, Package, Resource, system

from icsite.core import parallel
from icsite.core.problems import Problem
from icsite.inputs.checking import MAX_PER_CHECK, problem
from icsite.inputs.load import PackageSource

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

